"""The case record as the handlers see it (``case_store``): one case, one session."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from . import dpa, subjects
from .intake.erasure import erase_referral_emails
from .models import CalendarEvent, Case, Certificate, Conviction, Deadline, Document, Note, PaperFile


class SqlCaseStore:
    def __init__(self, session, case: Case, clock, actor: str = "system"):
        self.session = session
        self.case = case
        self.clock = clock
        self.actor = actor

    @property
    def reference(self) -> str:
        return self.case.reference

    def referral(self) -> dict:
        return self.case.referral

    def subject_name(self) -> str:
        return subjects.display_name(self.case.referral)

    def _subject_dict(self, subject) -> dict:
        return {
            "id": subject.id,
            "family_name": subject.family_name,
            "given_names": subject.given_names,
            "date_of_birth": subject.date_of_birth,
            "nationality": subject.nationality,
            "pnc_id": subject.pnc_id,
            "aliases": [a.name for a in subject.aliases],
        }

    def find_or_create_subject(self) -> tuple[dict, bool]:
        details = dict(self.case.referral.get("subject") or {})
        subject, created, renamed = subjects.find_or_create(self.session, details)
        if created:
            self.session.flush()  # its id, which the handler is given
        self.case.subject = subject
        # the case record is written once, at the end of the step, not here
        with self.session.no_autoflush:
            subjects.refresh_search(self.session, subject, self.case, stored=renamed and not created)
        return self._subject_dict(subject), created

    def record_convictions(self) -> int:
        subject = self.case.subject
        if subject is None:
            raise RuntimeError("record the subject before the convictions")
        with self.session.no_autoflush:  # the step's writes go out together, at its end
            known = {(c.country, c.offence, c.date) for c in subject.convictions}
        added = 0
        for conviction in self.case.referral.get("convictions") or []:
            key = (conviction.get("country"), conviction.get("offence"), conviction.get("date"))
            if key in known:
                continue
            subject.convictions.append(
                Conviction(
                    country=key[0],
                    offence=key[1],
                    date=key[2],
                    sentence=conviction.get("sentence"),
                    case_id=self.case.id,
                )
            )
            known.add(key)
            added += 1
        return added

    def add_calendar_event(self, event_type: str, status: str) -> None:
        self.session.add(CalendarEvent(case_id=self.case.id, event_type=event_type, status=status, at=self.clock.now()))

    def add_note(self, text: str) -> None:
        self.session.add(Note(case_id=self.case.id, text=text, author=self.actor, at=self.clock.now()))

    def set_status(self, stage: str | None = None, outcome: str | None = None, state: str | None = None) -> None:
        if state not in (None, "open", "dormant", "closed"):
            raise ValueError(f"case state {state!r} is not open, dormant or closed")
        if stage is not None:
            self.case.stage = stage
        if outcome is not None:
            self.case.outcome = outcome
        if state is not None:
            self.case.state = state

    def reopen(self) -> None:
        """A dormant case is open again: its dormant outcome no longer holds (CW-6, CW-7); the
        stage follows from where it waits next."""
        self.case.state = "open"
        self.case.outcome = None

    def assign_team(self, team: str) -> None:
        self.case.team = team

    def create_paper_file(self) -> str:
        if self.case.paper_file_reference:
            return self.case.paper_file_reference
        with self.session.no_autoflush:  # a paper file made here has set the reference above
            existing = self.session.scalars(select(PaperFile).where(PaperFile.case_id == self.case.id)).first()
        if existing:
            return existing.reference
        paper_file = PaperFile(case_id=self.case.id, reference=f"HO-{self.case.reference}", created_at=self.clock.now())
        self.session.add(paper_file)
        self.case.paper_file_reference = paper_file.reference
        return paper_file.reference

    def set_marker(self, status: str) -> None:
        self.case.marker_status = status

    def set_custody(self, status: str, detention_power: str | None = None) -> None:
        self.case.custody_status = status
        if detention_power is not None:
            self.case.detention_power = detention_power

    def set_deadline(self, kind: str, due_at: datetime) -> None:
        self.session.add(Deadline(case_id=self.case.id, kind=kind, due_at=due_at))

    def _certificate(self) -> Certificate | None:
        return self.session.scalars(
            select(Certificate).where(Certificate.case_id == self.case.id).order_by(Certificate.id.desc())
        ).first()

    def certificate(self) -> dict | None:
        cert = self._certificate()
        if cert is None:
            return None
        return {
            "request_purpose": cert.request_purpose,
            "received_at": cert.received_at.isoformat(),
            "status": cert.status,
        }

    def destroy_certificate(self) -> None:
        """WF-2: the content goes from the row and from any stored copy; the fact stays."""
        dpa.log(
            self.session,
            self.case,
            self.actor,
            "erase",
            "WF-2: a non-disclosable ACRO certificate must be destroyed",
            self.clock.now(),
        )
        for cert in self.session.scalars(
            select(Certificate).where(Certificate.case_id == self.case.id, Certificate.status == "held")
        ):
            # the key goes with the sealed bytes: copies left in the database's pages, its
            # write-ahead log or a backup can no longer be opened
            cert.shred()
            cert.filename = None
            cert.request_purpose = None
            cert.status = "destroyed"
            cert.destroyed_at = self.clock.now()
        for document in self.session.scalars(
            select(Document).where(Document.case_id == self.case.id, Document.kind == "ACRO certificate")
        ):
            Path(document.path).unlink(missing_ok=True)
            self.session.delete(document)
        # the referral email carried the certificate: its copy goes too, the row keeps the fact
        erase_referral_emails(self.session, self.case.id, self.clock.now())
