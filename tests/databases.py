"""Which database the tests run on: SQLite by default, PostgreSQL when ACRO_TEST_DATABASE_URL
names one (``.ci/run`` runs the suite on both). Each test gets an empty database of its own:
a file for SQLite, a schema for PostgreSQL."""
from __future__ import annotations

import contextlib
import os
import uuid
from urllib.parse import quote

from sqlalchemy import create_engine, text

SERVER_URL = os.environ.get("ACRO_TEST_DATABASE_URL", "")


def on_postgres() -> bool:
    return SERVER_URL.startswith("postgresql")


@contextlib.contextmanager
def fresh_database(tmp_path):
    """Yield the URL of an empty database, removed afterwards."""
    if not SERVER_URL:
        yield f"sqlite:///{tmp_path / 'acro.sqlite'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(SERVER_URL)
    with admin.begin() as connection:  # fails loudly when the server is missing: never a skip
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in SERVER_URL else "?"
    try:
        yield f"{SERVER_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
