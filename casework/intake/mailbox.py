"""Reading referral emails from a Maildir or from single .eml files (``acro intake``).

For each message: its key (the Message-ID, or ``sha256:`` of its bytes when it has none)
decides whether it has been taken in before. A new message that reads as a referral becomes
one through ``submit_referral``, with its certificate filed; the ``received_message`` row
goes in the same transaction as the case, so a message read twice, or by two intakes at
once, makes one referral. Only after that commit does the message leave ``new/`` (for
``cur/``). A message that cannot be read moves to the quarantine Maildir with a
``.reason.txt`` beside it and a row saying why; nothing is dropped.

No message stops a run: whatever one holds (and whatever goes wrong with it), it ends as a
referral, a duplicate, a quarantined copy with its reason, or a failure left for the next
run, and intake goes on with the next. A message over the size limit is never read into
memory. Intake keeps one copy of each message (the row's ``stored_path``), so that when the
case's certificate is destroyed (WF-2) that copy is the one to delete (``erasure.py``).
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..errors import InvalidAnswers
from ..models import ReceivedMessage
from ..permissions import Actor
from ..referral import DEFAULT_MAX_ATTACHMENT_BYTES, default_max_message
from ..service import AlreadyReceived
from .erasure import REASON_SUFFIX, TAKEN_IN, erase_copies, pending_erasures
from .layout import MAX_HEADER_SECTION, ReferralEmailError, _clean_header, parse
from .message_file import CHUNK, Received, Source, read_message

INTAKE_ACTOR = Actor("acro-intake")
# keys other channels and intake itself make; a Message-ID that looks like one is not taken as a key
RESERVED_KEY_PREFIXES = ("api:", "sha256:", "sha256-id:")


class IntakeError(Exception):
    """The path given is not something intake can read (not a Maildir or a file)."""


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
    erased: int = 0  # copies deleted for certificates destroyed since the last run (WF-2)
    erase_error: str | None = None  # why those deletions could not be finished (tried again next run)

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


def _absolute(path: Path) -> str:
    return str(Path(path).absolute())


def _read_path(source: Source) -> Path:
    """Where a message is kept once read: cur/ for a Maildir's new message, else where it is."""
    if source.maildir is None or source.folder != "new":
        return source.path
    return source.maildir / "cur" / (_base_name(source.path.name) + ":2,S")


def _mark_read(source: Source) -> Path:
    """Move a message from new/ to cur/ (Maildir: seen); other places stay as they are."""
    target = _read_path(source)
    if target == source.path:
        return target
    try:
        target.parent.mkdir(exist_ok=True)
        os.replace(source.path, target)
    except OSError:
        # the referral is committed; the next run finds the message again and only marks it read
        return source.path
    return target


def _copy_atomically(source: Path, target: Path, tmp_dir: Path) -> None:
    tmp = tmp_dir / f".{target.name}.{os.getpid()}.tmp"
    with open(source, "rb") as reader, open(tmp, "wb") as writer:
        shutil.copyfileobj(reader, writer, CHUNK)
        writer.flush()
        os.fsync(writer.fileno())
    os.replace(tmp, target)


def _write_atomically(path: Path, data: bytes, tmp_dir: Path) -> None:
    tmp = tmp_dir / f".{path.name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def quarantine_file(quarantine: Path, source: Source, reason: str, message_id: str) -> Path:
    """Copy the message into the quarantine Maildir's new/ (streamed: it may be huge) with its
    reason beside it."""
    for folder in ("tmp", "new", "cur"):
        (quarantine / folder).mkdir(parents=True, exist_ok=True)
    name = _base_name(source.path.name) or "message"
    target = quarantine / "new" / name
    if (
        target.exists()
        and target.resolve() != source.path.resolve()
        and not filecmp.cmp(target, source.path, shallow=False)
    ):
        digest = hashlib.sha256()
        with open(source.path, "rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        target = quarantine / "new" / f"{name}.{digest.hexdigest()[:12]}"
    if target.resolve() != source.path.resolve():
        try:
            # a second name for the same file: instant and no extra space, however big the message
            tmp = quarantine / "tmp" / f".{target.name}.{os.getpid()}.link"
            tmp.unlink(missing_ok=True)
            os.link(source.path, tmp)
            os.replace(tmp, target)
        except OSError:  # another file system, or one without hard links
            _copy_atomically(source.path, target, quarantine / "tmp")
    text = f"Message-ID: {message_id}\nRead from: {source.path}\nReason: {reason}\n"
    _write_atomically(target.with_name(target.name + REASON_SUFFIX), text.encode("utf-8"), quarantine / "tmp")
    return target


class Intake:
    """Takes referral emails in through the service layer; one transaction per message."""

    def __init__(
        self,
        service,
        *,
        quarantine: Path | None = None,
        max_attachment: int = DEFAULT_MAX_ATTACHMENT_BYTES,
        max_message: int | None = None,
        actor: Actor = INTAKE_ACTOR,
    ):
        self.service = service
        self.session = service.session
        self.quarantine = Path(quarantine) if quarantine else None
        self.max_attachment = max_attachment
        self.max_message = max_message or default_max_message(max_attachment)
        self.actor = actor

    def run(self, path: Path) -> IntakeReport:
        report = IntakeReport()
        quarantine = self.quarantine or default_quarantine(path)
        sources(path)  # a path that is not a Maildir or a file is refused before anything is done
        report.erased, report.erase_error = self.finish_erasures([Path(path), quarantine])
        for source in sources(path):
            report.outcomes.append(self.take(source, quarantine))
        return report

    def finish_erasures(self, folders: list[Path]) -> tuple[int, str | None]:
        """Delete the copies a certificate destruction could not reach from where it ran (a worker
        without this mailbox); this is the machine that wrote them, so what is not here is gone."""
        done = 0
        try:
            for row in pending_erasures(self.session, [_absolute(f) for f in folders]):
                done += erase_copies(row, self.service.clock.now(), here=True)
            self.session.commit()
        except Exception as exc:  # noqa: BLE001 - a sweep that fails is tried again next run; messages still come in
            self.session.rollback()
            return 0, f"{type(exc).__name__}: {str(exc)[:300]}"
        return done, None

    def _row(self, key: str) -> ReceivedMessage | None:
        return self.session.scalars(select(ReceivedMessage).where(ReceivedMessage.message_id == key)).first()

    def take(self, source: Source, quarantine: Path) -> Outcome:
        """One message: a referral, a duplicate, a quarantined message or a failure to retry.
        Never raises: one message, whatever it holds, must not stop the run."""
        received = None
        try:
            received = read_message(source, self.max_message)
            return self._take(received, quarantine)
        except Exception as exc:  # noqa: BLE001 - see the docstring
            self.session.rollback()
            reason = f"{type(exc).__name__}: {str(exc)[:500]}"
            if received is None:
                return Outcome(source.path, "", "failed", reason=f"could not read the file: {reason}")
            return self._failed(received, reason)

    def _take(self, received: Received, quarantine: Path) -> Outcome:
        source, key = received.source, received.key
        existing = self._row(key)
        if existing is not None and (existing.channel != "email" or existing.status in TAKEN_IN):
            if existing.channel == "email" and received.matches(existing.sha256):
                return self._duplicate(received, existing)
            return self._conflict(received, existing, quarantine)
        if received.message_id and received.message_id.startswith(RESERVED_KEY_PREFIXES):
            reason = (
                f"its Message-ID {received.message_id[:80]!r} has the form of a key intake or the API makes "
                "itself, so it cannot identify an email"
            )
            return self._quarantine(received, "sha256:" + received.sha256, reason, quarantine)
        try:
            if received.data is None:
                raise ReferralEmailError(
                    f"the message is {_size(received.size)}, over the "
                    f"{_size(self.max_message)} limit for a referral email"
                )
            email = parse(received.data, max_attachment=self.max_attachment, max_message=self.max_message)
        except ReferralEmailError as exc:
            return self._quarantine(received, key, str(exc), quarantine)
        except RecursionError:
            return self._quarantine(received, key, "the message is nested too deeply to read", quarantine)
        except MemoryError:
            return self._quarantine(received, key, "the message needs too much memory to read", quarantine)
        except Exception as exc:  # noqa: BLE001 - whatever a hostile message does to the parser
            return self._quarantine(
                received, key, f"intake could not read the message ({type(exc).__name__}: {str(exc)[:200]})", quarantine
            )
        previous = existing.stored_path if existing is not None and existing.status == "quarantined" else None
        kept = _absolute(_read_path(source))
        referral = dict(email.referral)
        if email.sent_at is not None and email.sent_at <= self.service.clock.now():
            # the moment ACRO sent it; otherwise the service records the moment it is taken in
            referral["received_at"] = email.sent_at.isoformat()
        try:
            # the service records the message with the case, in one transaction: one referral
            # per Message-ID, and the path of the copy that erasure (WF-2) must find
            case = self.service.submit_referral(
                referral,
                self.actor,
                certificate=email.certificate,
                channel="email",
                message_key=key,
                message={
                    "sender": _short(email.sender, 500),
                    "subject": _short(email.subject, 1000),
                    "sha256": received.content_sha256,
                    "source_path": _absolute(source.path),
                    "stored_path": kept,
                },
            )
        except AlreadyReceived:
            # another intake took this Message-ID in between our look and our insert
            winner = self.session.scalars(select(ReceivedMessage).where(ReceivedMessage.message_id == key)).one()
            if received.matches(winner.sha256):
                return self._duplicate(received, winner)
            return self._conflict(received, winner, quarantine)
        except InvalidAnswers as exc:
            return self._quarantine(
                received,
                key,
                "the referral is not valid: "
                + "; ".join(f"{path}: {' '.join(messages)}" for path, messages in exc.messages.items()),
                quarantine,
            )
        except Exception as exc:  # noqa: BLE001 - the message is fine; the system could not take it now
            self.session.rollback()
            return self._failed(received, f"{type(exc).__name__}: {exc}")
        _mark_read(source)
        if previous and previous != kept:
            # the quarantined copy this message replaces is listed nowhere now: keep one copy only
            _remove_copy(Path(previous))
        return Outcome(source.path, key, "accepted", case.reference)

    def _record(
        self,
        received: Received,
        key: str,
        status: str,
        *,
        sender=None,
        subject=None,
        reason=None,
        stored_path: str | None = None,
        case_id: int | None = None,
    ) -> ReceivedMessage:
        """The one place intake writes its received_message row (accepted, quarantined or failed)."""
        now = self.service.clock.now()
        row = self._row(key) or ReceivedMessage(message_id=key, channel="email", received_at=now, attempts=0)
        row.status, row.reason, row.sha256, row.case_id = status, reason, received.content_sha256, case_id
        row.sender, row.subject = _short(sender, 500), _short(subject, 1000)
        row.source_path, row.stored_path = _absolute(received.source.path), stored_path
        row.attempts += 1
        row.updated_at = now
        self.session.add(row)
        return row

    def _duplicate(self, received: Received, row: ReceivedMessage) -> Outcome:
        """The same message again. Intake keeps one copy of it, so this one goes: from the
        Maildir when the first copy is still there, and wherever it is when the certificate it
        carries was destroyed (WF-2)."""
        source = received.source
        here = _absolute(source.path)
        reference = row.case.reference if row.case is not None else None
        if row.status != "accepted":
            source.path.unlink(missing_ok=True)
            if row.status == "erasing":
                erase_copies(row, self.service.clock.now(), here=True)
                self.session.commit()
            return Outcome(
                source.path,
                row.message_id,
                "duplicate",
                reference,
                reason="its certificate was destroyed (WF-2): this copy was deleted",
            )
        if here == row.stored_path or source.maildir is None:
            return Outcome(source.path, row.message_id, "duplicate", reference)
        if row.stored_path and Path(row.stored_path).exists():
            source.path.unlink(missing_ok=True)
        else:
            # the kept copy has gone (archived, say): this one takes its place
            row.stored_path = _absolute(_mark_read(source))
            self.session.commit()
        return Outcome(source.path, row.message_id, "duplicate", reference)

    def _conflict(self, received: Received, row: ReceivedMessage, quarantine: Path) -> Outcome:
        """Same Message-ID, different message: never taken for the one already in, never dropped."""
        if row.channel != "email":
            why = "is already the key of a referral sent through the API"
        else:
            why = (
                "was taken in before"
                + (f" as {row.case.reference}" if row.case is not None else "")
                + " with different content"
            )
        reason = f"its Message-ID {row.message_id[:120]} {why}: compare the two; this one has not been taken in"
        return self._quarantine(received, "sha256:" + received.sha256, reason, quarantine)

    def _quarantine(self, received: Received, key: str, reason: str, quarantine: Path) -> Outcome:
        source = received.source
        existing = self._row(key)
        previous = existing.stored_path if existing is not None and existing.status == "quarantined" else None
        target = quarantine_file(quarantine, source, reason, key)
        sender, subject = _headers(received.head)
        self._record(
            received, key, "quarantined", sender=sender, subject=subject, reason=reason, stored_path=_absolute(target)
        )
        self.session.commit()
        # the copy and its row are safe: only now does the message leave where it arrived
        if source.path.resolve() != target.resolve():
            source.path.unlink(missing_ok=True)
        if previous and previous != _absolute(target):
            _remove_copy(Path(previous))  # an earlier quarantined version of the same message
        return Outcome(source.path, key, "quarantined", reason=reason)

    def _failed(self, received: Received, reason: str) -> Outcome:
        """The message is fine but the system could not take it: it stays where it is, for the
        next run, and is listed with the problems."""
        try:
            key = received.key
            existing = self._row(key)
            if existing is not None and (existing.channel != "email" or existing.status in TAKEN_IN):
                key = "sha256:" + received.sha256  # never overwrite the row of a message taken in
            sender, subject = _headers(received.head)
            self._record(
                received,
                key,
                "failed",
                sender=sender,
                subject=subject,
                reason=reason,
                stored_path=_absolute(received.source.path),
            )
            self.session.commit()
        except Exception:  # noqa: BLE001 - the database may be what failed; the message stays for the next run
            self.session.rollback()
        return Outcome(received.source.path, received.key, "failed", reason=reason)


def _remove_copy(path: Path) -> None:
    for item in (path, path.with_name(path.name + REASON_SUFFIX)):
        try:
            item.unlink(missing_ok=True)
        except OSError:
            pass  # a copy we could not remove is still listed nowhere; never a reason to fail a message


def _short(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else text


def _size(count: int) -> str:
    return f"{count / 1048576:.1f} MB"


def _headers(head: bytes) -> tuple[str | None, str | None]:
    """From and Subject for the problems list, however broken the message."""
    from email import message_from_bytes, policy

    try:
        message = message_from_bytes(head[:MAX_HEADER_SECTION] + b"\n", policy=policy.compat32)
        return _short(_clean_header(message.get("From")), 500), _short(_clean_header(message.get("Subject")), 1000)
    except Exception:  # noqa: BLE001 - a header we cannot read is shown as absent, never a crash
        return None, None


def problems(session, limit: int = 200) -> list[ReceivedMessage]:
    """Messages the Workflow team must look at: quarantined ones and those that failed."""
    return list(
        session.scalars(
            select(ReceivedMessage)
            .where(ReceivedMessage.status.in_(("quarantined", "failed")))
            .order_by(ReceivedMessage.updated_at.desc(), ReceivedMessage.id.desc())
            .limit(limit)
        )
    )
