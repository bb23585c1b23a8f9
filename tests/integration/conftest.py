import pytest

from tests.integration.world import World


@pytest.fixture
def world(tmp_path, database_url):
    """The service layer on a real database, restartable (tests/integration/world.py)."""
    world = World(tmp_path, database_url)
    yield world
    world.close()
