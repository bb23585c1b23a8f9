"""On PostgreSQL, searches for part of a name (``LIKE '%word%'``) use trigram indexes
(pg_trgm), so a search stays fast however many cases there are. SQLite has no such index and
reads the column whole, which is fine at the embedded mode's size."""

from __future__ import annotations

from sqlalchemy import DDL, event

EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"
INDEXES = {
    "case_record": "CREATE INDEX IF NOT EXISTS ix_case_record_search_names_trgm ON case_record "
    "USING gin (search_names public.gin_trgm_ops)",
    "alias": "CREATE INDEX IF NOT EXISTS ix_alias_search_key_trgm ON alias USING gin (search_key public.gin_trgm_ops)",
}


def is_trigram_index(name: str | None) -> bool:
    """These indexes live outside the models; schema comparisons leave them alone."""
    return bool(name) and name.endswith("_trgm")


def install(metadata) -> None:
    """Tables made by create_all (tests, benchmarks) get what the migration makes."""
    for name, sql in INDEXES.items():
        table = metadata.tables[name]
        event.listen(table, "after_create", DDL(EXTENSION).execute_if(dialect="postgresql"))
        event.listen(table, "after_create", DDL(sql).execute_if(dialect="postgresql"))
