"""What runs without a person: due timers, retries of failed steps, the service tasks left for
the worker, queued work a dead worker lost, and the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from .. import audit, incidents
from ..errors import CaseworkError, Forbidden, NotFound
from ..models import Case, Email, Incident, Timer
from ..outbox import dispatch
from ..permissions import SYSTEM, Actor


class Operations:
    def fire_due_timers(self, actor: Actor = SYSTEM) -> list[str]:
        """Fire every stored timer whose due time has passed; return the cases moved."""
        now = self.clock.now()
        with self.uow:
            case_ids = self.session.scalars(select(Timer.case_id).where(Timer.due_at < now).distinct()).all()
            self.uow.commit()
        moved = []
        for case_id in sorted(case_ids):
            with self.uow:
                case = self.session.scalars(
                    select(Case)
                    .where(Case.id == case_id)
                    .with_for_update(key_share=True)
                    .execution_options(populate_existing=True)
                ).one()
                names = [
                    t.name
                    for t in self.session.scalars(select(Timer).where(Timer.case_id == case.id, Timer.due_at < now))
                ]
                if not names:  # another worker fired them while we waited for the lock
                    continue
                instance = self.instance(case)

                def fire(instance=instance, case=case, names=names):
                    if instance.fire_due_timers():
                        audit.record(self.session, case, actor, "timer fired", details={"timers": names}, now=now)
                        moved.append(case.reference)

                self.steps.advance(case, instance, actor, fire)
                self.uow.commit()
        return moved

    def retry_incident(self, incident_id: int, actor: Actor) -> Case:
        """Try a failed step again (an operator, or the worker when its retry is due)."""
        if actor is not SYSTEM and not self.policy.may_operate(actor):
            raise Forbidden(f"{actor.username} is not an operator: only an administrator retries an incident")
        with self.uow:
            incident = self.session.get(Incident, incident_id)
            if incident is None or incident.resolved_at is not None:
                raise NotFound(f"there is no open incident {incident_id}")
            case = self.session.get(Case, incident.case_id)
            audit.record(
                self.session, case, actor, "incident retried", details={"incident": incident_id}, now=self.clock.now()
            )
            if incident.email_id is not None:
                incidents.resolve(incident, self.clock.now())
                email = self.session.get(Email, incident.email_id)
                email.next_attempt_at, email.attempts = None, 0
            else:
                self.steps.advance(case, self.instance(case), actor, inline=True)
            self.uow.commit()
        return case

    def retry_due_incidents(self) -> int:
        with self.uow:
            due = [i.id for i in incidents.due(self.session, self.clock.now())]
        for incident_id in due:
            try:
                self.retry_incident(incident_id, SYSTEM)
            except CaseworkError:
                pass  # its unit rolled back; the incident stays for the next round or an operator
        return len(due)

    def continue_case(self, reference: str, on_behalf_of: str = "system") -> Case:
        """Run the service tasks a case waits on (the worker's job in production)."""
        with self.uow:
            case = self.case(reference, for_step=True)
            self.steps.advance(case, self.instance(case), Actor(on_behalf_of), inline=True)
            self.uow.commit()
        return case

    def requeue_stale(self, older_than: timedelta | None = None) -> list[str]:
        """Cases whose service tasks were queued but not run (a worker died): queue them again."""
        if self.queue is None:
            return []
        cutoff = self.clock.now() - (older_than or timedelta(seconds=self.settings.requeue_after))
        with self.uow:
            references = self.session.scalars(
                select(Case.reference).where(Case.pending_since.is_not(None), Case.pending_since < cutoff)
            ).all()
        for reference in references:
            self.queue.continue_case(reference, "system")
        return list(references)

    def dispatch_outbox(self) -> tuple[int, int]:
        """Send the emails that are due (each claimed and marked in its own transaction)."""
        if self.sender is None or not self.settings.send_email:
            return 0, 0
        return dispatch(
            self.session,
            self.sender,
            self.settings.smtp_from,
            self.clock,
            max_attempts=self.settings.max_attempts,
            lease=timedelta(seconds=self.settings.outbox_lease),
        )
