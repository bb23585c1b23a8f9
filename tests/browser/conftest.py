"""Browser tests: the app served on a free localhost port from a thread, on a temporary SQLite
database with one demo user per role, driven by Playwright through Debian's Chromium.

Locally they skip, saying why, when Chromium or Playwright is missing; in CI (CI=true) they
fail instead, so a green CI always means they ran.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.people import password

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM} (make setup installs it as root: apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[test]')"
    return None


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ACRO_TEST_DATABASE_URL"):
        # `make test` runs the suite again on PostgreSQL; the browser tests serve the app on
        # SQLite of their own, so they run once, in the first (SQLite) pass
        reason = "the browser tests run once, in the SQLite pass of `make test`"
    else:
        reason = _unavailable()
        if reason is None or os.environ.get("CI") == "true":
            return  # CI must run them: without Chromium they fail, loudly
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


def _closing(app):
    """The app with each response read whole and its body closed before a byte is written.
    Werkzeug's server closes the body after writing it, but not when the browser drops the
    connection mid-response (it navigates on before a stylesheet or the favicon is sent): the
    open file then surfaces later as a ResourceWarning in whatever test is running."""

    def buffered(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return buffered


def _serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


class LiveServer:
    def __init__(self, app, server, thread):
        self.app = app
        self.server = server
        self.thread = thread
        self.url = f"http://127.0.0.1:{server.server_port}"
        self.host = f"127.0.0.1:{server.server_port}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app on a free port, with a user per role (password ``demo-<user>-pass``)."""
    from casework.config import Settings
    from casework.scenarios import RecordingSender
    from tests.people import DEMO, add_users
    from webapp import create_app
    from webapp.db import db

    folder = tmp_path_factory.mktemp("browser")
    settings = Settings.from_env(
        {
            "ACRO_INSTANCE_DIR": str(folder),
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{folder / 'acro.sqlite'}",
        }
    )
    app = create_app(
        {"ACRO_SENDER": RecordingSender(), "SESSION_COOKIE_SECURE": False, "SIGNIN_RATE_LIMIT": "200 per minute"},
        settings=settings,
    )
    with app.app_context():
        db.create_all()
        add_users(db.session, DEMO)
    server, thread = _serve(app)
    yield LiveServer(app, server, thread)
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Visit:
    """One browser context (one person's cookies), watching every request and console error."""

    def __init__(self, context, page, server):
        self.context = context
        self.page = page
        self.server = server
        self.foreign: list[str] = []
        self.console_errors: list[str] = []
        self.failed: list[str] = []

    def goto(self, path: str):
        return self.page.goto(self.server.url + path)

    def sign_in(self, username: str):
        page = self.page
        page.goto(self.server.url + "/sign-in")
        page.get_by_label("User name").fill(username)
        page.get_by_label("Password", exact=True).fill(password(username))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/sign-in" not in page.url, f"{username} could not sign in"

    def sign_out(self):
        # wait for the sign-in page the sign-out leads to: going elsewhere sooner could race
        # the response that clears the session cookie
        self.page.get_by_role("button", name="Sign out").click()
        self.page.get_by_text("You have signed out.").wait_for()


@pytest.fixture(scope="session", autouse=True)
def patient_expectations():
    """expect() waits as long as every other action (10 s, not Playwright's 5): still a wait for
    a condition, but one a page served on a loaded 2-core machine meets."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)


@pytest.fixture
def visit(browser, live_server):
    """A fresh browser context; any request to a host other than the app's is refused and noted."""
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    visit = Visit(context, page, live_server)

    def guard(route):
        host = urlsplit(route.request.url).netloc
        # chrome:// and chrome-extension:// are the browser's own PDF viewer (a certificate's PDF
        # shown in a page), never the network
        internal = ("data:", "blob:", "chrome://", "chrome-extension://")
        if route.request.url.startswith(internal) or host == live_server.host:
            route.continue_()
        else:
            visit.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: visit.failed.append(r.url))
    yield visit
    context.close()


# -- the analysts' workbench ------------------------------------------------------------------
@pytest.fixture(scope="module")
def bench(tmp_path_factory, request):
    """The workbench's app on a free port, one per test module, whose processes and scenario
    folders are copies (publishing writes into them), with a user per role. A module may
    keep fewer scenarios (``BENCH_SCENARIOS``, file names) so that its runs are short."""
    from casework.config import Settings
    from casework.scenarios import RecordingSender
    from tests.people import DEMO, add_users
    from webapp import create_app
    from webapp.db import db

    folder = tmp_path_factory.mktemp("workbench")
    shutil.copytree(REPO / "processes", folder / "processes")
    shutil.copytree(REPO / "tests" / "scenarios", folder / "scenarios")
    keep = getattr(request.module, "BENCH_SCENARIOS", None)
    if keep is not None:
        for path in (folder / "scenarios").glob("*.yaml"):
            if path.name not in keep:
                path.unlink()
    settings = Settings.from_env(
        {
            "ACRO_INSTANCE_DIR": str(folder),
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{folder / 'acro.sqlite'}",
            "ACRO_PROCESSES_DIR": str(folder / "processes"),
            "ACRO_SCENARIOS_DIR": str(folder / "scenarios"),
        }
    )
    app = create_app(
        {"ACRO_SENDER": RecordingSender(), "SESSION_COOKIE_SECURE": False, "SIGNIN_RATE_LIMIT": "200 per minute"},
        settings=settings,
    )
    with app.app_context():
        db.create_all()
        add_users(db.session, DEMO)
    server, thread = _serve(app)
    yield LiveServer(app, server, thread), folder
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def analyst_visit(browser, bench):
    server, _ = bench
    context = browser.new_context(base_url=server.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    visit = Visit(context, page, server)

    def guard(route):
        host = urlsplit(route.request.url).netloc
        if route.request.url.startswith(("data:", "blob:")) or host == server.host:
            route.continue_()
        else:
            visit.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    yield visit
    context.close()
