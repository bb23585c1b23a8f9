"""The data-protection side of the service (FD-1, DPA 2018 s.62): every view, export and
disclosure of a subject's data is recorded with who, when and why."""

from __future__ import annotations

from sqlalchemy import select

from .. import dpa
from ..errors import Forbidden, InvalidAnswers
from ..models import Case
from ..permissions import Actor


class DataProtection:
    def record_access(
        self, reference: str, actor: Actor, action: str, purpose: str, details: dict | None = None
    ) -> None:
        """Log a view, export or disclosure of a subject's data with its purpose."""
        if not (purpose or "").strip():
            raise InvalidAnswers({"purpose": ["Enter why you need to see this case."]})
        with self.uow:
            case = self.case(reference)
            dpa.log(self.session, case, actor.username, action, purpose.strip(), self.clock.now(), details)
            self.uow.commit()

    def record_list_access(self, actor: Actor, purpose: str, details: dict, references: list[str]) -> None:
        """Log a search or list that showed these cases' personal data, with its purpose (FD-1)."""
        if not (purpose or "").strip():
            raise InvalidAnswers({"purpose": ["Enter why you are searching."]})
        with self.uow:
            cases = self.session.scalars(select(Case).where(Case.reference.in_(references))).all() if references else []
            order = {reference: index for index, reference in enumerate(references)}
            cases = sorted(cases, key=lambda c: order[c.reference])
            dpa.log_list(self.session, actor.username, purpose.strip(), self.clock.now(), details, cases)
            self.uow.commit()

    def export_log(self, reference: str, actor: Actor, purpose: str) -> dict:
        """An administrator's export of a case's data-protection log and audit trail."""
        if not self.policy.may_operate(actor):
            raise Forbidden("only an administrator can export a case's log")
        if not (purpose or "").strip():
            raise InvalidAnswers({"purpose": ["Enter why the log is being exported."]})
        with self.uow:
            case = self.case(reference)
            dpa.log(self.session, case, actor.username, "export", purpose.strip(), self.clock.now())
            exported = dpa.export(self.session, case)
            self.uow.commit()
        return exported
