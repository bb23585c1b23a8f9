"""The edges of the system, as the code on this side of them sees them.

Handlers are given a case store, a mailer, documents, the process data and a clock; the
service layer hands mail to a sender and work to a queue. Each edge has a real adapter and a
fake one (tests/fakes.py, casework/scenarios.py's RecordingSender); tests/contract runs the
same checks on both, so a fake cannot drift from what it stands in for.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Protocol, runtime_checkable


@runtime_checkable
class CaseStore(Protocol):
    """One case's record (casework/store.py)."""

    reference: str

    def referral(self) -> dict: ...
    def subject_name(self) -> str: ...
    def find_or_create_subject(self) -> tuple[dict, bool]: ...
    def record_convictions(self) -> int: ...
    def add_calendar_event(self, event_type: str, status: str) -> None: ...
    def add_note(self, text: str) -> None: ...
    def set_status(self, stage: str | None = None, outcome: str | None = None, state: str | None = None) -> None: ...
    def assign_team(self, team: str) -> None: ...
    def create_paper_file(self) -> str: ...
    def set_marker(self, status: str) -> None: ...
    def set_custody(self, status: str, detention_power: str | None = None) -> None: ...
    def set_deadline(self, kind: str, due_at: datetime) -> None: ...
    def certificate(self) -> dict | None: ...
    def destroy_certificate(self) -> None: ...


@runtime_checkable
class Mailer(Protocol):
    """Emails from a step (casework/outbox.py): written with the step, sent after it commits."""

    def send(self, to, subject: str, body: str, attachments=(), kind: str = "") -> None: ...


@runtime_checkable
class Documents(Protocol):
    """PDFs a step generates (casework/documents.py)."""

    def create(self, kind: str, title: str, sections: list[tuple[str, str]]) -> dict: ...


@runtime_checkable
class ProcessData(Protocol):
    """The one thing a handler may do to the workflow itself (casework/service/steps.py)."""

    def erase(self, keys) -> None: ...


@runtime_checkable
class Sender(Protocol):
    """The mail relay (adapters/smtp.py)."""

    def send(self, message: EmailMessage) -> None: ...


@runtime_checkable
class Queue(Protocol):
    """Work for the background worker (casework/worker.py)."""

    def continue_case(self, reference: str, on_behalf_of: str) -> None: ...
    def dispatch_outbox(self) -> None: ...
    def run_scenarios(self, run_id: int) -> None: ...
