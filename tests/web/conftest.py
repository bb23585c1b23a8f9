import pytest

from casework.config import Settings
from casework.scenarios import RecordingSender
from engine.clock import FakeClock
from webapp import create_app


@pytest.fixture
def app(tmp_path):
    settings = Settings.from_env({"ACRO_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "test",
                                  "DATABASE_URL": f"sqlite:///{tmp_path / 'acro.sqlite'}"})
    app = create_app({"TESTING": True, "ACRO_CLOCK": FakeClock(), "ACRO_SENDER": RecordingSender()},
                     settings=settings)
    yield app


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
