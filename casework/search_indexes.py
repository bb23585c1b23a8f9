"""The indexes that keep a search for part of a name (``LIKE '%word%'``) fast however many
cases there are. They live outside the models (schema comparisons leave them alone) because
each database needs its own kind:

- PostgreSQL: trigram indexes (pg_trgm), which the LIKE itself uses.
- SQLite has no such index and would read every case row whole, the referral and the workflow
  state with it (2 s at 100,000 cases). A narrow index of the order a search is shown in and
  the names lets it read only that, and the rows it shows (queries.cases asks for the ids
  first): about 15 times less to read.
"""

from __future__ import annotations

from sqlalchemy import DDL, event

EXTENSION = "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"
TRIGRAM_INDEXES = {
    "case_record": "CREATE INDEX IF NOT EXISTS ix_case_record_search_names_trgm ON case_record "
    "USING gin (search_names public.gin_trgm_ops)",
    "alias": "CREATE INDEX IF NOT EXISTS ix_alias_search_key_trgm ON alias USING gin (search_key public.gin_trgm_ops)",
}
# newest referral first (the search page), newest activity first (the case list and the API)
SQLITE_INDEXES = {
    "ix_case_record_created_names_scan": "CREATE INDEX IF NOT EXISTS ix_case_record_created_names_scan "
    "ON case_record (created_at, id, search_names)",
    "ix_case_record_updated_names_scan": "CREATE INDEX IF NOT EXISTS ix_case_record_updated_names_scan "
    "ON case_record (updated_at, id, search_names)",
}


def is_search_index(name: str | None) -> bool:
    return bool(name) and (name.endswith("_trgm") or name in SQLITE_INDEXES)


def install(metadata) -> None:
    """Tables made by create_all (tests, benchmarks) get what the migrations make."""
    for name, sql in TRIGRAM_INDEXES.items():
        table = metadata.tables[name]
        event.listen(table, "after_create", DDL(EXTENSION).execute_if(dialect="postgresql"))
        event.listen(table, "after_create", DDL(sql).execute_if(dialect="postgresql"))
    for sql in SQLITE_INDEXES.values():
        event.listen(metadata.tables["case_record"], "after_create", DDL(sql).execute_if(dialect="sqlite"))
