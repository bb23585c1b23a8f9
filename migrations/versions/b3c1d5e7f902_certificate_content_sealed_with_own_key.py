"""certificate content sealed with a key of its own (WF-2)

Revision ID: b3c1d5e7f902
Revises: f18929878a58
Create Date: 2026-11-29 18:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

from casework import sealing


# revision identifiers, used by Alembic.
revision = 'b3c1d5e7f902'
down_revision = 'f18929878a58'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_key',
    sa.Column('certificate_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificate.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('certificate_id')
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_content', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('sealed_file', sa.LargeBinary(), nullable=True))

    # every certificate still held is sealed with a key of its own; the plain columns go.
    # Their old values stay in the database's dead pages and write-ahead log until the table is
    # vacuumed and the log recycled: run VACUUM FULL certificate after this release.
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, content, file FROM certificate WHERE content IS NOT NULL OR file IS NOT NULL")
    ).all()
    for row in rows:
        key = sealing.new_key()
        content = None if row.content is None else sealing.seal(key, row.content.encode("utf-8"))
        file = None if row.file is None else sealing.seal(key, bytes(row.file))
        connection.execute(
            sa.text("INSERT INTO certificate_key (certificate_id, key) VALUES (:id, :key)"),
            {"id": row.id, "key": key},
        )
        connection.execute(
            sa.text("UPDATE certificate SET sealed_content = :content, sealed_file = :file WHERE id = :id"),
            {"id": row.id, "content": content, "file": file},
        )

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('content')
        batch_op.drop_column('file')


def downgrade():
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('file', sa.LargeBinary(), nullable=True))

    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT c.id, c.sealed_content, c.sealed_file, k.key FROM certificate c "
            "JOIN certificate_key k ON k.certificate_id = c.id"
        )
    ).all()
    for row in rows:
        key = bytes(row.key)
        connection.execute(
            sa.text("UPDATE certificate SET content = :content, file = :file WHERE id = :id"),
            {
                "id": row.id,
                "content": None
                if row.sealed_content is None
                else sealing.unseal(key, bytes(row.sealed_content)).decode("utf-8"),
                "file": None if row.sealed_file is None else sealing.unseal(key, bytes(row.sealed_file)),
            },
        )

    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_column('sealed_file')
        batch_op.drop_column('sealed_content')
    op.drop_table('certificate_key')
