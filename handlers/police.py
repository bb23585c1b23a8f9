"""The police officer who asked ACRO for the overseas check."""

from __future__ import annotations

from . import correspondence as mail
from .registry import registry

REQUEST = (
    "Criminal Casework is considering deportation action against the subject below, following "
    "the overseas conviction check you requested through ACRO. Please tell us:\n"
    "1. any information you hold that is relevant to deportation action, including anything that "
    "would help to re-document the subject (passport, identity or travel documents);\n"
    "2. whether the subject faces any pending prosecution in the UK, the nature of the charges, "
    "and whether you intend to proceed with the prosecution;\n"
    "3. any other outstanding UK law-enforcement activity concerning the subject.\n"
    "Where the UK offences are not serious and deportation can be effected quickly, please also "
    "tell us whether you would object to deportation action being pursued."
)


@registry.topic("police.notify-interest")
def notify_interest(data, *, case_store, mailer):
    """Tell the investigating officer of CC's interest and ask what they hold (LOC-4, LOC-5, FD-1).

    The officer's address comes only from the referral: without one, the case owner is told
    to telephone; an address is never guessed.
    """
    referral = case_store.referral()
    officer = referral.get("officer") or {}
    who = f"{officer.get('name') or 'the requesting officer'} ({officer.get('force') or 'force not stated'})"
    if not officer.get("email"):
        phone = (
            f"by phone on {officer['phone']}"
            if officer.get("phone")
            else "by phone; no phone number is in the referral either, so find it through the force"
        )
        case_store.add_note(
            f"No email address for the police officer in the referral: contact {who} {phone}, "
            "tell them of CC's interest and ask for information relevant to deportation, "
            "including re-documentation and any pending prosecution."
        )
        return
    mail.send(
        mailer,
        case_store,
        to=officer["email"],
        greeting=officer.get("name") or "Officer",
        subject="Criminal Casework interest in the subject of your ACRO check",
        request=REQUEST,
        details=[
            *mail.identifiers(case_store),
            ("Reason for your request to ACRO", mail.shown(referral.get("request_reason"))),
        ],
        kind="Police notification of interest",
    )
    case_store.add_note(
        f"Police officer {who} told of CC's interest by email and asked for information relevant to deportation."
    )
