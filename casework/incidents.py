"""Failed steps and undeliverable emails become incidents, retried with backoff up to a
limit; after that they wait for an operator."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from .models import Case, Email, Incident

BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=4)]


def next_retry(attempts: int, now: datetime, max_attempts: int) -> datetime | None:
    """When to try again after ``attempts`` failures; None once the limit is reached."""
    if attempts >= max_attempts:
        return None
    return now + BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _open_for(session, case_id, **match) -> Incident | None:
    query = select(Incident).where(Incident.case_id == case_id, Incident.resolved_at.is_(None))
    for column, value in match.items():
        query = query.where(getattr(Incident, column) == value)
    return session.scalars(query).first()


def record_step_failure(session, case: Case, task, error: Exception, now: datetime, max_attempts: int) -> Incident:
    text = f"{type(error).__name__}: {error}"
    incident = _open_for(session, case.id, task_id=task.id)
    if incident is None:
        incident = Incident(
            case_id=case.id,
            task_id=task.id,
            task_bpmn_id=task.bpmn_id,
            topic=task.topic,
            error=text,
            attempts=1,
            at=now,
        )
        session.add(incident)
        case.open_step_incidents = (case.open_step_incidents or 0) + 1
    else:
        incident.attempts += 1
        incident.error = text
    incident.next_retry_at = next_retry(incident.attempts, now, max_attempts)
    return incident


def record_email_failure(session, email: Email, error: str, now: datetime, max_attempts: int) -> None:
    """An email that cannot be delivered: retry later; tell operators through an incident."""
    email.last_error = error
    email.next_attempt_at = next_retry(email.attempts, now, max_attempts)
    incident = _open_for(session, email.case_id, email_id=email.id)
    if incident is None:
        session.add(
            Incident(
                case_id=email.case_id,
                email_id=email.id,
                topic="email",
                attempts=email.attempts,
                error=f"email {email.subject!r} to {', '.join(email.recipients)} not delivered: {error}",
                next_retry_at=None,
                at=now,
            )
        )
    else:
        incident.attempts = email.attempts
        incident.error = f"email {email.subject!r} to {', '.join(email.recipients)} not delivered: {error}"


def resolve(incident: Incident, now: datetime) -> None:
    incident.resolved_at = now
    incident.next_retry_at = None


def resolve_for_case(session, case: Case, now: datetime) -> None:
    """A step that went through closes its case's open step incidents."""
    for incident in session.scalars(
        select(Incident).where(
            Incident.case_id == case.id,
            Incident.resolved_at.is_(None),
            Incident.email_id.is_(None),
            Incident.task_id.is_not(None),
        )
    ):
        resolve(incident, now)
    case.open_step_incidents = 0


def resolve_for_email(session, email: Email, now: datetime) -> None:
    incident = _open_for(session, email.case_id, email_id=email.id)
    if incident is not None:
        resolve(incident, now)


def due(session, now: datetime) -> list[Incident]:
    return session.scalars(
        select(Incident)
        .where(Incident.resolved_at.is_(None), Incident.next_retry_at.is_not(None), Incident.next_retry_at <= now)
        .order_by(Incident.next_retry_at)
    ).all()


def open_incidents(session) -> list[Incident]:
    return session.scalars(select(Incident).where(Incident.resolved_at.is_(None)).order_by(Incident.at)).all()
