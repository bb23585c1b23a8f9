"""Database tables, as plain SQLAlchemy 2 mapped classes on ``Base``: the service layer, the
worker, scenarios and benchmarks use them on a bare session; the web app gives the same
``Base`` to Flask-SQLAlchemy (webapp/db.py)."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from . import append_only, sealing, search_indexes


class Base(DeclarativeBase):
    pass


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on every database (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CompressedJSON(TypeDecorator):
    """JSON kept zlib-compressed: a workflow's state is mostly the same keys over and over, and
    compressed it takes about a fifth of the bytes (issue 14; docs/benchmarks.md)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return zlib.compress(json.dumps(value, separators=(",", ":")).encode("utf-8"), 6)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return json.loads(zlib.decompress(value))


class ProcessVersion(Base):
    """One version of the diagrams and tables, stored once, named by its content hash."""

    __tablename__ = "process_version"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    main_process: Mapped[str] = mapped_column(String(100))
    files: Mapped[dict] = mapped_column(JSON, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Subject(Base):
    """The person referred. One subject however many times they are referred."""

    __tablename__ = "subject"
    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str | None] = mapped_column(String(200))
    given_names: Mapped[str | None] = mapped_column(String(200))
    date_of_birth: Mapped[str | None] = mapped_column(String(10))
    nationality: Mapped[str | None] = mapped_column(String(100))
    pnc_id: Mapped[str | None] = mapped_column(String(40), index=True)
    identity_documents: Mapped[list] = mapped_column(JSON, default=list)
    search_key: Mapped[str | None] = mapped_column(String(300), index=True)
    aliases: Mapped[list[Alias]] = relationship(back_populates="subject", cascade="all, delete-orphan")
    convictions: Mapped[list[Conviction]] = relationship(back_populates="subject", cascade="all, delete-orphan")


class Alias(Base):
    __tablename__ = "alias"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    search_key: Mapped[str] = mapped_column(String(300), index=True)
    subject: Mapped[Subject] = relationship(back_populates="aliases")


class Conviction(Base):
    __tablename__ = "conviction"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), index=True)
    country: Mapped[str | None] = mapped_column(String(100))
    offence: Mapped[str | None] = mapped_column(Text)
    date: Mapped[str | None] = mapped_column(String(10))
    sentence: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"))
    subject: Mapped[Subject] = relationship(back_populates="convictions")


class Case(Base):
    """One ACRO referral being worked, with its workflow's state."""

    __tablename__ = "case_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)
    referral: Mapped[dict] = mapped_column(JSON)
    # what a search looks in, kept from the referral so that a search is one SQL query
    search_names: Mapped[str] = mapped_column(Text, default="", server_default="")
    referred_pnc_id: Mapped[str | None] = mapped_column(String(40), index=True)
    referred_date_of_birth: Mapped[str | None] = mapped_column(String(10), index=True)
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    stage: Mapped[str | None] = mapped_column(String(200), index=True)
    outcome: Mapped[str | None] = mapped_column(String(300))
    team: Mapped[str | None] = mapped_column(String(100))
    case_owner: Mapped[str | None] = mapped_column(String(100))
    marker_status: Mapped[str | None] = mapped_column(String(40))
    custody_status: Mapped[str | None] = mapped_column(String(40))
    detention_power: Mapped[str | None] = mapped_column(String(200))
    paper_file_reference: Mapped[str | None] = mapped_column(String(40))
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    # the messages the case waits for, kept at each step so that no page restores a workflow to say
    # it (None on a case from before this column, until its next step)
    waiting_for: Mapped[list | None] = mapped_column(JSON, default=list)
    # read only when the case's workflow is loaded, never by lists and searches
    instance_state: Mapped[dict] = mapped_column(CompressedJSON, deferred=True)
    # set while service tasks wait for the background worker; a sweep re-queues stale ones
    pending_since: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # so that a step asks for its incidents only when there are some
    open_step_incidents: Mapped[int] = mapped_column(default=0, server_default="0")
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    subject: Mapped[Subject | None] = relationship()
    process_version: Mapped[ProcessVersion] = relationship()
    __mapper_args__ = {"version_id_col": revision}


class Certificate(Base):
    """An ACRO certificate. Its text and PDF are kept sealed with a key of its own
    (casework/sealing.py); destroying it (WF-2) deletes the key and the sealed bytes, and the
    row keeps the fact."""

    __tablename__ = "certificate"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    request_purpose: Mapped[str | None] = mapped_column(Text)
    sealed_content: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_file: Mapped[bytes | None] = mapped_column(LargeBinary)
    filename: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="held")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    key: Mapped[CertificateKey | None] = relationship(cascade="all, delete-orphan", passive_deletes=True)

    def _seal(self, plain: bytes | None) -> bytes | None:
        if plain is None:
            return None
        if self.key is None:
            self.key = CertificateKey(key=sealing.new_key())
        return sealing.seal(self.key.key, plain)

    def _unseal(self, sealed: bytes | None) -> bytes | None:
        if sealed is None or self.key is None:
            return None
        return sealing.unseal(self.key.key, sealed)

    @property
    def content(self) -> str | None:
        plain = self._unseal(self.sealed_content)
        return None if plain is None else plain.decode("utf-8")

    @content.setter
    def content(self, value: str | None) -> None:
        self.sealed_content = self._seal(None if value is None else value.encode("utf-8"))

    @property
    def file(self) -> bytes | None:
        return self._unseal(self.sealed_file)

    @file.setter
    def file(self, value: bytes | None) -> None:
        self.sealed_file = self._seal(value)

    @property
    def has_file(self) -> bool:
        return self.sealed_file is not None and self.key is not None

    def shred(self) -> None:
        """Delete the key and the sealed bytes: what any copy of them holds can no longer be read."""
        self.sealed_content = None
        self.sealed_file = None
        self.key = None


class CertificateKey(Base):
    """The key one certificate's content is sealed with, in a row of its own so that deleting it
    (WF-2) leaves every copy of the sealed bytes unreadable."""

    __tablename__ = "certificate_key"
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificate.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)


class UserTask(Base):
    """A user task that is ready now: the task list reads this table, never a workflow."""

    __tablename__ = "user_task"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    bpmn_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    process: Mapped[str] = mapped_column(String(100))
    candidate_groups: Mapped[list] = mapped_column(JSON)
    group: Mapped[str | None] = mapped_column(String(100), index=True)
    assignee: Mapped[str | None] = mapped_column(String(100), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    priority: Mapped[int | None]
    form: Mapped[dict] = mapped_column(JSON)
    documentation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    case: Mapped[Case] = relationship()


class Timer(Base):
    """A timer the workflow waits on; ``acro timers fire`` fires those that are due."""

    __tablename__ = "timer"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    task_id: Mapped[str] = mapped_column(String(36))
    bpmn_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Deadline(Base):
    __tablename__ = "deadline"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class AuditEntry(Base):
    """Append-only: who did what to a case, when, at which step, with which data."""

    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    task_id: Mapped[str | None] = mapped_column(String(36), index=True)
    task_bpmn_id: Mapped[str | None] = mapped_column(String(100))
    task_name: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class AccessLog(Base):
    """Append-only (DPA 2018 s.62): who viewed, exported or disclosed a subject's data, when, why."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Note(Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    author: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)


class CalendarEvent(Base):
    __tablename__ = "calendar_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    event_type: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PaperFile(Base):
    __tablename__ = "paper_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Document(Base):
    """A generated PDF, stored as a file under DOCUMENTS_DIR, named by its row."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(300))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Email(Base):
    """The outbox: written in the step's transaction, sent over SMTP after it commits."""

    __tablename__ = "email"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    triggered_by: Mapped[str] = mapped_column(String(100))
    recipients: Mapped[list] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    document_ids: Mapped[list] = mapped_column(JSON, default=list)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sending_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class Incident(Base):
    """A step that failed: the case stays at that step until the incident is retried."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    task_bpmn_id: Mapped[str | None] = mapped_column(String(100))
    topic: Mapped[str | None] = mapped_column(String(100))
    email_id: Mapped[int | None] = mapped_column(ForeignKey("email.id"))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    next_retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class User(Base):
    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)


class SignInSession(Base):
    """A browser sign-in, kept on the server so that it can be ended: by signing out, by the
    user's deactivation or a password change. The cookie carries a random token; only its
    SHA-256 is kept, so a copy of the database opens no session."""

    __tablename__ = "sign_in_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # of the password hash at sign-in: a password changed by any means ends the session
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_because: Mapped[str | None] = mapped_column(String(40))
    user: Mapped[User] = relationship()


class ReceivedMessage(Base):
    """Every referral message intake has read, good or bad, and every API referral sent with an
    Idempotency-Key. The unique ``message_id`` makes both idempotent: a message read twice
    creates one referral (see docs/referral-email.md)."""

    # a message in one of these states was taken in: its key (Message-ID, Idempotency-Key) is spent
    TAKEN_IN = ("accepted", "erasing", "erased")
    __tablename__ = "received_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(500), unique=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    # accepted, quarantined, failed; erasing, erased: taken in, its certificate destroyed (WF-2)
    status: Mapped[str] = mapped_column(String(20), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    sender: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(1000))
    source_path: Mapped[str | None] = mapped_column(String(1000))
    stored_path: Mapped[str | None] = mapped_column(String(1000))
    # of the message without the trace headers mail servers add (casework/intake/message_file.py)
    sha256: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=1)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    case: Mapped[Case | None] = relationship()


class ApiToken(Base):
    """A bearer token for the JSON API, for a user or a service account. Only the SHA-256 of
    the token is kept; the token itself is shown once, when it is created."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    user: Mapped[User] = relationship()


# -- the analysts' workbench (docs/analysts.md) ---------------------------------------------
class ProcessDraft(Base):
    """A copy of a process version that an analyst edits in the browser: data, never code.
    ``scenarios`` holds the scenarios kept with the draft (file name -> YAML text; None
    withdraws a scenario of the suite)."""

    __tablename__ = "process_draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    based_on_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    files: Mapped[dict] = mapped_column(JSON)
    scenarios: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open, published, discarded
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(default=1)
    based_on: Mapped[ProcessVersion] = relationship()
    __mapper_args__ = {"version_id_col": revision}


class ScenarioRun(Base):
    """One run of the scenario suite against a draft, on a scratch database."""

    __tablename__ = "scenario_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("process_draft.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # of the draft's files and scenarios as run
    state: Mapped[str] = mapped_column(String(20), default="running")  # running, passed, failed, error
    requested_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    results: Mapped[list] = mapped_column(JSON, default=list)
    coverage: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class ProcessPublication(Base):
    """Append-only: a version made the one new cases start on, by whom, when and why."""

    __tablename__ = "process_publication"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("process_version.id"))
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("process_draft.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scenario_run.id"))
    published_by: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    scenarios: Mapped[dict] = mapped_column(JSON, default=dict)
    written_to: Mapped[str | None] = mapped_column(String(1000))
    version: Mapped[ProcessVersion] = relationship(foreign_keys=[version_id])


class CaseMove(Base):
    """Append-only: a running case moved from one process version to another."""

    __tablename__ = "case_move"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"))
    moved_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    changed: Mapped[list] = mapped_column(JSON, default=list)


# a queue page is read in index order: a team's (group) or a person's (assignee), soonest due first
Index("ix_user_task_group_due", UserTask.group, UserTask.due_at, UserTask.created_at, UserTask.id)
Index("ix_user_task_assignee_due", UserTask.assignee, UserTask.due_at, UserTask.created_at, UserTask.id)
# a team's unassigned tasks (the tasks to pick up), read and counted from the index alone
Index(
    "ix_user_task_group_unassigned_due",
    UserTask.group,
    UserTask.assignee,
    UserTask.due_at,
    UserTask.created_at,
    UserTask.id,
)


# the triggers that keep the logs append-only, and the indexes for searching part of a name
append_only.install(Base.metadata)
search_indexes.install(Base.metadata)
