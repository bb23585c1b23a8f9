"""The dashboard: open cases per stage, cases closed per outcome, what is overdue, dormant
wanted/missing cases and open incidents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..models import Case, Deadline, Incident, UserTask


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
    overdue_deadlines = session.execute(
        select(Deadline, Case.reference)
        .join(Case, Case.id == Deadline.case_id)
        .where(Deadline.due_at < now, Case.state != "closed")
        .order_by(Deadline.due_at)
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
        "by_stage": [(stage or "Not set", n) for stage, n in by_stage],
        "open_total": sum(n for _, n in by_stage),
        "closed": [(outcome or "Closed", n) for outcome, n in closed],
        "overdue_deadlines": [{"what": d.kind, "due_at": d.due_at, "reference": ref} for d, ref in overdue_deadlines],
        "overdue_tasks": [{"task": t, "reference": ref} for t, ref in overdue_tasks],
        # no names: the dashboard is read without a purpose (FD-1)
        "dormant": [{"reference": c.reference, "since": c.updated_at, "outcome": c.outcome} for c in dormant],
        "open_incidents": incidents,
    }
