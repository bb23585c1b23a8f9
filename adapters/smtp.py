"""Sending email over SMTP. One attempt per call: the outbox decides when to try again."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid


class _Policy(EmailPolicy):
    """The standard policy, except that a Message-ID is never folded.

    Ours are longer than a line (a UUID at our domain); folded, they come back from Python's
    parser, and others, with a leading space, and the outbox can no longer match a message
    to its row.
    """

    _UNFOLDED = frozenset({"message-id", "in-reply-to", "references"})

    def fold(self, name, value):
        if name.lower() in self._UNFOLDED:
            return f"{name}: {str(value).strip()}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if name.lower() in self._UNFOLDED:
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


POLICY = _Policy()


def build_message(
    sender: str,
    to: list[str],
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]] = (),
    message_id: str | None = None,
) -> EmailMessage:
    """A plain-text email with files attached as (filename, content, mimetype)."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise ValueError(f"email {subject!r} has no recipients")
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # a stable id lets a resend after a crash be recognised as the same message
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    for filename, content, mimetype in attachments:
        maintype, _, subtype = mimetype.partition("/")
        if not subtype:
            raise ValueError(f"attachment {filename!r}: mimetype {mimetype!r} is not type/subtype")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def check_addressed(message: EmailMessage) -> None:
    """A message goes to someone: refused before any connection otherwise."""
    if not any(message.get_all(header) for header in ("To", "Cc", "Bcc")):
        raise ValueError(f"the message {message['Subject']!r} has no recipient")


class SmtpSender:
    """Hands a message to an SMTP server; raises if the server refuses any recipient."""

    def __init__(
        self,
        host: str,
        port: int,
        timeout: float = 10,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.starttls = starttls
        self.username = username
        self.password = password

    def send(self, message: EmailMessage) -> None:
        check_addressed(message)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as connection:
            if self.starttls:
                connection.starttls(context=ssl.create_default_context())
            if self.username:
                connection.login(self.username, self.password or "")
            refused = connection.send_message(message)
        # smtplib only raises when every recipient is refused; one lost recipient is a failure too
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)
