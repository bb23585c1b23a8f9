import socket
import threading
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.databases import fresh_database

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


class _Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": message})
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on localhost that keeps what it receives."""
    inbox = _Inbox()
    inbox.host, inbox.port = "127.0.0.1", free_port()
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def app(tmp_path, database_url):
    """The web app on this test's own database, with a clock that moves only when told to and
    a sender that keeps what it is given."""
    from casework.config import Settings
    from webapp.db import db
    from casework.scenarios import RecordingSender
    from engine.clock import FakeClock
    from webapp import create_app
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


@pytest.fixture
def database_url(tmp_path):
    """An empty database of this test's own, on SQLite or PostgreSQL (see tests/databases.py)."""
    with fresh_database(tmp_path) as url:
        yield url


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
