import pytest

from tests.integration.world import World


@pytest.fixture
def world(tmp_path, database_url):
    """The service layer on a real database, restartable (tests/integration/world.py); in this
    folder ``world`` is this, not the two cases of tests/conftest.py."""
    world = World(tmp_path, database_url)
    yield world
    world.close()
