"""The database roles of a PostgreSQL installation (issue 12, point 6).

The schema's owner (MIGRATION_DATABASE_URL) runs the migrations; the app connects as a role
that only reads and writes rows. On the append-only tables (the audit trail, the access log,
the workbench's publish and move logs) it may SELECT and INSERT, nothing more, and since only
a table's owner (or a superuser) may ALTER it, it can neither disable nor drop their
triggers. ``grant_runtime`` gives a role exactly that; run it after every upgrade, so tables a
migration added are granted too."""

from __future__ import annotations

from sqlalchemy import text

from . import append_only

# read by Alembic only: the app never writes its own schema version
READ_ONLY = ("alembic_version",)


class RoleError(ValueError):
    pass


def grant_statements(role: str, schema: str, tables: list[str]) -> list[str]:
    """What makes ``role`` the app's runtime role on ``tables`` of ``schema`` (names quoted)."""
    out = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
        f"REVOKE CREATE ON SCHEMA {schema} FROM {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
    ]
    for table in tables:
        if table.strip('"') in append_only.TABLES:
            privileges = "SELECT, INSERT"
        elif table.strip('"') in READ_ONLY:
            privileges = "SELECT"
        else:
            privileges = "SELECT, INSERT, UPDATE, DELETE"
        out.append(f"GRANT {privileges} ON {schema}.{table} TO {role}")
    # new rows' ids come from the sequences
    out.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}")
    return out


def grant_runtime(engine, role: str) -> list[str]:
    """Grant ``role`` what the app needs in the current schema of ``engine`` (the owner's
    connection), and nothing else; returns the tables granted. Refuses a role that could undo
    the append-only triggers anyway: a superuser, or an owner of the schema or a table."""
    if engine.dialect.name != "postgresql":
        raise RoleError("database roles are PostgreSQL's: this database has none")
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        found = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if found is None:
            raise RoleError(f"there is no role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD ...)")
        if found.rolsuper:
            raise RoleError(f"{role!r} is a superuser: it could disable the append-only triggers")
        schema = connection.execute(text("SELECT current_schema()")).scalar()
        # an owner, or a member of the owner's role, may alter and drop the tables; so may the
        # schema's owner
        owned = (
            connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                    "AND pg_has_role(:role, tableowner, 'MEMBER') "
                    "UNION SELECT 'the schema ' || nspname FROM pg_namespace WHERE nspname = :schema "
                    "AND pg_has_role(:role, nspowner, 'MEMBER') ORDER BY 1"
                ),
                {"schema": schema, "role": role},
            )
            .scalars()
            .all()
        )
        if owned:
            raise RoleError(
                f"{role!r} owns {', '.join(owned)} (or is a member of their owner's role), so it could alter "
                "them: let the migration role own the schema and its tables"
            )
        tables = (
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY tablename"),
                {"schema": schema},
            )
            .scalars()
            .all()
        )
        for statement in grant_statements(quote(role), quote(schema), [quote(t) for t in tables]):
            connection.exec_driver_sql(statement)
    return list(tables)
