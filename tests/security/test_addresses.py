"""Issue 12.3: the investigating officer's email is exactly one valid address on every
channel, and the outbox never sends to an address the case did not give."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.errors import InvalidAnswers
from casework.intake.layout import render
from casework.intake.mailbox import Intake
from casework.models import Case, Email, ReceivedMessage
from casework.outbox import OutboxMailer
from tests.intake.make_corpus import certificate, referral
from tests.people import INTAKE
from tests.referrals import api_body, persona
from tests.web.pages import TO_STAGE1, text
from webapp.bootstrap import casework
from webapp.db import db

TWO = "jane.smith@kent.police.example, someone@else.example"
MESSAGE = "Enter one email address for the officer, in the form name@example.com"


@pytest.mark.parametrize(
    "address",
    [
        TWO,
        "Jane Smith <jane.smith@kent.police.example>",
        "jane.smith@",
        "jane smith@kent.police.example",
        "jane.smith@kent.police.example;x@y.example",
    ],
)
def test_the_service_refuses_anything_but_one_address(app, address):
    data = persona()
    data["referral"]["officer"]["email"] = address
    with app.app_context():
        with pytest.raises(InvalidAnswers) as refused:
            casework().submit_referral(data["referral"], INTAKE, certificate=data["certificate"])
        assert refused.value.messages == {"officer.email": [MESSAGE]}
        assert db.session.scalars(select(Case)).all() == []


def test_the_web_form_refuses_two_addresses(web):
    response = web("workflow").post("/referrals/new", {"given_names": "Omar", "officer_email": TWO, "action": "submit"})
    assert response.status_code == 400 and MESSAGE in text(response).replace("&#39;", "'")


def test_the_api_refuses_two_addresses(api):
    body = api_body()
    body["referral"]["officer"]["email"] = TWO
    response = api.post("/referrals", body)
    assert response.status_code == 422
    assert response.get_json()["errors"]["referral.officer.email"] == [MESSAGE]


def test_an_email_referral_with_two_addresses_is_quarantined_not_taken_in(app, tmp_path):
    data = {"referral": referral(), "certificate": certificate()}
    data["referral"]["officer"]["email"] = TWO
    inbox = tmp_path / "inbox"
    for folder in ("new", "cur", "tmp"):
        (inbox / folder).mkdir(parents=True)
    (inbox / "new" / "two").write_bytes(
        bytes(render(data["referral"], data["certificate"], message_id="<two@acro.police.example>"))
    )
    with app.app_context():
        [outcome] = Intake(casework()).run(inbox).outcomes
        assert outcome.status == "quarantined" and MESSAGE in outcome.reason
        assert db.session.scalars(select(Case)).all() == []
        row = db.session.scalars(select(ReceivedMessage)).one()
        assert row.status == "quarantined"


def test_the_police_notification_goes_only_to_the_referral_s_officer(app, make_case):
    reference = make_case(TO_STAGE1)  # the police are contacted after detention is considered (LOC-2)
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        officer = case.referral["officer"]["email"]
        notifications = [
            e.recipients
            for e in db.session.scalars(select(Email).where(Email.case_id == case.id))
            if officer in e.recipients
        ]
        assert notifications == [[officer]]


def test_the_outbox_refuses_an_address_neither_the_case_nor_the_configuration_gave(app, make_case):
    reference = make_case()
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        before = db.session.scalars(select(Email)).all()
        mailer = OutboxMailer(
            db.session, case, app.extensions["acro"]["clock"], "system", addresses=app.config["ACRO_SETTINGS"].addresses
        )
        with pytest.raises(ValueError, match="neither the case nor the configured parties"):
            mailer.send("someone@else.example", "Subject", "Body about the subject")
        assert db.session.scalars(select(Email)).all() == before
