"""The PNC Bureau: checks on the Police National Computer and the wanted/missing marker."""

from __future__ import annotations

from . import correspondence as mail
from .registry import registry

GREETING = "PNC Bureau"
ICD_5079 = "ICD.5079"
ICD_5080 = "ICD.5080"


@registry.topic("pnc-bureau.request-check")
def request_check(data, *, case_store, mailer, settings):
    """Request a PNC check (WF-4) with the subject's identifiers only (FD-1)."""
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "pnc_bureau"),
        greeting=GREETING,
        subject="Request for a PNC check",
        request=(
            "Please carry out a PNC check on the subject below and send us the PNC print, "
            "including any UK convictions and any overseas convictions recorded on the PNC."
        ),
        details=mail.identifiers(case_store),
        kind="PNC check request",
    )


def _send_form(case_store, mailer, documents, settings, *, kind, title, sections, request) -> None:
    """Both marker forms go the same way: a PDF form, attached to an email to the Bureau."""
    form = documents.create(
        kind,
        title,
        [
            ("Form", f"{kind}: {title}"),
            *sections,
            ("Requested by", mail.contact_text(settings)),
            ("Purpose", mail.PURPOSE_SENTENCE),
        ],
    )
    mail.send(
        mailer,
        case_store,
        to=mail.address(settings, "pnc_bureau"),
        greeting=GREETING,
        subject=f"{kind} {title}",
        request=request,
        details=mail.identifiers(case_store),
        attachments=[form],
        kind=kind,
    )


@registry.topic("pnc-bureau.request-marker", wording=("form_reason", "email_request"))
def request_marker(data, *, case_store, mailer, documents, settings, wording):
    """Send form ICD.5079 asking for a wanted/missing marker on the PNC (CW-4, FD-1); the
    reason it gives and what the email asks are the service task's properties.

    NBTC shows the FNO is likely still in the UK but their whereabouts are unknown.
    """
    _send_form(
        case_store,
        mailer,
        documents,
        settings,
        kind=ICD_5079,
        title="Request to add a wanted/missing marker to the PNC",
        sections=[
            ("Subject", mail.details_text(mail.identifiers(case_store, documents=True, last_address=True))),
            ("Marker requested", "Wanted/missing"),
            ("Reason", mail.worded(wording, "form_reason")),
            ("If the person is found", f"Contact Criminal Casework quoting {case_store.reference}."),
        ],
        request=mail.worded(wording, "email_request"),
    )
    case_store.set_marker("requested")
    return {"wanted_marker": True}


@registry.topic("pnc-bureau.remove-marker", wording=("form_reason", "email_request"))
def remove_marker(data, *, case_store, mailer, documents, settings, wording):
    """Send form ICD.5080 asking for the wanted/missing marker to be removed (LOC-1, FD-1); the
    reason and the request are the service task's properties."""
    _send_form(
        case_store,
        mailer,
        documents,
        settings,
        kind=ICD_5080,
        title="Request to remove a wanted/missing marker from the PNC",
        sections=[
            ("Subject", mail.details_text(mail.identifiers(case_store))),
            ("Marker to remove", f"Wanted/missing, added at our request on form {ICD_5079}"),
            ("Reason", mail.worded(wording, "form_reason")),
        ],
        request=mail.worded(wording, "email_request"),
    )
    case_store.set_marker("removal requested")
    return {"wanted_marker": False}
