"""trigram indexes for searching names on PostgreSQL

Revision ID: e7ab8b182495
Revises: adc9b91cfe3e
Create Date: 2026-11-29 08:35:12.620574

"""
from alembic import op

import casework.models  # noqa: F401  (column types such as UtcDateTime)
from casework.search_indexes import EXTENSION, TRIGRAM_INDEXES as INDEXES


# revision identifiers, used by Alembic.
revision = 'e7ab8b182495'
down_revision = 'adc9b91cfe3e'
branch_labels = None
depends_on = None


def upgrade():
    # PostgreSQL only: the pg_trgm extension (PostgreSQL's contrib; a database owner or a DBA
    # can create it) and the indexes that let LIKE '%word%' use it
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(EXTENSION)
    for sql in INDEXES.values():
        op.execute(sql)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_alias_search_key_trgm")
    op.execute("DROP INDEX IF EXISTS ix_case_record_search_names_trgm")
