"""What every page shares: a Content Security Policy with no inline script, nothing loaded
from another host, CSRF tokens on every form, and no caching of personal data."""

import re

import pytest

from tests.web.pages import text

PAGES = {
    None: ["/sign-in"],
    "workflow": [
        "/tasks",
        "/tasks/queues/cc-workflow",
        "/cases/{a}/tasks/{a_task}",
        "/referrals/new",
        "/referrals/{a}/recorded",
        "/search?name=kowalski",
        "/dashboard",
        "/cases/{a}/purpose",
    ],
    "caseworker": ["/cases/{b}", "/cases/{b}/events", "/tasks/queues/cc-casework"],
    "admin": ["/tasks", "/dashboard", "/cases/{a}"],
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
RESOURCE = re.compile(r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)="([^"]*)"', re.I)


def pages(web, world):
    for role, paths in PAGES.items():
        client = web(role)
        if role == "caseworker":
            client.post(f"/cases/{world['b']}/purpose", {"purpose": "casework"})
        for path in paths:
            response = client.get(path.format(**world))
            yield role, path, response


def test_every_page_has_the_policy_and_no_inline_script_or_handler(web, world):
    seen = 0
    for role, path, response in pages(web, world):
        if response.mimetype != "text/html":
            continue
        seen += 1
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store", path
        page = text(response)
        assert not INLINE_SCRIPT.search(page), (role, path, INLINE_SCRIPT.search(page).group(0))
        assert not EVENT_HANDLER.search(page), (role, path, EVENT_HANDLER.search(page).group(0))
    assert seen >= 12


def test_every_resource_a_page_loads_is_the_app_s_own(web, world):
    for role, path, response in pages(web, world):
        for url in RESOURCE.findall(text(response)):
            assert url.startswith("/") and not url.startswith("//"), (role, path, url)


def test_every_form_carries_a_csrf_token(web, world):
    for role, path, response in pages(web, world):
        page = text(response)
        for form in re.findall(r"<form\b[^>]*>.*?</form>", page, re.S | re.I):
            if re.search(r'method="post"', form, re.I):
                assert 'name="csrf_token"' in form, (role, path, form[:200])


def _fetch(client, url):
    with client.get(url) as response:
        return response.status_code, response.get_data()


def test_the_front_end_packages_are_served_by_the_app(web):
    client = web()
    status, css = _fetch(client, "/vendor/govuk-frontend/govuk-frontend.min.css")
    assert status == 200 and b".govuk-template" in css
    for url in (
        "/vendor/govuk-frontend/govuk-frontend.min.js",
        "/assets/fonts/bold-b542beb274-v2.woff2",
        "/assets/images/favicon.svg",
        "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js",
        "/vendor/bpmn-js/assets/bpmn-js.css",
        "/vendor/bpmn-js/assets/bpmn-font/css/bpmn.css",
        "/static/js/govuk-init.js",
        "/static/js/case-diagram.js",
        "/static/css/app.css",
    ):
        assert _fetch(client, url)[0] == 200, url
    # only what the pages use, not the whole of node_modules
    for url in (
        "/vendor/bpmn-js/bpmn-modeler.production.min.js",
        "/vendor/left-pad/index.js",
        "/vendor/govuk-frontend/../../package.json",
        "/assets/../../package.json",
    ):
        assert _fetch(client, url)[0] == 404, url


def test_the_govuk_frontend_versions_match(app):
    """govuk-frontend-jinja 4.1.0 is written for GOV.UK Frontend 6.3.0: both are pinned."""
    import json
    from importlib.metadata import version
    from pathlib import Path

    repo = Path(app.root_path).parent
    package = json.loads((repo / "package.json").read_text())
    assert package["dependencies"]["govuk-frontend"] == "6.3.0"
    assert version("govuk-frontend-jinja") == "4.1.0"
    installed = json.loads((repo / "node_modules/govuk-frontend/package.json").read_text())
    assert installed["version"] == "6.3.0"


POSTS = [
    "/sign-out",
    "/cases/{a}/tasks/{a_task}",
    "/cases/{a}/tasks/{a_task}/claim",
    "/cases/{a}/tasks/{a_task}/release",
    "/cases/{a}/tasks/{a_task}/assign",
    "/cases/{a}/purpose",
    "/cases/{b}/events",
    "/referrals/new",
]


@pytest.mark.parametrize("path", POSTS)
def test_every_form_is_refused_without_its_token(app, web, world, path):
    client = web("workflow")
    response = client.post(path.format(**world), {"purpose": "casework", "action": "submit"}, csrf=False)
    assert response.status_code == 400 and "Your form has expired" in text(response)
    response = client.post(path.format(**world), {"csrf_token": "forged"}, csrf=False)
    assert response.status_code == 400


def test_a_bearer_token_api_call_needs_no_csrf_token_but_a_cookie_one_does(app, web):
    from flask import Blueprint

    bp = Blueprint("probe_api", __name__, url_prefix="/api/probe")

    @bp.post("/")
    def probe():
        return {"ok": True}

    app.register_blueprint(bp)
    client = web("caseworker")
    assert client.post("/api/probe/", csrf=False, headers={"Authorization": "Bearer acro_x"}).status_code == 200
    assert client.post("/api/probe/", csrf=False).status_code == 400
