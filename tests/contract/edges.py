"""Each edge's fake and real adapter behind one small interface, so that the contract tests
can make either and look at what it did."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from sqlalchemy import select

from casework.models import Case, Certificate, Email, ProcessVersion
from casework.outbox import OutboxMailer, allowed_recipients
from casework.store import SqlCaseStore
from engine.clock import FakeClock
from tests.fakes import FakeCaseStore, FakeMailer, make_settings

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class RealCases:
    """Case stores over one database: every case shares its subject index."""

    def __init__(self, session):
        self.session = session
        self.clock = FakeClock(NOW)
        self.count = 0

    def store(self, referral: dict, certificate: dict | None = None) -> SqlCaseStore:
        self.count += 1
        version = self.session.scalars(select(ProcessVersion)).one()
        case = Case(
            reference=f"ACRO-2026-{self.count:06d}",
            referral=copy.deepcopy(referral),
            state="open",
            process_version_id=version.id,
            instance_state={},
            created_at=NOW,
            updated_at=NOW,
        )
        self.session.add(case)
        self.session.flush()
        if certificate is not None:
            self.session.add(Certificate(case_id=case.id, status="held", received_at=NOW, **certificate))
            self.session.flush()
        return SqlCaseStore(self.session, case, self.clock, actor="contract")

    def certificate_content(self, store) -> str | None:
        row = self.session.scalars(select(Certificate).where(Certificate.case_id == store.case.id)).first()
        return row.content if row is not None else None

    def status(self, store) -> dict:
        case = store.case
        return {"stage": case.stage, "outcome": case.outcome, "state": case.state}

    def mailer(self, referral: dict):
        store = self.store(referral)
        return OutboxMailer(self.session, store.case, self.clock, "contract", addresses=make_settings()["addresses"])

    def sent(self, mailer) -> list[dict]:
        self.session.flush()
        return [
            {"to": e.recipients, "subject": e.subject, "kind": e.kind}
            for e in self.session.scalars(select(Email).where(Email.case_id == mailer.case.id).order_by(Email.id))
        ]


class FakeCases:
    """Fake case stores sharing one subject index, as the real ones share a database."""

    def __init__(self):
        self.subjects: list = []
        self.clock = FakeClock(NOW)
        self.count = 0

    def store(self, referral: dict, certificate: dict | None = None) -> FakeCaseStore:
        self.count += 1
        return FakeCaseStore(
            copy.deepcopy(referral),
            reference=f"ACRO-2026-{self.count:06d}",
            certificate={**certificate, "status": "held", "received_at": NOW.isoformat()} if certificate else None,
            subjects=self.subjects,
        )

    def certificate_content(self, store) -> str | None:
        return store.certificate_content()

    def status(self, store) -> dict:
        return dict(store.status)

    def mailer(self, referral: dict):
        return FakeMailer(allowed_recipients(_Referral(referral), make_settings()["addresses"]))

    def sent(self, mailer) -> list[dict]:
        return [{"to": m["to"], "subject": m["subject"], "kind": m["kind"]} for m in mailer.sent]


class _Referral:
    def __init__(self, referral):
        self.referral = referral
