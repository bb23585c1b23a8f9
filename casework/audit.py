"""The audit trail: append-only entries of who did what to a case, when, and what changed."""

from __future__ import annotations

from .models import AuditEntry


def record(
    session, case, actor, action, *, task_id=None, task_bpmn_id=None, task_name=None, details=None, now=None
) -> None:
    session.add(
        AuditEntry(
            case_id=case.id if case is not None else None,
            actor=actor.username,
            action=action,
            task_id=str(task_id) if task_id else None,
            task_bpmn_id=task_bpmn_id,
            task_name=task_name,
            details=details or {},
            **({"at": now} if now else {}),
        )
    )
