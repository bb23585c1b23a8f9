"""Issue 12, point 5: a session cookie copied before sign-out still worked after it. A sign-in
is now kept on the server; signing out, deactivation and a new password end it, so a copy
of the cookie taken before any of them opens nothing afterwards."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import models
from casework.models import User
from engine.clock import FakeClock
from tests.web.pages import Client
from webapp.db import db


def copy_of_cookie(app, signed_in: Client) -> Client:
    """Another browser holding a copy of the signed-in browser's session cookie."""
    cookie = signed_in.client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    assert cookie is not None
    thief = Client(app.test_client(), signed_in.username)
    thief.client.set_cookie(cookie.key, cookie.value)
    return thief


def signed_out(response) -> bool:
    return response.status_code == 302 and "/sign-in" in response.location


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, web):
    browser = web("caseworker")
    thief = copy_of_cookie(app, browser)
    assert thief.get("/tasks").status_code == 200  # the copy works while the sign-in lasts
    assert signed_out(browser.post("/sign-out"))
    assert signed_out(thief.get("/tasks"))
    assert signed_out(browser.get("/tasks"))


def test_signing_out_ends_only_that_sign_in(app, web):
    one, other = web("caseworker"), web("caseworker")
    one.post("/sign-out")
    assert other.get("/tasks").status_code == 200


def test_deactivation_ends_every_session_and_reactivation_does_not_revive_them(app, web):
    browser = web("director")
    thief = copy_of_cookie(app, browser)
    with app.app_context():
        from casework.users import deactivate

        deactivate(db.session, "director", app.extensions["acro"]["session_clock"].now())
        db.session.commit()
        # reactivated before the copy is next used: the ended session stays ended
        db.session.scalars(select(User).where(User.username == "director")).one().active = True
        db.session.commit()
    assert signed_out(thief.get("/tasks"))
    assert signed_out(browser.get("/tasks"))


def test_a_new_password_ends_every_session_signed_in_with_the_old_one(app, web):
    browser = web("senior")
    thief = copy_of_cookie(app, browser)
    with app.app_context():
        from casework.users import set_password

        set_password(db.session, "senior", "a brand new password", app.extensions["acro"]["session_clock"].now())
        db.session.commit()
    assert signed_out(thief.get("/tasks"))
    assert signed_out(browser.get("/tasks"))
    assert web().sign_in("senior", "a brand new password").get("/tasks").status_code == 200


def test_moving_the_cases_clock_on_by_days_does_not_end_a_sign_in(app, web):
    browser = web("workflow")
    app.extensions["acro"]["clock"].advance(timedelta(days=30))  # timers fire; the person works on
    assert browser.get("/tasks").status_code == 200


def test_a_session_ends_on_the_server_when_its_lifetime_is_over(app, web):
    wall_clock = app.extensions["acro"]["session_clock"] = FakeClock()
    browser = web("workflow")
    thief = copy_of_cookie(app, browser)
    wall_clock.advance(app.permanent_session_lifetime + timedelta(seconds=1))
    assert signed_out(thief.get("/tasks"))
    with app.app_context():
        ended = db.session.scalars(select(models.SignInSession.ended_because)).all()
    assert "expired" in ended


def test_the_cookie_carries_a_random_token_and_the_server_keeps_only_its_hash(app, web):
    browser = web("workflow")
    with app.app_context():
        rows = db.session.scalars(select(models.SignInSession)).all()
    assert len(rows) == 1 and len(rows[0].token_hash) == 64
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    cookie = browser.client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    token = serializer.loads(cookie.value)["sign_in"]
    assert token not in rows[0].token_hash and len(token) >= 43


@pytest.mark.parametrize(
    "command, args, because",
    [
        ("deactivate", ["caseworker"], "deactivated"),
        ("set-password", ["caseworker", "--password", "another long password"], "password changed"),
    ],
)
def test_the_acro_users_commands_end_the_sessions(app, web, runner, command, args, because):
    browser = web("caseworker")
    result = runner.invoke(args=["users", command, *args])
    assert result.exit_code == 0, result.output
    assert signed_out(browser.get("/tasks"))
    with app.app_context():
        assert db.session.scalars(select(models.SignInSession.ended_because)).all() == [because]
