"""Which database the tests run on: SQLite by default, PostgreSQL when ACRO_TEST_DATABASE_URL
names one (``make test`` runs the suite on both).

Making the schema is the slowest part of a test's setup (two seconds on SQLite's disk, one on
PostgreSQL), so it is made once per run: on SQLite a template file is copied for each test;
on PostgreSQL one schema serves the run and is emptied before each test. A test that needs a
database with nothing in it at all (the migrations) asks for ``empty_database``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

from casework.database import delete_all_rows

SERVER_URL = os.environ.get("ACRO_TEST_DATABASE_URL", "")


def on_postgres() -> bool:
    return SERVER_URL.startswith("postgresql")


def _schema_url(schema: str) -> str:
    separator = "&" if "?" in SERVER_URL else "?"
    return f"{SERVER_URL}{separator}options={quote(f'-csearch_path={schema}')}"


@contextlib.contextmanager
def empty_database(tmp_path):
    """Yield the URL of a database with no tables, removed afterwards."""
    if not SERVER_URL:
        yield f"sqlite:///{tmp_path / 'acro.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER_URL)
    with admin.begin() as connection:  # fails loudly when the server is missing: never a skip
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


class SchemaDatabases:
    """Databases with the models' schema and no rows, made cheaply; one per test run."""

    def __init__(self):
        self._folder = None
        self._template = None
        self._schema = None
        self._engine = None

    def sqlite(self, tmp_path) -> str:
        if self._template is None:
            from casework.models import Base

            self._folder = tempfile.mkdtemp(prefix="acro-schema-")
            self._template = Path(self._folder) / "template.sqlite"
            engine = create_engine(f"sqlite:///{self._template}")
            Base.metadata.create_all(engine)
            engine.dispose()
        target = Path(tmp_path) / "acro.sqlite"
        shutil.copyfile(self._template, target)
        return f"sqlite:///{target}"

    def postgres(self) -> str:
        if self._schema is None:
            from casework.models import Base

            self._schema = f"t_{uuid.uuid4().hex[:12]}"
            admin = create_engine(SERVER_URL)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{self._schema}"'))
            admin.dispose()
            self._engine = create_engine(_schema_url(self._schema))
            Base.metadata.create_all(self._engine)
        # emptied before each test, so that what one test left cannot reach the next
        delete_all_rows(self._engine)
        return _schema_url(self._schema)

    def database(self, tmp_path) -> str:
        return self.postgres() if SERVER_URL else self.sqlite(tmp_path)

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        if self._engine is not None:
            self._engine.dispose()
            admin = create_engine(SERVER_URL)
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{self._schema}" CASCADE'))
            admin.dispose()


def insert_old_case(session, reference: str, referral_json: str = "{}") -> None:
    """A case row written by raw SQL, as a release before a migration left it (the migration
    tests upgrade it)."""
    session.execute(
        text(
            "INSERT INTO process_version (digest, main_process, files, created_at) "
            "VALUES ('x', 'acro_referral', '{}', CURRENT_TIMESTAMP)"
        )
    )
    session.execute(
        text(
            "INSERT INTO case_record (reference, referral, state, process_version_id, instance_state, revision, "
            "created_at, updated_at) VALUES (:reference, :referral, 'open', "
            "(SELECT id FROM process_version), '{}', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"reference": reference, "referral": referral_json},
    )
