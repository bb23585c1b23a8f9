import pytest

from tests.databases import on_postgres


@pytest.fixture(autouse=True)
def _postgres_only():
    """These tests need PostgreSQL (row locks across processes); `make test` runs them there."""
    if not on_postgres():
        pytest.skip("runs in the PostgreSQL pass of the suite (ACRO_TEST_DATABASE_URL)")
