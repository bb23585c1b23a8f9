"""Emails go into the outbox in the step's transaction and are sent after it commits, so a
failed step sends nothing and a sent email is never lost by a rollback."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import or_, select, update

from adapters.smtp import build_message

from . import dpa, incidents
from .models import Case, Document, Email
from .referral import one_address


def check_recipients(subject: str, to, allowed) -> list[str]:
    """The recipients as a list, each one address the case or the configuration gave: an email
    about a subject never goes to an address nobody gave us for it."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients or not all(isinstance(r, str) and one_address(r) for r in recipients):
        raise ValueError(f"email {subject!r} has no valid recipient: {recipients!r}")
    unknown = [r for r in recipients if r.lower() not in allowed]
    if unknown:
        raise ValueError(
            f"email {subject!r} would go to {', '.join(unknown)}, which neither the case "
            f"nor the configured parties' addresses give"
        )
    return recipients


def allowed_recipients(case: Case, addresses: dict) -> frozenset[str]:
    """The configured parties' addresses and the officer's address the referral gives."""
    allowed = set()
    for value in addresses.values():
        allowed.update(value if isinstance(value, list) else [value])
    officer = (case.referral or {}).get("officer") or {}
    if isinstance(officer.get("email"), str):
        allowed.add(officer["email"])
    return frozenset(a.strip().lower() for a in allowed if a)


class OutboxMailer:
    """The ``mailer`` handlers see."""

    def __init__(
        self,
        session,
        case: Case,
        clock,
        triggered_by: str = "system",
        domain: str = "acro-casework.homeoffice.example",
        addresses: dict | None = None,
    ):
        self.session = session
        self.case = case
        self.clock = clock
        self.triggered_by = triggered_by
        self.domain = domain
        self.allowed = allowed_recipients(case, addresses or {})
        self.written = 0

    def send(self, to, subject: str, body: str, attachments=(), kind: str = "") -> None:
        recipients = check_recipients(subject, to, self.allowed)
        dpa.log(
            self.session,
            self.case,
            self.triggered_by,
            "disclose",
            kind or subject,
            self.clock.now(),
            {"recipients": recipients, "subject": subject, "documents": [a["id"] for a in attachments]},
        )
        self.written += 1
        self.session.add(
            Email(
                case_id=self.case.id,
                kind=kind or subject,
                triggered_by=self.triggered_by,
                recipients=recipients,
                subject=subject,
                body=body,
                document_ids=[a["id"] for a in attachments],
                message_id=f"<{uuid.uuid4()}@{self.domain}>",
                created_at=self.clock.now(),
            )
        )


def dispatch(
    session,
    sender,
    from_address: str,
    clock,
    limit: int = 100,
    max_attempts: int = 6,
    lease: timedelta = timedelta(minutes=5),
) -> tuple[int, int]:
    """Send the emails that are due; return (sent, failed).

    Each email is claimed (``sending_since``, committed) before it is sent and marked sent
    straight after, so two workers never send the same email, and a worker that dies in
    between leaves a claim that expires after ``lease``. An email can be sent twice only if
    the worker dies in the instant between the relay accepting it and the commit; it then
    goes again with the same Message-ID, by which relays and mail clients drop duplicates.
    """
    sent = failed = 0
    now = clock.now()
    _take_back_lapsed_claims(session, now, lease, max_attempts)
    candidates = session.scalars(
        select(Email.id)
        .where(
            Email.sent_at.is_(None),
            or_(Email.next_attempt_at.is_(None), Email.next_attempt_at <= now),
            Email.attempts < max_attempts,
            or_(Email.sending_since.is_(None), Email.sending_since < now - lease),
        )
        .order_by(Email.id)
        .limit(limit)
    ).all()
    session.commit()
    for email_id in candidates:
        claimed = session.execute(
            update(Email)
            .where(
                Email.id == email_id,
                Email.sent_at.is_(None),
                or_(Email.sending_since.is_(None), Email.sending_since < now - lease),
            )
            .values(sending_since=clock.now(), attempts=Email.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if claimed.rowcount != 1:
            continue  # another worker has it
        email = session.get(Email, email_id)
        session.refresh(email)
        attachments = []
        for document_id in email.document_ids:
            document = session.get(Document, document_id)
            if document is not None:
                attachments.append((document.filename, Path(document.path).read_bytes(), "application/pdf"))
        message = build_message(
            from_address, email.recipients, email.subject, email.body, attachments, message_id=email.message_id
        )
        try:
            sender.send(message)
        except Exception as exc:  # a refusal, an outage, a timeout: keep the email, say why
            email.sending_since = None
            incidents.record_email_failure(session, email, f"{type(exc).__name__}: {exc}", clock.now(), max_attempts)
            failed += 1
        else:
            email.sent_at = clock.now()
            email.sending_since = None
            email.last_error = None
            incidents.resolve_for_email(session, email, clock.now())
            sent += 1
        session.commit()
    return sent, failed


LAPSED = "the worker sending it stopped before it was marked sent (its claim lapsed)"


def _take_back_lapsed_claims(session, now, lease: timedelta, max_attempts: int) -> None:
    """An email whose worker died after claiming it: the claim counted as an attempt, so it is
    recorded as a failed one, with an incident, and sent again at once; after the last attempt
    it waits for an operator. Without this an email whose workers died on its last attempts
    would stay unsent with nobody told."""
    lapsed = session.scalars(
        select(Email.id).where(Email.sent_at.is_(None), Email.sending_since < now - lease).order_by(Email.id)
    ).all()
    session.commit()
    for email_id in lapsed:
        # one worker takes each back: the others find the claim already gone
        taken = session.execute(
            update(Email)
            .where(Email.id == email_id, Email.sent_at.is_(None), Email.sending_since < now - lease)
            .values(sending_since=None)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            email = session.get(Email, email_id)
            session.refresh(email)
            incidents.record_email_failure(session, email, LAPSED, now, max_attempts)
            if email.next_attempt_at is not None:
                # the lease was the wait: it goes again now, and the incident closes when it does
                email.next_attempt_at = now
        session.commit()
