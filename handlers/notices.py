"""Notices to and about the FNO: the Stage 1 notice and the post-deportation notices."""

from __future__ import annotations

import re
from datetime import timedelta

from . import correspondence as mail
from .registry import registry


def _stage1_sections(case_store, grounds, served, due, days, address, settings) -> list[tuple[str, str]]:
    team = mail.contact(settings)
    return [
        ("To", f"{case_store.subject_name()}\n{mail.shown(address)}"),
        ("Date of this notice", mail.long_date(served)),
        ("Why you are receiving this notice", grounds),
        ("Overseas convictions", mail.convictions_text(case_store.referral())),
        (
            "What you can do",
            "You may tell us any reasons why you should not be deported, with any "
            "evidence you want us to consider. Quote the case reference "
            f"{case_store.reference} and send your reply to Criminal Casework.",
        ),
        (
            "Where to send your reply",
            f"By post to:\n{team['postal_address']}\n\nOr by email to {team['email']}. "
            f"If you have a question about this notice, telephone {team['phone']}.",
        ),
        (
            "Response deadline",
            f"Your reply must reach us by {mail.long_date(due)}: {days} days from "
            f"the date of this notice, {mail.long_date(served)}. If we do not hear "
            "from you by then, a decision will be made on the information we hold.",
        ),
        (
            "How we use this information",
            "Information about your overseas convictions was received "
            "from ACRO and is used only to consider deportation.",
        ),
    ]


_PERIOD = re.compile(r"^P(\d+)([DW])$")


def _period_days(value) -> int:
    """response_period as the decision gives it ("P20D", "P4W"): the timer waits for the same
    value, so the deadline and the notice say what the timer does. Refused unless whole days or
    weeks (months have no fixed number of days to print)."""
    match = _PERIOD.match(str(value or "").strip().upper())
    days = int(match.group(1)) * (7 if match.group(2) == "W" else 1) if match else 0
    if days <= 0:
        raise ValueError(f"response_period must be a period of whole days or weeks such as P20D, not {value!r} (DEP-3)")
    return days


@registry.topic("notices.serve-stage1")
def serve_stage1(data, *, case_store, documents, clock, settings):
    """Serve the Stage 1 notice for the FNO's nationality (DEP-2) with its response period (DEP-3).

    The notice states its purpose (FD-1); the deadline goes on the case so it can be watched.
    It goes to the address the case owner found, or else the last known address ACRO gave,
    and says where to reply.
    """
    # which notice, and the grounds it states, are the stage1_notice_type table's (DEP-2) alone
    notice_type, grounds = data.get("notice_type"), data.get("notice_grounds")
    if not notice_type or not grounds:
        raise ValueError("the Stage 1 notice decision gave no notice_type or notice_grounds (DEP-2)")
    days = _period_days(data.get("response_period"))
    served = clock.now()
    due = served + timedelta(days=days)
    address = data.get("current_address") or case_store.referral().get("last_known_address")
    notice = documents.create(
        notice_type, notice_type, _stage1_sections(case_store, grounds, served, due, days, address, settings)
    )
    case_store.set_deadline("Stage 1 response", due)
    case_store.add_note(
        f"{notice_type} served on {mail.long_date(served)}; response due by {mail.long_date(due)} ({days} days)."
    )
    return {"response_deadline": due.isoformat(), "stage1_document_id": notice["id"]}


@registry.topic("notices.post-deportation")
def post_deportation(data, *, case_store, mailer, clock, settings):
    """Inform the relevant departments once deportation is enforced (DEP-6, FD-1); the end
    event after it records the outcome and closes the case.

    One email per department, so no department learns who else was told.
    """
    recipients = mail.address(settings, "post_deportation")
    recipients = [recipients] if isinstance(recipients, str) else list(recipients)
    for recipient in recipients:
        mail.send(
            mailer,
            case_store,
            to=recipient,
            greeting="colleague",
            subject="Deportation enforced: post-deportation action",
            request=(
                "Deportation of the subject below has been enforced. Please take the "
                "post-deportation action for your records."
            ),
            details=[*mail.identifiers(case_store), ("Deportation reported", mail.long_date(clock.now()))],
            kind="Post-deportation notice",
        )
    case_store.add_note(f"Deportation enforced; {len(recipients)} department(s) informed.")
