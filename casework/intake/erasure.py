"""Deleting a referral email once its case's certificate is destroyed (WF-2).

The email carried the certificate (as its PDF attachment, and its summary in the body), so
the copy intake kept of it (the Maildir's ``cur/`` file, or a quarantine copy and its
``.reason.txt``) goes with the certificate. The ``received_message`` row stays, as the fact
that the message came and was taken in (its Message-ID and digest still recognise a second
delivery, which is then deleted on sight), but with nothing that leads to a readable copy.

The destruction may run where the mailbox is not mounted (a worker on another machine): a
copy it cannot reach leaves the row ``erasing``, and the next ``acro intake`` of that mailbox
deletes it. This module imports no service code, so the case store can call it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select

from ..models import ReceivedMessage
from .message_file import Source, read_message

REASON_SUFFIX = ".reason.txt"
TAKEN_IN = ReceivedMessage.TAKEN_IN
ERASED_NOTE = "The case's certificate was destroyed (WF-2); this email and the copies intake kept of it were deleted."


def erase_referral_emails(session, case_id: int, now: datetime) -> int:
    """Delete the referral emails a case came in by; the rows keep only the fact. Returns the
    number of files deleted."""
    rows = session.scalars(
        select(ReceivedMessage).where(
            ReceivedMessage.case_id == case_id,
            ReceivedMessage.channel == "email",
            ReceivedMessage.status.in_(("accepted", "erasing")),
        )
    )
    return sum(erase_copies(row, now) for row in rows)


def pending_erasures(session, folders: list[str]) -> list[ReceivedMessage]:
    """Rows whose copies under one of these folders are still to be deleted."""
    under = [ReceivedMessage.stored_path.startswith(folder.rstrip("/") + "/") for folder in folders]
    return list(session.scalars(select(ReceivedMessage).where(ReceivedMessage.status == "erasing", or_(*under))))


def erase_copies(row: ReceivedMessage, now: datetime, *, here: bool = False) -> int:
    """Delete the row's copies. ``here`` is true on the machine that wrote them, where a folder
    that is not there means the copy is gone; elsewhere it means the copy could not be reached."""
    deleted, unreachable = 0, False
    # the copy intake kept; where the message was first found it is no longer (it was moved from
    # there), so whatever has that name now is another message
    kept = Path(row.stored_path) if row.stored_path else None
    if kept is not None and kept.exists():
        if read_message(Source(kept, None, None), max_message=0).matches(row.sha256):
            for path in (kept, kept.with_name(kept.name + REASON_SUFFIX)):
                if path.exists():
                    path.unlink()
                    deleted += 1
    elif kept is not None and not here and not kept.parent.is_dir():
        unreachable = True
    row.updated_at = now
    if unreachable:
        row.status = "erasing"
        return deleted
    row.status, row.reason = "erased", ERASED_NOTE
    row.stored_path = row.source_path = row.sender = row.subject = None
    return deleted
