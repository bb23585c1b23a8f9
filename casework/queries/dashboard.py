"""The dashboard: open cases per stage, cases closed per outcome, what is overdue, dormant
wanted/missing cases and open incidents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..models import Case, Deadline, Incident, Timer, UserTask
from . import Page, page_of
from .cases import same_time


def _named(timer: Timer, recorded: list[Deadline]) -> str:
    named = [d.kind for d in recorded if d.case_id == timer.case_id and same_time(d.due_at, timer.due_at)]
    return named[0] if named else timer.name


def dashboard(session, *, now: datetime) -> dict:
    """Open cases per stage, overdue deadlines and tasks, dormant wanted/missing cases."""
    by_stage = session.execute(
        select(Case.stage, func.count())
        .where(Case.state != "closed")
        .group_by(Case.stage)
        .order_by(func.count().desc(), Case.stage)
    ).all()
    closed = session.execute(
        select(Case.outcome, func.count())
        .where(Case.state == "closed")
        .group_by(Case.outcome)
        .order_by(func.count().desc(), Case.outcome)
    ).all()
    # a deadline is overdue while the process still waits on its timer (cases.live_deadlines)
    overdue_timers = session.execute(
        select(Timer, Case.reference)
        .join(Case, Case.id == Timer.case_id)
        .where(Timer.due_at < now, Case.state != "closed")
        .order_by(Timer.due_at)
    ).all()
    recorded = session.scalars(
        select(Deadline).where(Deadline.case_id.in_({t.case_id for t, _ in overdue_timers}))
    ).all()
    overdue_tasks = session.execute(
        select(UserTask, Case.reference)
        .join(Case, Case.id == UserTask.case_id)
        .where(UserTask.due_at < now)
        .order_by(UserTask.due_at)
    ).all()
    dormant = session.scalars(select(Case).where(Case.state == "dormant").order_by(Case.updated_at, Case.id)).all()
    incidents = session.scalar(select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None)))
    return {
        "by_stage": [(stage, n) for stage, n in by_stage],
        "open_total": sum(n for _, n in by_stage),
        "closed": [(outcome, n) for outcome, n in closed],
        "overdue_deadlines": [
            {"what": _named(t, recorded), "due_at": t.due_at, "reference": ref} for t, ref in overdue_timers
        ],
        "overdue_tasks": [{"task": t, "reference": ref} for t, ref in overdue_tasks],
        # no names: the dashboard is read without a purpose (FD-1)
        "dormant": [{"reference": c.reference, "since": c.updated_at, "outcome": c.outcome} for c in dormant],
        "open_incidents": incidents,
    }


def counted(session, *, stage: str | None = None, outcome: str | None = None, page: int = 1) -> Page:
    """The cases a dashboard count counts: the open (or dormant) ones at ``stage``, the closed
    ones with ``outcome``, or, with neither, every open or dormant case; newest activity first."""
    if outcome is not None:
        where = [Case.state == "closed", Case.outcome == outcome]
    else:
        where = [Case.state != "closed"] + ([Case.stage == stage] if stage is not None else [])
    query = select(Case).where(*where).order_by(Case.updated_at.desc(), Case.id.desc())
    return page_of(session, query, select(func.count()).select_from(Case).where(*where), page)
