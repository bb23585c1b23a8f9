import pytest

from casework.config import Settings
from casework.models import db
from casework.scenarios import RecordingSender
from engine.clock import FakeClock
from webapp import create_app


@pytest.fixture
def app(tmp_path, database_url):
    settings = Settings.from_env({"ACRO_INSTANCE_DIR": str(tmp_path / "instance"), "SECRET_KEY": "test",
                                  "DATABASE_URL": database_url})
    app = create_app({"TESTING": True, "ACRO_CLOCK": FakeClock(), "ACRO_SENDER": RecordingSender()},
                     settings=settings)
    with app.app_context():
        db.create_all()  # the tests' schema comes from the models; test_migrations checks they agree
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
