"""The database connection outside the web app: the worker, the command line's background
jobs, scenarios and benchmarks get their sessions here, with the same engine options the web
app gives Flask-SQLAlchemy (webapp/__init__.py)."""

from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.orm import sessionmaker

# how long a SQLite writer waits for another's lock before it gives up (milliseconds)
SQLITE_BUSY_TIMEOUT_MS = 15000


def engine_options(url: str) -> dict:
    """What every engine on ``url`` is made with."""
    if url.startswith("sqlite"):
        # SQLite's connections are local: nothing to ping
        return {}
    # a server's connections can be closed under us (a restart, an idle timeout)
    return {"pool_pre_ping": True}


def configure(engine):
    """Set up an engine made with ``engine_options``: on SQLite, each new connection writes
    ahead (WAL: readers never wait for the writer, and a commit appends to the log instead of
    rewriting pages), syncs at checkpoints rather than at every commit (synchronous=NORMAL:
    a power cut may lose the last commits, never the file), and waits for a busy writer rather
    than failing at once. Returns the engine."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_pragmas):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # an in-memory database answers "memory" and keeps it: nothing to write ahead to
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def make_engine(url: str):
    """An engine on ``url`` with the project's options and connection set-up."""
    return configure(create_engine(url, **engine_options(url)))


def session_factory(url: str) -> sessionmaker:
    """Sessions on ``url``, without Flask."""
    return sessionmaker(bind=make_engine(url))


def delete_all_rows(engine) -> None:
    """Empty every table of the models' schema on PostgreSQL and start its ids again, keeping
    the schema: a scenario run or a test on a server database starts from nothing without
    paying for a new schema. The append-only triggers refuse DELETE; a superuser's replica
    role skips them, so this is for a test or scenario database only."""
    from sqlalchemy import text

    from .models import Base

    if engine.dialect.name != "postgresql":
        raise ValueError("delete_all_rows is for PostgreSQL; a SQLite scenario database is made anew")
    with engine.begin() as connection:
        sequences = (
            connection.execute(
                text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = current_schema()")
            )
            .scalars()
            .all()
        )
        connection.exec_driver_sql(
            ";\n".join(
                ["SET LOCAL session_replication_role = replica"]
                + [f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
                + [f'ALTER SEQUENCE "{s}" RESTART' for s in sequences]
            )
        )
