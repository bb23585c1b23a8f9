"""Issue 12.11: the web form, the API and email intake validate a referral by one schema: the
same input is refused the same way, and every channel's referral knows when it was received."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select

from casework.intake.layout import render
from casework.intake.mailbox import Intake
from casework.models import Case, Email
from tests.intake.make_corpus import certificate, referral
from tests.referrals import api_body
from tests.web.pages import CERTIFICATE_NOT_OK, text
from webapp.bootstrap import casework
from webapp.db import db

REFUSALS = [
    ({"date_of_birth": "2099-01-01"}, "subject.date_of_birth", "Date of birth must be in the past"),
    ({"pnc_id": "not a pnc id"}, "subject.pnc_id", "Enter the PNC ID in the form 12/345678A"),
    ({"family_name": "Nowak\x1b\x07"}, "subject.family_name", "Family name must not contain control characters"),
]


@pytest.mark.parametrize("change, path, message", REFUSALS)
def test_the_api_refuses_what_the_form_refuses(api, change, path, message):
    body = api_body()
    body["referral"]["subject"].update(change)
    response = api.post("/referrals", body)
    assert response.status_code == 422
    assert response.get_json()["errors"][f"referral.{path}"] == [message]


@pytest.mark.parametrize("change, path, message", REFUSALS)
def test_the_web_form_refuses_the_same_with_the_same_words(web, app, change, path, message):
    form = {"family_name": "Nowak", "given_names": "Anna", "action": "submit"}
    if "date_of_birth" in change:
        form.update({"dob-day": "1", "dob-month": "1", "dob-year": "2099"})
    else:
        form.update(change)
    response = web("workflow").post("/referrals/new", form)
    assert response.status_code == 400 and message in text(response).replace("&#39;", "'")
    with app.app_context():
        assert db.session.scalars(select(Case)).all() == []


@pytest.mark.parametrize("change, path, message", REFUSALS[:2])
def test_email_intake_quarantines_the_same_with_the_same_words(app, tmp_path, change, path, message):
    data = {"referral": referral(), "certificate": certificate()}
    data["referral"]["subject"].update(change)
    inbox = tmp_path / "inbox"
    for folder in ("new", "cur", "tmp"):
        (inbox / folder).mkdir(parents=True)
    (inbox / "new" / "m").write_bytes(
        bytes(render(data["referral"], data["certificate"], message_id="<refused@acro.police.example>"))
    )
    with app.app_context():
        [outcome] = Intake(casework()).run(inbox).outcomes
        assert outcome.status == "quarantined" and message in outcome.reason
        assert db.session.scalars(select(Case)).all() == []


def _acknowledgement(app, reference):
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.referral["received_at"], "the referral does not say when it was received"
        bodies = [
            e.body
            for e in db.session.scalars(select(Email).where(Email.case_id == case.id))
            if "Your referral received" in e.body
        ]
    assert bodies, "no email tells ACRO when its referral was received"
    assert all("Not provided" not in b.split("Your referral received", 1)[1].splitlines()[0] for b in bodies)


def test_an_api_referral_says_when_it_was_received(app, api):
    created = api.post("/referrals", api_body())
    assert created.status_code == 201
    reference = created.get_json()["reference"]
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.referral["received_at"] == app.extensions["acro"]["clock"].now().isoformat()


def test_an_email_referral_says_when_it_was_received_by_its_date_header(app, tmp_path):
    from datetime import datetime

    # a certificate for criminal proceedings, so the check below finds it cannot be used (WF-3)
    data = {"referral": referral(), "certificate": {**certificate(), "request_purpose": "Criminal proceedings"}}
    inbox = tmp_path / "inbox"
    for folder in ("new", "cur", "tmp"):
        (inbox / folder).mkdir(parents=True)
    sent = datetime(2026, 1, 2, 10, 15, tzinfo=UTC)
    (inbox / "new" / "m").write_bytes(
        bytes(render(data["referral"], data["certificate"], date=sent, message_id="<dated@acro.police.example>"))
    )
    with app.app_context():
        [outcome] = Intake(casework()).run(inbox).outcomes
        assert outcome.status == "accepted"
        case = db.session.scalars(select(Case)).one()
        assert case.referral["received_at"] == sent.isoformat()
        reference = case.reference
    # the certificate cannot be used: ACRO is asked for another, and told when its referral was received
    from tests.people import actor_of_role
    from tests.web.pages import task_id

    with app.app_context():
        casework().complete_task(
            reference, task_id(app, reference, "check_certificate"), CERTIFICATE_NOT_OK[2], actor_of_role("workflow")
        )
    _acknowledgement(app, reference)


@pytest.mark.parametrize("value", [True, 7, ["Smith"], {"x": 1}])
def test_a_name_that_is_not_text_is_refused_not_a_server_error(value):
    from marshmallow import ValidationError

    from casework.referral import load

    with pytest.raises(ValidationError) as refused:
        load({"subject": {"family_name": value}})
    assert "family_name" in refused.value.messages["subject"]
