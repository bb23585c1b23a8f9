"""ACRO Criminal Records Office: what we ask of it and tell it."""

from __future__ import annotations

from . import correspondence as mail
from .reference import CERTIFICATE_PURPOSE_IMMIGRATION
from .registry import registry

GREETING = "ACRO Criminal Records Office"


@registry.topic("acro.request-immigration-referral")
def request_immigration_referral(data, *, case_store, mailer, settings):
    """Ask ACRO for a new referral for immigration purposes (WF-2), stating the purpose (FD-1).

    The certificate held cannot be the basis of a deportation decision (WF-3), so the
    request names the purpose the new certificate must carry.
    """
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "acro"),
        greeting=GREETING,
        subject="Request for a new ACRO referral for immigration/deportation purposes",
        request=(
            "The ACRO certificate sent with your referral is not marked for administrative "
            "immigration/deportation purposes, so it cannot be used as the basis of a deportation "
            "decision and is being destroyed. No further action can be taken until a disclosable "
            "certificate is obtained.\n\n"
            "Please make a new referral with a certificate whose request purpose states "
            f"'{CERTIFICATE_PURPOSE_IMMIGRATION}'."
        ),
        details=[("Your referral received", mail.referral_date(case_store)), *mail.identifiers(case_store)],
        kind="ACRO immigration referral request",
    )


@registry.topic("acro.request-usable-certificate")
def request_usable_certificate(data, *, case_store, mailer, settings):
    """Ask ACRO for a certificate marked for immigration/deportation (WF-3, DET-1, LOC-3, FD-1):
    the convictions are not (or no longer) confirmed on the PNC and no such certificate is
    held, so the case cannot go on to a Stage 1 notice or a deportation decision without one.
    The certificate held, if any, stays: it was disclosable when checked (WF-1)."""
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "acro"),
        greeting=GREETING,
        subject="Request for a certificate for immigration/deportation purposes",
        request=(
            "The overseas convictions in your referral are not confirmed on the PNC print, and "
            "the certificate we hold is not marked for administrative immigration/deportation "
            "purposes, so no deportation decision can be made on them.\n\n"
            "Please send a certificate whose request purpose states "
            f"'{CERTIFICATE_PURPOSE_IMMIGRATION}'."
        ),
        details=[("Your referral received", mail.referral_date(case_store)), *mail.identifiers(case_store)],
        kind="ACRO immigration certificate request",
    )


@registry.topic("acro.request-further-check")
def request_further_check(data, *, case_store, mailer, settings):
    """Ask ACRO for a further overseas check (LOC-3), stating the purpose (FD-1).

    Only asked where there is evidence the person left the UK and offended overseas since
    the referral; the process gateway decides that.
    """
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "acro"),
        greeting=GREETING,
        subject="Request for a further overseas conviction check",
        request=(
            "There is evidence that the subject may have left the UK and committed further "
            "offences overseas since your referral. Please carry out a further overseas "
            "conviction check and send any new convictions with a certificate whose request "
            f"purpose states '{CERTIFICATE_PURPOSE_IMMIGRATION}'."
        ),
        details=[
            ("Your referral received", mail.referral_date(case_store)),
            *mail.identifiers(case_store, documents=True),
        ],
        kind="ACRO further check request",
    )


@registry.topic("acro.advise-not-pursued")
def advise_not_pursued(data, *, case_store, mailer, settings):
    """Tell ACRO deportation is not being pursued (NP-3); the end event after it closes the case.

    The reasons stay with us: ACRO needs the outcome, not the case owner's reasoning (FD-1).
    """
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "acro"),
        greeting=GREETING,
        subject="Deportation is not being pursued",
        request=(
            "Following consideration of your referral, and with the agreement of the Criminal "
            "Casework Director, deportation action is not being pursued in this case. "
            "No reply is needed."
        ),
        details=[("Your referral received", mail.referral_date(case_store)), *mail.identifiers(case_store)],
        kind="ACRO advice: deportation not pursued",
    )
