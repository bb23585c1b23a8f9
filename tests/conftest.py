"""What every kind of test may use: a database of the test's own, the web app on it, a real
SMTP server, the people, and the results section of the run."""

import pytest

from tests.databases import SchemaDatabases, empty_database
from tests.mail import MailCatcher
from webapp.db import db


@pytest.fixture(scope="session")
def _schema_databases():
    databases = SchemaDatabases()
    yield databases
    databases.close()


@pytest.fixture
def database_url(tmp_path, _schema_databases):
    """A database with the models' schema and nothing in it, this test's own, on SQLite or
    PostgreSQL (tests/databases.py). The schema comes from the models; tests/integration/
    test_migrations.py checks the migrations make the same."""
    return _schema_databases.database(tmp_path)


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with no tables at all (for the migrations)."""
    with empty_database(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on localhost that keeps what it receives."""
    with MailCatcher() as catcher:
        yield catcher


@pytest.fixture
def settings(tmp_path, database_url):
    from casework.config import Settings

    return Settings.from_env(
        {
            "ACRO_INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "test-" + "k" * 32,
            "DATABASE_URL": database_url,
        }
    )


@pytest.fixture
def app(settings):
    """The web app on this test's own database, with a clock that moves only when told to and
    a sender that keeps what it is given."""
    from casework.scenarios import RecordingSender
    from engine.clock import FakeClock
    from webapp import create_app
    from webapp.db import db

    app = create_app({"TESTING": True, "ACRO_CLOCK": FakeClock(), "ACRO_SENDER": RecordingSender()}, settings=settings)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def users(app):
    """The demo users (one per role) as active users; returns their names."""
    from tests.people import DEMO, add_users
    from webapp.db import db

    with app.app_context():
        add_users(db.session, DEMO)
    return DEMO


# -- signed in, through the pages and the API -----------------------------------------
@pytest.fixture
def web(app, users):
    """``web("caseworker")`` is a client signed in as that user; ``web()`` is nobody signed in."""
    from tests.web.pages import Client

    def make(username=None):
        client = Client(app.test_client())
        return client.sign_in(username) if username else client

    return make


@pytest.fixture
def make_case(app, users):
    """``make_case(steps, index=0)``: demo referral ``index`` submitted and taken through
    ``steps`` ([(task, role, answers)], through the service); returns the case reference."""
    from sqlalchemy import select

    from casework.demo import DEMO_REFERRALS
    from casework.models import UserTask
    from tests.people import INTAKE, actor_of_role
    from webapp.bootstrap import casework

    def make(steps=(), index=0):
        with app.app_context():
            service = casework()
            item = DEMO_REFERRALS[index]
            case = service.submit_referral(item["referral"], INTAKE, certificate=item["certificate"], channel="system")
            reference = case.reference
            for bpmn_id, role, answers in steps:
                task = db.session.scalars(
                    select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == bpmn_id)
                ).one()
                service.complete_task(
                    reference, task.id, answers, actor_of_role(role, app.config["ACRO_SETTINGS"].role_groups)
                )
            return reference

    return make


@pytest.fixture
def world(app, make_case):
    """Case ``a`` waits for its certificate check (task ``a_task``); case ``b`` waits at
    Stage 1, with its notice (``b_document``)."""
    from sqlalchemy import select

    from casework.models import Case, Document
    from tests.web.pages import TO_STAGE1, task_id

    a = make_case()
    b = make_case(TO_STAGE1, index=2)
    with app.app_context():
        b_id = db.session.scalars(select(Case.id).where(Case.reference == b)).one()
        document = db.session.scalars(select(Document.id).where(Document.case_id == b_id)).first()
    return {"a": a, "b": b, "a_task": task_id(app, a, "check_certificate"), "b_document": document}


@pytest.fixture
def api_tokens(app) -> dict:
    """A bearer token for each person of tests/api/client.py's API_PEOPLE."""
    from casework import tokens
    from tests.api.client import API_PEOPLE
    from tests.people import add_users
    from webapp.db import db

    made = {}
    clock = app.extensions["acro"]["clock"]
    with app.app_context():
        add_users(db.session, API_PEOPLE)
        for username in API_PEOPLE:
            made[username] = tokens.create_token(db.session, username, "tests", clock.now())[1]
        db.session.commit()
    return made


@pytest.fixture
def api(app, api_tokens):
    """The JSON API, called as ``user=`` (default wendy) with their token."""
    from tests.api.client import Api

    return Api(app.test_client(), api_tokens)


_RESULTS = pytest.StashKey[list]()


@pytest.fixture
def report(request):
    """``report("...")``: a line for the results section printed at the end of the run (the
    fault, concurrency and crash tests say what they sent and what came back)."""
    lines = request.config.stash.setdefault(_RESULTS, [])
    return lambda text: lines.append(f"{request.node.nodeid}: {text}")


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(_RESULTS, [])
    if lines:
        terminalreporter.section("results of the fault, concurrency and crash tests")
        for line in lines:
            terminalreporter.write_line(line)
