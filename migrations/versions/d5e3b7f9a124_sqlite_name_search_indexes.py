"""narrow indexes for searching names on SQLite (issue 14)

Revision ID: d5e3b7f9a124
Revises: c4d2a6e8f013
Create Date: 2026-11-30 00:50:00

"""
from alembic import op

from casework.search_indexes import SQLITE_INDEXES

revision = 'd5e3b7f9a124'
down_revision = 'c4d2a6e8f013'
branch_labels = None
depends_on = None


def upgrade():
    # SQLite only: PostgreSQL searches names through its trigram indexes (e7ab8b182495)
    if op.get_bind().dialect.name != "sqlite":
        return
    for sql in SQLITE_INDEXES.values():
        op.execute(sql)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in SQLITE_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
