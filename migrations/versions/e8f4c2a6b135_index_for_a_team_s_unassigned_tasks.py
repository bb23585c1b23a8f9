"""an index for a team's unassigned tasks (issue 14)

Revision ID: e8f4c2a6b135
Revises: d5e3b7f9a124
Create Date: 2026-11-30 00:50:00

"""
from alembic import op

revision = 'e8f4c2a6b135'
down_revision = 'd5e3b7f9a124'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_user_task_group_unassigned_due",
        "user_task",
        ["group", "assignee", "due_at", "created_at", "id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_user_task_group_unassigned_due", table_name="user_task")
