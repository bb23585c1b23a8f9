"""the instance state kept zlib-compressed (issue 14)

Revision ID: c4d2a6e8f013
Revises: b3c1d5e7f902
Create Date: 2026-11-29 21:20:00

"""
import json
import zlib

import sqlalchemy as sa
from alembic import op

revision = 'c4d2a6e8f013'
down_revision = 'b3c1d5e7f902'
branch_labels = None
depends_on = None


def _convert(source, target, change, type_):
    connection = op.get_bind()
    last = 0
    while True:  # in batches, so a large table is never all in memory at once
        rows = connection.execute(
            sa.text(f"SELECT id, {source} FROM case_record WHERE id > :last ORDER BY id LIMIT 500"), {"last": last}
        ).all()
        if not rows:
            return
        connection.execute(
            sa.text(f"UPDATE case_record SET {target} = :value WHERE id = :id").bindparams(
                sa.bindparam("value", type_=type_)
            ),
            [{"id": row[0], "value": change(row[1])} for row in rows],
        )
        last = rows[-1][0]


def _compress(value):
    state = json.loads(value) if isinstance(value, (str, bytes)) else value
    return zlib.compress(json.dumps(state, separators=(",", ":")).encode("utf-8"), 6)


def _decompress(value):
    return json.loads(zlib.decompress(value))


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_state_zlib', sa.LargeBinary(), nullable=True))
    _convert('instance_state', 'instance_state_zlib', _compress, sa.LargeBinary())
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_column('instance_state')
        batch_op.alter_column(
            'instance_state_zlib', new_column_name='instance_state', existing_type=sa.LargeBinary(), nullable=False
        )


def downgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instance_state_json', sa.JSON(), nullable=True))
    _convert('instance_state', 'instance_state_json', _decompress, sa.JSON())
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_column('instance_state')
        batch_op.alter_column(
            'instance_state_json', new_column_name='instance_state', existing_type=sa.JSON(), nullable=False
        )
