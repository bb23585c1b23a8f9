"""Removals Casework: administrative removal where deportation is not pursued."""

from __future__ import annotations

from . import correspondence as mail
from .registry import registry


@registry.topic("removals.refer")
def refer(data, *, case_store, mailer, settings):
    """Refer the case to Removals Casework to consider administrative removal (NP-2, FD-1).

    The CC Director has decided deportation is not to be pursued and the case owner has
    decided a referral is needed (not needed where the person resides lawfully in the UK).
    """
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "removals"),
        greeting="Removals Casework",
        subject="Referral for consideration of administrative removal",
        request=(
            "The Criminal Casework Director has decided that deportation is not to be pursued "
            "for the subject below. Please consider whether the subject should be removed "
            "administratively."
        ),
        purpose=(
            "consideration of administrative removal of a foreign national offender with "
            "overseas convictions referred by ACRO, after a decision not to pursue deportation "
            "(immigration purposes only)"
        ),
        details=[
            *mail.identifiers(case_store, documents=True),
            ("Case owner's reasons for the referral", data.get("removals_reasons")),
            ("Director's comments", data.get("director_comments")),
        ],
        kind="Removals Casework referral",
    )
    case_store.add_note("Case referred to Removals Casework to consider administrative removal.")
