"""the messages a case waits for, kept on the case

Revision ID: 4b1e2c9d0a01
Revises: e7ab8b182495
Create Date: 2026-11-29 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '4b1e2c9d0a01'
down_revision = 'e7ab8b182495'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_for', sa.JSON(), nullable=True))
    # cases that already wait get their list at their next step; until then it reads as empty


def downgrade():
    with op.batch_alter_table('case_record', schema=None) as batch_op:
        batch_op.drop_column('waiting_for')
