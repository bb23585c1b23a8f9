"""The mailer's contract, on the fake and on the outbox (OutboxMailer)."""

from __future__ import annotations

import pytest

from casework.ports import Mailer
from tests.fakes import make_settings

OFFICER = "jane.smith@kent.police.example"


def test_it_is_a_mailer(cases, referral):
    assert isinstance(cases.mailer(referral()), Mailer)


def test_an_email_to_a_party_or_the_referral_s_officer_is_written(cases, referral):
    mailer = cases.mailer(referral())
    mailer.send(OFFICER, "Interest", "Body", kind="Police notification of interest")
    mailer.send([make_settings()["addresses"]["pnc_bureau"]], "Marker", "Body", kind="ICD.5079")
    assert cases.sent(mailer) == [
        {"to": [OFFICER], "subject": "Interest", "kind": "Police notification of interest"},
        {"to": ["pnc-bureau@police.example"], "subject": "Marker", "kind": "ICD.5079"},
    ]


@pytest.mark.parametrize(
    "to",
    [
        [],
        "",
        "not an address",
        [OFFICER, 5],
        # a list in one string, or a display name: the police notification went to both of these once
        f"{OFFICER}, someone@else.example",
        f"Jane <{OFFICER}>",
        # an address neither the case nor the configuration gave
        "someone@else.example",
    ],
)
def test_an_email_to_no_or_an_unknown_address_is_refused_and_nothing_is_written(cases, referral, to):
    mailer = cases.mailer(referral())
    with pytest.raises(ValueError):
        mailer.send(to, "Interest", "Body", kind="Police notification of interest")
    assert cases.sent(mailer) == []


def test_an_officer_address_the_referral_does_not_give_is_refused(cases, referral):
    mailer = cases.mailer(referral(officer={"name": "DC X", "force": "Kent", "email": None, "phone": None}))
    with pytest.raises(ValueError):
        mailer.send(OFFICER, "Interest", "Body")
