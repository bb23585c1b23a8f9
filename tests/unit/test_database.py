"""The engine options every part of the app gets: SQLite writes ahead, syncs at checkpoints,
waits for a busy writer, and is never pinged; a server's connections are pinged."""

from sqlalchemy import text

from casework.config import Settings
from casework.database import SQLITE_BUSY_TIMEOUT_MS, engine_options, make_engine

SYNCHRONOUS_NORMAL = 1


def pragmas(engine) -> tuple:
    with engine.connect() as connection:
        return tuple(
            connection.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout")
        )


def test_a_sqlite_file_writes_ahead_and_waits_for_a_busy_writer(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'case.sqlite'}")
    try:
        assert pragmas(engine) == ("wal", SYNCHRONOUS_NORMAL, SQLITE_BUSY_TIMEOUT_MS)
    finally:
        engine.dispose()


def test_the_web_app_gets_the_same_set_up(tmp_path):
    from webapp import create_app
    from webapp.db import db

    settings = Settings.from_env(
        {
            "ACRO_INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-" + "k" * 32,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'web.sqlite'}",
        }
    )
    app = create_app({"TESTING": True}, settings=settings)
    with app.app_context():
        try:
            assert pragmas(db.engine) == ("wal", SYNCHRONOUS_NORMAL, SQLITE_BUSY_TIMEOUT_MS)
        finally:
            db.engine.dispose()


def test_an_in_memory_database_stays_in_memory():
    engine = make_engine("sqlite://")
    assert pragmas(engine)[0] == "memory"
    engine.dispose()


def test_sqlite_connections_are_not_pinged_and_a_servers_are():
    assert engine_options("sqlite:///x.sqlite") == {}
    assert make_engine("sqlite://").pool._pre_ping is False
    assert engine_options("postgresql+psycopg://u@h/db") == {"pool_pre_ping": True}
