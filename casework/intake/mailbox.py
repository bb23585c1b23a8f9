"""Reading referral emails from a Maildir or from single .eml files (``acro intake``).

For each message: its key (the Message-ID, or ``sha256:`` of its bytes when it has none)
decides whether it has been taken in before. A new message that reads as a referral becomes
one through ``submit_referral``, with its certificate filed; the ``received_message`` row
goes in the same transaction as the case, so a message read twice, or by two intakes at
once, makes one referral. Only after that commit does the message leave ``new/`` (for
``cur/``). A message that cannot be read moves to the quarantine Maildir with a
``.reason.txt`` beside it and a row saying why; nothing is dropped.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..models import ReceivedMessage
from ..errors import CaseworkError
from ..permissions import Actor
from .layout import ReferralEmailError, _clean_header, message_key, parse
from .referral import DEFAULT_MAX_ATTACHMENT_BYTES

INTAKE_ACTOR = Actor("acro-intake")
REASON_SUFFIX = ".reason.txt"


class IntakeError(Exception):
    """The path given is not something intake can read (not a Maildir or a file)."""


@dataclass
class Source:
    path: Path
    maildir: Path | None  # the Maildir the message is in, or None for a single file
    folder: str | None  # "new" or "cur"


@dataclass
class Outcome:
    path: Path
    message_id: str
    status: str  # accepted, duplicate, quarantined, failed
    case_reference: str | None = None
    reason: str | None = None


@dataclass
class IntakeReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def ok(self) -> bool:
        return not self.of("failed")


def sources(path: Path) -> list[Source]:
    """The messages under PATH: a Maildir's new/ and cur/ (oldest first), or one file."""
    path = Path(path)
    if path.is_file():
        return [Source(path, None, None)]
    if not path.is_dir():
        raise IntakeError(f"{path} does not exist")
    if not ((path / "new").is_dir() or (path / "cur").is_dir()):
        raise IntakeError(f"{path} is not a Maildir (it has no new/ or cur/ folder) or a file")
    found = []
    for folder in ("new", "cur"):
        directory = path / folder
        if not directory.is_dir():
            continue
        for item in sorted(directory.iterdir(), key=lambda p: p.name):
            # Maildir readers skip dot files; reason files are ours
            if item.name.startswith(".") or item.name.endswith(REASON_SUFFIX) or not item.is_file():
                continue
            found.append(Source(item, path, folder))
    return found


def default_quarantine(path: Path) -> Path:
    """A ``quarantine`` Maildir beside the input (beside the file, for a single file)."""
    path = Path(path).resolve()
    return path.parent / "quarantine"


def _base_name(name: str) -> str:
    """A Maildir file name without its ``:2,FLAGS`` information."""
    return name.split(":2,", 1)[0]


def _mark_read(source: Source) -> Path:
    """Move a message from new/ to cur/ (Maildir: seen); other places stay as they are."""
    if source.maildir is None or source.folder != "new":
        return source.path
    target = source.maildir / "cur" / (_base_name(source.path.name) + ":2,S")
    try:
        target.parent.mkdir(exist_ok=True)
        os.replace(source.path, target)
    except OSError:
        # the referral is committed; the next run finds the message again and only marks it read
        return source.path
    return target


def _write_atomically(path: Path, data: bytes, tmp_dir: Path) -> None:
    tmp = tmp_dir / f".{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def quarantine_file(quarantine: Path, source: Source, data: bytes, reason: str, message_id: str) -> Path:
    """Write the message into the quarantine Maildir's new/ with its reason beside it."""
    for folder in ("tmp", "new", "cur"):
        (quarantine / folder).mkdir(parents=True, exist_ok=True)
    name = _base_name(source.path.name) or "message"
    target = quarantine / "new" / name
    if target.exists() and target.read_bytes() != data:
        target = quarantine / "new" / f"{name}.{hashlib.sha256(data).hexdigest()[:12]}"
    _write_atomically(target, data, quarantine / "tmp")
    text = (f"Message-ID: {message_id}\nRead from: {source.path}\nReason: {reason}\n")
    _write_atomically(target.with_name(target.name + REASON_SUFFIX), text.encode("utf-8"), quarantine / "tmp")
    return target


class Intake:
    """Takes referral emails in through the service layer; one transaction per message."""

    def __init__(self, service, *, quarantine: Path | None = None,
                 max_attachment: int = DEFAULT_MAX_ATTACHMENT_BYTES, actor: Actor = INTAKE_ACTOR):
        self.service = service
        self.session = service.session
        self.quarantine = Path(quarantine) if quarantine else None
        self.max_attachment = max_attachment
        self.actor = actor

    def run(self, path: Path) -> IntakeReport:
        report = IntakeReport()
        quarantine = self.quarantine or default_quarantine(path)
        for source in sources(path):
            report.outcomes.append(self.take(source, quarantine))
        return report

    def _row(self, key: str) -> ReceivedMessage | None:
        return self.session.scalars(select(ReceivedMessage).where(ReceivedMessage.message_id == key)).first()

    def take(self, source: Source, quarantine: Path) -> Outcome:
        """One message: a referral, a duplicate, a quarantined message or a failure to retry."""
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            return Outcome(source.path, "", "failed", reason=f"could not read the file: {exc}")
        key = message_key(data)
        digest = hashlib.sha256(data).hexdigest()
        existing = self._row(key)
        if existing is not None and existing.status == "accepted":
            _mark_read(source)
            reference = existing.case.reference if existing.case is not None else None
            return Outcome(source.path, key, "duplicate", reference)
        try:
            email = parse(data, max_attachment=self.max_attachment)
        except ReferralEmailError as exc:
            return self._quarantine(source, data, key, digest, str(exc), quarantine, existing)
        now = self.service.clock.now()
        row = existing or ReceivedMessage(message_id=key, channel="email", received_at=now, attempts=0)
        row.status, row.reason, row.sha256 = "accepted", None, digest
        row.sender, row.subject = _short(email.sender, 500), _short(email.subject, 1000)
        row.source_path, row.stored_path = str(source.path), None
        row.attempts += 1
        row.updated_at = now
        self.session.add(row)
        try:
            # the row is flushed and committed with the case: one referral per Message-ID
            case = self.service.submit_referral(email.referral, self.actor, certificate=email.certificate, channel="email")
        except IntegrityError:
            self.session.rollback()
            _mark_read(source)
            return Outcome(source.path, key, "duplicate")
        except (CaseworkError, SQLAlchemyError) as exc:
            self.session.rollback()
            return self._failed(source, data, key, digest, f"{type(exc).__name__}: {exc}")
        row = self._row(key)
        row.case_id = case.id
        stored = _mark_read(source)
        row.stored_path = str(stored)
        self.session.commit()
        return Outcome(source.path, key, "accepted", case.reference)

    def _quarantine(self, source, data, key, digest, reason, quarantine, existing) -> Outcome:
        target = quarantine_file(quarantine, source, data, reason, key)
        headers = _headers(data)
        now = self.service.clock.now()
        row = existing or ReceivedMessage(message_id=key, channel="email", received_at=now, attempts=0)
        row.status, row.reason, row.sha256, row.case_id = "quarantined", reason, digest, None
        row.sender, row.subject = headers
        row.source_path, row.stored_path = str(source.path), str(target)
        row.attempts += 1
        row.updated_at = now
        self.session.add(row)
        self.session.commit()
        # the copy and its row are safe: only now does the message leave where it arrived
        if source.path.resolve() != target.resolve():
            source.path.unlink(missing_ok=True)
        return Outcome(source.path, key, "quarantined", reason=reason)

    def _failed(self, source, data, key, digest, reason) -> Outcome:
        """The message is fine but the system could not take it: it stays where it is, for the
        next run, and is listed with the problems."""
        try:
            headers = _headers(data)
            now = self.service.clock.now()
            row = self._row(key) or ReceivedMessage(message_id=key, channel="email", received_at=now, attempts=0)
            row.status, row.reason, row.sha256, row.case_id = "failed", reason, digest, None
            row.sender, row.subject = headers
            row.source_path, row.stored_path = str(source.path), str(source.path)
            row.attempts += 1
            row.updated_at = now
            self.session.add(row)
            self.session.commit()
        except SQLAlchemyError:
            self.session.rollback()
        return Outcome(source.path, key, "failed", reason=reason)


def _short(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else text


def _headers(data: bytes) -> tuple[str | None, str | None]:
    """From and Subject for the problems list, however broken the message."""
    from email import message_from_bytes, policy
    try:
        head = data.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        message = message_from_bytes(head + b"\n\n", policy=policy.compat32)
        return _short(_clean_header(message.get("From")), 500), _short(_clean_header(message.get("Subject")), 1000)
    except Exception:  # noqa: BLE001 - a header we cannot read is shown as absent, never a crash
        return None, None


def problems(session, limit: int = 200) -> list[ReceivedMessage]:
    """Messages the Workflow team must look at: quarantined ones and those that failed."""
    return list(session.scalars(select(ReceivedMessage)
                                .where(ReceivedMessage.status.in_(("quarantined", "failed")))
                                .order_by(ReceivedMessage.updated_at.desc(), ReceivedMessage.id.desc())
                                .limit(limit)))
