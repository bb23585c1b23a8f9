"""The "intake problems" page: the CC Workflow team sees every message intake could not take
in, with why and where it is; nobody else does."""

import shutil
from pathlib import Path

import pytest
from werkzeug.security import generate_password_hash

from casework.intake.mailbox import Intake
from casework.models import User
from tests.web.pages import Client
from webapp.bootstrap import casework
from webapp.db import db

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture
def people(app):
    with app.app_context():
        for username, role in (("wendy", "workflow"), ("carl", "caseworker"), ("alex", "admin")):
            db.session.add(
                User(
                    username=username,
                    full_name=username.title(),
                    roles=[role],
                    password_hash=generate_password_hash(f"{username}-password", method="pbkdf2:sha256:1000"),
                )
            )
        db.session.commit()


def signed_in(app, username):
    return Client(app.test_client()).sign_in(username, f"{username}-password")


def test_the_workflow_team_sees_each_quarantined_message_with_its_reason(app, people, tmp_path):
    inbox = tmp_path / "acro"
    for folder in ("new", "cur", "tmp"):
        (inbox / folder).mkdir(parents=True)
    for name in ("bad-unknown-label.eml", "bad-html-only.eml", "good-plain-utf8.eml"):
        shutil.copy(CORPUS / name, inbox / "new" / name)
    with app.app_context():
        Intake(casework()).run(inbox)

    page = signed_in(app, "wendy").get("/intake/problems")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 messages to look at" in html
    assert "&#39;Date of brith&#39; is not a field of SUBJECT" in html
    assert "the email has no plain-text body (only HTML)" in html
    assert str(tmp_path / "quarantine" / "new" / "bad-html-only.eml") in html
    assert "good-plain-utf8" not in html
    assert signed_in(app, "alex").get("/intake/problems").status_code == 200


def test_the_page_is_for_the_workflow_team_only(app, people):
    assert signed_in(app, "carl").get("/intake/problems").status_code == 403
    response = app.test_client().get("/intake/problems")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_with_no_problems_the_page_says_so(app, people):
    html = signed_in(app, "wendy").get("/intake/problems").get_data(as_text=True)
    assert "No problems" in html
