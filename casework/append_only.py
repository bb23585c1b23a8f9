"""The audit trail, the access log and the workbench's publish and move logs are append-only:
the database itself refuses UPDATE and DELETE on them (DPA 2018 s.62 logs must not be
altered), on PostgreSQL and on SQLite."""

from __future__ import annotations

from sqlalchemy import DDL, event

# the publish and move logs of the workbench are kept like the audit trail
TABLES = ("audit_entry", "access_log", "process_publication", "case_move")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION acro_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the % table is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def postgres_statements(table: str) -> list[str]:
    return [
        POSTGRES_FUNCTION,
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION acro_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION acro_refuse_change()",
    ]


def sqlite_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'the {table} table is append-only: DELETE refused'); END",
    ]


def statements(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return postgres_statements(table)
    if dialect == "sqlite":
        return sqlite_statements(table)
    return []


def _install(table):
    # tables made by create_all (tests, scenarios) get the same triggers as the migrations make
    for dialect in ("postgresql", "sqlite"):
        for sql in statements(dialect, table.name):
            # DDL() formats its text with %-style parameters: a literal % is written %%
            event.listen(table, "after_create", DDL(sql.replace("%", "%%")).execute_if(dialect=dialect))


def install(metadata) -> None:
    """Give the append-only tables of ``metadata`` their triggers when create_all makes them."""
    for name in TABLES:
        _install(metadata.tables[name])
