"""The decision record of a case: every task's answers with who gave them and when, labelled
by the task's own form in the process version the case runs on; and, for a task in front of
someone, the earlier steps it rests on, as its diagram names them (the user task's property
``shows``: element ids of earlier tasks, messages and steps that wrote documents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.specs.defaults import CallActivity
from sqlalchemy import select

from engine import spiff_compat as compat
from engine.instance import action_for, form_to_dict
from engine.parser import AcroUserTask

from .. import bundles
from ..models import AuditEntry, Case, Document

COMPLETED = "task completed"
MESSAGE = "message received"


@dataclass
class Step:
    """One earlier step as a page shows it: a task's answers, a message's details, documents."""

    entry_id: int
    bpmn_id: str | None
    name: str
    actor: str
    at: datetime
    form: dict = field(default_factory=lambda: {"fields": []})
    answers: dict = field(default_factory=dict)
    details: str | None = None
    documents: list[Document] = field(default_factory=list)
    on_behalf_of: str | None = None


def _elements(case: Case) -> dict:
    """Element id -> task spec, across every process of the case's own version. An id may be
    used twice (a call activity and a task of the process it calls): the task is the one meant."""
    bundle = bundles.for_version(case.process_version)
    found = {}
    for _process, bpmn_id, spec in bundle.flow_nodes():
        if bpmn_id not in found or isinstance(found[bpmn_id], CallActivity):
            found[bpmn_id] = spec
    return found


def form_of(case: Case, bpmn_id: str) -> tuple[str, dict]:
    """(name, form) of one of the case's user tasks, as its own process version draws it."""
    spec = _elements(case).get(bpmn_id)
    form = form_to_dict(spec.form) if spec is not None and getattr(spec, "form", None) else {"fields": []}
    return (getattr(spec, "bpmn_name", None) or bpmn_id), form


def _entries(session, case: Case) -> list[AuditEntry]:
    return list(
        session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.at, AuditEntry.id))
    )


def _answers(entry: AuditEntry, form: dict) -> dict:
    details = entry.details or {}
    if "answers" in details:
        return dict(details["answers"])
    # an entry written before answers were kept: what the task changed, of its own fields
    ids = {f["id"] for f in form.get("fields", [])}
    return {k: v for k, v in (details.get("changed") or {}).items() if k in ids}


def _decision(entry: AuditEntry, spec) -> Step:
    form = form_to_dict(spec.form) if spec is not None and getattr(spec, "form", None) else {"fields": []}
    return Step(
        entry_id=entry.id,
        bpmn_id=entry.task_bpmn_id,
        name=entry.task_name or entry.task_bpmn_id or "",
        actor=entry.actor,
        at=entry.at,
        form=form,
        answers=_answers(entry, form),
    )


def decisions(session, case: Case) -> list[Step]:
    """Every completed task of the case, oldest first, with its answers, who and when."""
    elements = _elements(case)
    return [_decision(e, elements.get(e.task_bpmn_id)) for e in _entries(session, case) if e.action == COMPLETED]


def shows_certificate(case: Case, bpmn_id: str) -> bool:
    """Whether the user task's page shows the certificate (its property ``shows_certificate``)."""
    spec = _elements(case).get(bpmn_id)
    return isinstance(spec, AcroUserTask) and spec.shows_certificate


def checks_answers(case: Case, bpmn_id: str) -> bool:
    """Whether a check-your-answers page comes before the user task is done (its property
    ``check_answers``: decisions with legal effect)."""
    spec = _elements(case).get(bpmn_id)
    return isinstance(spec, AcroUserTask) and spec.check_answers


def rests_on(session, case: Case, bpmn_id: str) -> list[Step]:
    """What the task ``bpmn_id`` rests on: the latest record of each earlier element its
    property ``shows`` names, in the order named; an element the case has not passed is left out."""
    elements = _elements(case)
    task = elements.get(bpmn_id)
    wanted = task.shows if isinstance(task, AcroUserTask) else []
    if not wanted:
        return []
    entries = _entries(session, case)
    shown = []
    for element in wanted:
        spec = elements.get(element)
        if spec is None:
            continue
        message = compat.message_name(spec)
        if message is not None:
            found = [e for e in entries if e.action == MESSAGE and (e.details or {}).get("message") == message]
        else:
            kind = action_for(spec)  # a call activity may share the id of a task it calls
            found = [e for e in entries if e.task_bpmn_id == element and e.action == kind]
        if not found:
            continue
        entry = found[-1]
        step = _decision(entry, spec)
        step.name = " ".join((spec.bpmn_name or entry.task_name or element).split())
        details = entry.details or {}
        if message is not None:
            step.details = (details.get("payload") or {}).get("details")
        ids = details.get("documents") or []
        if ids:
            step.documents = list(
                session.scalars(select(Document).where(Document.case_id == case.id, Document.id.in_(ids)))
            )
        step.on_behalf_of = details.get("on_behalf_of")
        shown.append(step)
    return shown
