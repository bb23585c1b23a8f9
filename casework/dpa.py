"""The data-protection log (DPA 2018 Part 3, s.62): every collection, change, view,
disclosure and erasure of a subject's data, with who, when and why."""

from __future__ import annotations

from sqlalchemy import select

from .models import AccessLog, AuditEntry, Case

# "search": a search or list that showed personal data, with what was asked; each case it
# showed gets a "view" of its own, so that the case's log says who saw it in a list
ACTIONS = ("collect", "change", "view", "disclose", "erase", "export", "search")


def log(session, case: Case, actor: str, action: str, purpose: str, now, details: dict | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"data-protection action {action!r} is not one of {', '.join(ACTIONS)}")
    session.add(AccessLog(case_id=case.id, actor=actor, action=action, purpose=purpose, details=details or {}, at=now))


def log_list(session, actor: str, purpose: str, now, details: dict, cases: list[Case]) -> AccessLog:
    """A search or list that showed these cases: one entry for the search (who asked for what,
    why, and the references shown) and a view entry on each case shown, pointing to it."""
    search = AccessLog(
        case_id=None,
        actor=actor,
        action="search",
        purpose=purpose,
        at=now,
        details={**details, "shown": [c.reference for c in cases]},
    )
    session.add(search)
    session.flush()
    via = {k: details[k] for k in ("via", "what") if k in details}
    session.add_all(
        [
            AccessLog(
                case_id=c.id, actor=actor, action="view", purpose=purpose, at=now, details={**via, "search": search.id}
            )
            for c in cases
        ]
    )
    return search


def export(session, case: Case) -> dict:
    """The case's whole log, for an administrator (the export itself is logged by the caller)."""

    def row(entry, *fields):
        return {
            f: (getattr(entry, f).isoformat() if hasattr(getattr(entry, f), "isoformat") else getattr(entry, f))
            for f in fields
        }

    access = session.scalars(select(AccessLog).where(AccessLog.case_id == case.id).order_by(AccessLog.id)).all()
    audit = session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)).all()
    return {
        "case": case.reference,
        "data_protection_log": [row(e, "at", "actor", "action", "purpose", "details") for e in access],
        "audit_trail": [
            row(e, "at", "actor", "action", "task_id", "task_bpmn_id", "task_name", "details") for e in audit
        ],
    }
