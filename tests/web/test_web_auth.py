"""Signing in and out: errors, safe redirects, the session cookie and the rate limit."""

import pytest

from tests.web.pages import text


def test_the_root_shows_the_sign_in_page_or_the_person_s_tasks(web):
    assert "/sign-in" in web().get("/").location
    assert web("caseworker").get("/").location.endswith("/tasks")
    # an administrator does no tasks: they start on the dashboard
    assert web("admin").get("/").location.endswith("/dashboard")


def test_sign_in_page(web):
    page = text(web().get("/sign-in"))
    assert "Sign in to ACRO Casework" in page and 'autocomplete="current-password"' in page


@pytest.mark.parametrize(
    "form, messages",
    [
        ({}, ["Enter your user name", "Enter your password"]),
        ({"username": "caseworker"}, ["Enter your password"]),
        ({"username": "caseworker", "password": "wrong password"}, ["The user name or password is not right"]),
        ({"username": "nobody", "password": "demo-nobody-pass"}, ["The user name or password is not right"]),
    ],
)
def test_sign_in_errors_use_the_error_summary(web, form, messages):
    response = web().post("/sign-in", form)
    page = text(response)
    assert response.status_code == 200
    assert "govuk-error-summary" in page and "<title>Error: Sign in" in page
    for message in messages:
        assert message in page


def test_sign_in_goes_on_to_the_page_asked_for_but_never_to_another_site(web):
    client = web()
    response = client.get("/dashboard")
    assert response.location.endswith("/sign-in?next=/dashboard")
    token = client.csrf()
    ok = client.client.post(
        "/sign-in?next=/dashboard", data={"csrf_token": token, "username": "director", "password": "demo-director-pass"}
    )
    assert ok.location == "/dashboard"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        other = web()
        response = other.client.post(
            f"/sign-in?next={target}",
            data={"csrf_token": other.csrf(), "username": "director", "password": "demo-director-pass"},
        )
        assert response.status_code == 302 and "evil" not in response.location, target


def test_sign_out_ends_the_session(web):
    client = web("workflow")
    response = client.post("/sign-out")
    assert "/sign-in" in response.location
    assert "You have signed out" in text(client.get("/sign-in"))
    assert "/sign-in" in client.get("/tasks").location


def test_a_form_without_its_csrf_token_is_refused(web):
    response = web().post("/sign-in", {"username": "caseworker", "password": "demo-caseworker-pass"}, csrf=False)
    assert response.status_code == 400 and "Your form has expired" in text(response)
    client = web("caseworker")
    response = client.post("/sign-out", csrf=False)
    assert response.status_code == 400
    assert client.get("/tasks").status_code == 200  # still signed in


def test_failed_sign_ins_are_rate_limited_and_successes_are_not_counted(app, web):
    assert app.config["SIGNIN_RATE_LIMIT"] == "5 per minute;20 per hour"
    for _ in range(8):
        web("caseworker")  # successful sign-ins do not count
    client = web()
    for attempt in range(5):
        response = client.post("/sign-in", {"username": "caseworker", "password": "wrong"})
        assert response.status_code == 200, attempt
    refused = client.post("/sign-in", {"username": "caseworker", "password": "demo-caseworker-pass"})
    assert refused.status_code == 429 and "Too many attempts" in text(refused)
    # the page itself is still there
    assert client.get("/sign-in").status_code == 200


def test_the_session_cookie_is_http_only_and_same_site_lax(web):
    client = web()
    response = client.post("/sign-in", {"username": "caseworker", "password": "demo-caseworker-pass"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the tests run on plain http, like the embedded mode


@pytest.mark.parametrize(
    "production, environ, secure",
    [
        (True, {}, True),
        (False, {}, False),
        (False, {"SESSION_COOKIE_SECURE": "true"}, True),
        (True, {"SESSION_COOKIE_SECURE": "false"}, False),
    ],
)
def test_the_session_cookie_is_secure_in_production_unless_configured_otherwise(production, environ, secure):
    from casework.config import Settings
    from webapp.views import config_defaults

    config = config_defaults(Settings(production=production), environ)
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_rate_limit_storage_comes_from_the_environment():
    from casework.config import Settings
    from webapp.views import config_defaults

    assert config_defaults(Settings(), {})["RATELIMIT_STORAGE_URI"] == "memory://"
    environ = {"RATELIMIT_STORAGE_URI": "redis://cache:6379/0", "SIGNIN_RATE_LIMIT": "3 per minute"}
    config = config_defaults(Settings(), environ)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0" and config["SIGNIN_RATE_LIMIT"] == "3 per minute"


def test_a_secure_cookie_is_sent_over_https(app, users):
    app.config["SESSION_COOKIE_SECURE"] = True
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    token = text(page).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(
        "/sign-in",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/sign-in"},
        data={"csrf_token": token, "username": "caseworker", "password": "demo-caseworker-pass"},
    )
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
