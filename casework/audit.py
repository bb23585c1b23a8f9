"""The audit trail: append-only entries of who did what to a case, when, and what changed."""

from __future__ import annotations

from sqlalchemy import insert

from .models import AuditEntry


def entry(case, actor, action, *, task_id=None, task_bpmn_id=None, task_name=None, details=None, now=None) -> dict:
    """One entry's column values, for ``record`` or ``record_many``."""
    return {
        "case_id": case.id if case is not None else None,
        "actor": actor.username,
        "action": action,
        "task_id": str(task_id) if task_id else None,
        "task_bpmn_id": task_bpmn_id,
        "task_name": task_name,
        "details": details or {},
        **({"at": now} if now else {}),
    }


def record(
    session, case, actor, action, *, task_id=None, task_bpmn_id=None, task_name=None, details=None, now=None
) -> None:
    session.add(
        AuditEntry(
            **entry(
                case,
                actor,
                action,
                task_id=task_id,
                task_bpmn_id=task_bpmn_id,
                task_name=task_name,
                details=details,
                now=now,
            )
        )
    )


def record_many(session, entries: list[dict]) -> None:
    """Entries made by ``entry``, in their order, in one statement (an executemany): a step
    records one per task it ran, and one INSERT each was a third of a step's statements. The
    session's pending rows are flushed first, so entries recorded before stay before."""
    if entries:
        session.execute(insert(AuditEntry), entries)
