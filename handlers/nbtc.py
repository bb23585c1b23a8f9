"""The National Border Targeting Centre: has the FNO left the UK?"""

from __future__ import annotations

from . import correspondence as mail
from .registry import registry


@registry.topic("nbtc.request-check")
def request_check(data, *, case_store, mailer, settings):
    """Ask NBTC whether the FNO, whose whereabouts are unknown, has left the UK recently (CW-1, FD-1).

    Travel records are matched on identity documents, so those go with the identifiers.
    """
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "nbtc"),
        greeting="National Border Targeting Centre",
        subject="Request for an NBTC check: has the subject left the UK?",
        request=(
            "The whereabouts of the subject below are not known. Please check whether the subject "
            "has left the UK recently and tell us the date and route of any departure, or that "
            "there is no record of a departure."
        ),
        details=mail.identifiers(case_store, documents=True),
        kind="NBTC check request",
    )
