"""Emails go into the outbox in the step's transaction and are sent after it commits, so a
failed step sends nothing and a sent email is never lost by a rollback."""
from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import select

from adapters.smtp import build_message

from .models import Case, Document, Email


class OutboxMailer:
    """The ``mailer`` handlers see."""

    def __init__(self, session, case: Case, clock, triggered_by: str = "system",
                 domain: str = "acro-casework.homeoffice.example"):
        self.session = session
        self.case = case
        self.clock = clock
        self.triggered_by = triggered_by
        self.domain = domain

    def send(self, to, subject: str, body: str, attachments=(), kind: str = "") -> None:
        recipients = [to] if isinstance(to, str) else list(to)
        if not recipients or not all(isinstance(r, str) and "@" in r for r in recipients):
            raise ValueError(f"email {subject!r} has no valid recipient: {recipients!r}")
        self.session.add(Email(
            case_id=self.case.id, kind=kind or subject, triggered_by=self.triggered_by,
            recipients=recipients, subject=subject,
            body=body, document_ids=[a["id"] for a in attachments],
            message_id=f"<{uuid.uuid4()}@{self.domain}>", created_at=self.clock.now()))


def dispatch(session, sender, from_address: str, clock, limit: int = 100) -> tuple[int, int]:
    """Send unsent emails; return (sent, failed). Each is committed on its own."""
    sent = failed = 0
    pending = session.scalars(select(Email).where(Email.sent_at.is_(None)).order_by(Email.id).limit(limit)).all()
    for email in pending:
        attachments = []
        for document_id in email.document_ids:
            document = session.get(Document, document_id)
            if document is not None:
                attachments.append((document.filename, Path(document.path).read_bytes(), "application/pdf"))
        message = build_message(from_address, email.recipients, email.subject, email.body,
                                attachments, message_id=email.message_id)
        email.attempts += 1
        try:
            sender.send(message)
        except Exception as exc:  # an SMTP refusal or outage: keep the email, say why
            email.last_error = f"{type(exc).__name__}: {exc}"
            failed += 1
        else:
            email.sent_at = clock.now()
            email.last_error = None
            sent += 1
        session.commit()
    return sent, failed
