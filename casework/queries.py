"""Read-side queries for the caseworkers' pages: task queues, a case as its page shows it,
search and the dashboard.

Nothing here changes data. Task queues read the ``user_task`` table only, never a workflow;
only a single case's progress (the diagram's highlighting) restores that case's instance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select

from . import subjects
from .models import (Alias, AuditEntry, Case, Certificate, Deadline, Document, Email, Incident, Note,
                     Subject, Timer, User, UserTask)

PAGE_SIZE = 20

# how a queue can be sorted: due date (soonest first, undated last), priority (highest
# first) and age (oldest first); each ends on the age so the order is stable
# "due" follows the queue indexes (group or assignee, due_at, created_at, id)
SORTS = {
    "due": (UserTask.due_at.asc().nulls_last(), UserTask.created_at, UserTask.id),
    "priority": (UserTask.priority.desc().nulls_last(), UserTask.due_at.asc().nulls_last(), UserTask.id),
    "age": (UserTask.created_at, UserTask.id),
}


@dataclass
class Page:
    items: list
    total: int
    number: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))


# -- task queues ------------------------------------------------------------------------
def _queue_filter(*, assignee: str | None = None, group: str | None = None):
    if assignee is not None:
        return UserTask.assignee == assignee
    if group is not None:
        # a task's first candidate group is its queue (every task in the diagrams has one)
        return UserTask.group == group
    raise ValueError("a queue is a person's (assignee) or a team's (group)")


def task_queue(session, *, now: datetime, assignee: str | None = None, group: str | None = None,
               task: str | None = None, overdue: bool = False, sort: str = "due", page: int = 1,
               size: int = PAGE_SIZE) -> Page:
    """One page of a person's or a team's ready tasks, with their cases."""
    conditions = [_queue_filter(assignee=assignee, group=group)]
    if task:
        conditions.append(UserTask.bpmn_id == task)
    if overdue:
        conditions.append(UserTask.due_at < now)
    total = session.scalar(select(func.count()).select_from(UserTask).where(*conditions))
    page = max(1, page)
    rows = session.execute(
        select(UserTask, Case.reference, Case.referral, Case.stage)
        .join(Case, Case.id == UserTask.case_id)
        .where(*conditions)
        .order_by(*SORTS.get(sort, SORTS["due"]))
        .offset((page - 1) * size).limit(size)).all()
    items = [{"task": t, "reference": reference, "subject": subject_name(referral), "stage": stage,
              "overdue": bool(t.due_at and t.due_at < now)} for t, reference, referral, stage in rows]
    return Page(items, total, page, size)


def queue_counts(session, *, now: datetime, username: str, groups) -> dict:
    """``{"mine": (all, overdue), group: (all, overdue, unassigned), ...}``."""
    def count(*conditions):
        return session.scalar(select(func.count()).select_from(UserTask).where(*conditions))
    mine = UserTask.assignee == username
    counts = {"mine": (count(mine), count(mine, UserTask.due_at < now))}
    for group in groups:
        in_group = UserTask.group == group
        counts[group] = (count(in_group), count(in_group, UserTask.due_at < now),
                         count(in_group, UserTask.assignee.is_(None)))
    return counts


def task_kinds(session, *, assignee: str | None = None, group: str | None = None) -> list[tuple[str, str]]:
    """The kinds of task (id, name) in a queue now, for its filter."""
    rows = session.execute(select(UserTask.bpmn_id, UserTask.name)
                           .where(_queue_filter(assignee=assignee, group=group)).distinct()).all()
    return sorted({(b, n) for b, n in rows}, key=lambda x: x[1])


def ready_task(session, task_id: str) -> UserTask | None:
    return session.get(UserTask, task_id)


def case_tasks(session, case_id: int) -> list[UserTask]:
    return session.scalars(select(UserTask).where(UserTask.case_id == case_id)
                           .order_by(UserTask.created_at, UserTask.id)).all()


# -- people -----------------------------------------------------------------------------
def user(session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == (username or "").strip().lower())).first()


def active_user(session, user_id) -> User | None:
    found = session.get(User, user_id) if user_id is not None else None
    return found if found is not None and found.active else None


def colleagues(session, groups, role_groups: dict) -> list[User]:
    """Active people whose roles put them in any of ``groups`` (for "assign to")."""
    wanted = set(groups)
    roles = {role for role, role_gs in role_groups.items() if wanted & set(role_gs)}
    people = session.scalars(select(User).where(User.active.is_(True)).order_by(User.full_name)).all()
    return [p for p in people if roles & set(p.roles or [])]


# -- cases ------------------------------------------------------------------------------
subject_name = subjects.display_name


def case_summary(case: Case) -> dict:
    """What a task page shows beside the form: who, and where the case stands."""
    referral = case.referral or {}
    subject = referral.get("subject") or {}
    return {"reference": case.reference, "name": subject_name(referral),
            "date_of_birth": subject.get("date_of_birth"), "nationality": subject.get("nationality"),
            "pnc_id": subject.get("pnc_id"), "stage": case.stage, "state": case.state,
            "case_owner": case.case_owner, "team": case.team,
            "convictions": referral.get("convictions") or []}


@dataclass
class CaseDetail:
    case: Case
    referral: dict
    subject: Subject | None
    aliases: list[str]
    convictions: list[dict]
    certificates: list[Certificate]
    certificate_status: str
    deadlines: list[dict]
    documents: list[Document]
    emails: list[Email]
    notes: list[Note]
    timeline: list[AuditEntry]
    tasks: list[UserTask]
    incidents: list[Incident]
    waiting_for: list[str] = field(default_factory=list)
    progress: dict = field(default_factory=dict)


def case_detail(service, reference: str) -> CaseDetail:
    """Everything the case page shows; restores the case's workflow once, for its progress."""
    session = service.session
    case = service.case(reference)
    referral = case.referral or {}
    subject = case.subject
    aliases = ([a.name for a in subject.aliases] if subject is not None
               else list((referral.get("subject") or {}).get("aliases") or []))
    if subject is not None and subject.convictions:
        convictions = [{"country": c.country, "offence": c.offence, "date": c.date, "sentence": c.sentence}
                       for c in sorted(subject.convictions, key=lambda c: (c.date or "", c.id))]
    else:
        convictions = list(referral.get("convictions") or [])
    certificates = session.scalars(select(Certificate).where(Certificate.case_id == case.id)
                                   .order_by(Certificate.id)).all()
    instance = service.instance(case)
    data = instance.data()
    waiting = instance.waiting_messages()
    progress = progress_of(case, instance)
    tasks = case_tasks(session, case.id)
    deadlines = [{"what": d.kind, "due_at": d.due_at} for d in session.scalars(
        select(Deadline).where(Deadline.case_id == case.id).order_by(Deadline.due_at))]
    deadlines += [{"what": f"Task: {t.name}", "due_at": t.due_at} for t in tasks if t.due_at]
    deadlines += [{"what": f"Timer: {t.name}", "due_at": t.due_at} for t in session.scalars(
        select(Timer).where(Timer.case_id == case.id).order_by(Timer.due_at))]
    return CaseDetail(
        case=case, referral=referral, subject=subject, aliases=aliases, convictions=convictions,
        certificates=certificates,
        certificate_status=certificate_status(certificates, data, waiting),
        deadlines=sorted(deadlines, key=lambda d: d["due_at"]),
        documents=session.scalars(select(Document).where(Document.case_id == case.id)
                                  .order_by(Document.created_at, Document.id)).all(),
        emails=session.scalars(select(Email).where(Email.case_id == case.id)
                               .order_by(Email.created_at, Email.id)).all(),
        notes=session.scalars(select(Note).where(Note.case_id == case.id).order_by(Note.at, Note.id)).all(),
        timeline=session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id)
                                 .order_by(AuditEntry.at, AuditEntry.id)).all(),
        tasks=tasks,
        incidents=session.scalars(select(Incident).where(Incident.case_id == case.id,
                                                         Incident.resolved_at.is_(None))).all(),
        waiting_for=waiting, progress=progress)


def certificate_status(certificates, data: dict, waiting_messages) -> str:
    """disclosable, awaited, destroyed or not yet checked, as the case page says it (WF-1, WF-2)."""
    held = [c for c in certificates if c.status == "held"]
    destroyed = [c for c in certificates if c.status == "destroyed"]
    if "certificate_received" in waiting_messages:
        return "destroyed, disclosable certificate awaited" if destroyed else "disclosable certificate awaited"
    if held and data.get("certificate_disclosable") is True:
        return "disclosable"
    if held:
        return "held, not yet checked"
    if destroyed:
        return "destroyed"
    return "none held"


def waiting_messages(service, reference: str) -> list[str]:
    case = service.case(reference)
    return service.instance(case).waiting_messages()


def progress(service, reference: str) -> dict:
    """Where one case is in its process, for the diagram's highlighting."""
    case = service.case(reference)
    return progress_of(case, service.instance(case))


def progress_of(case: Case, instance) -> dict:
    """Per process: the elements done, the flows taken and the elements the case is at now."""
    from SpiffWorkflow.util.task import TaskState

    from engine.coverage import Coverage

    coverage = Coverage(instance.bundle)
    coverage.add(instance.workflow)
    process_of, label = {}, {}
    for process, bpmn_id, spec in instance.bundle.flow_nodes():
        process_of[bpmn_id] = process
        label[(process, bpmn_id)] = " ".join((spec.bpmn_name or bpmn_id).split())
    current: set[tuple[str, str]] = set()
    for task in instance.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id:
            current.add((task.workflow.spec.name, bpmn_id))
    for bpmn_id in instance.waiting_elements():
        if bpmn_id in process_of:
            current.add((process_of[bpmn_id], bpmn_id))
    processes: dict[str, dict] = {}
    names = {spec.name: (spec.description or spec.name) for spec in instance.bundle.all_specs()}
    for process in names:
        done = sorted(b for p, b in coverage.nodes if p == process and (p, b) not in current)
        now = sorted(b for p, b in current if p == process)
        flows = sorted(f for p, f in coverage.flows if p == process)
        processes[process] = {"name": names[process], "done": done, "current": now, "flows": flows,
                              "current_names": [label.get((process, b), b) for b in now]}
    return {"main": instance.bundle.main, "completed": instance.completed, "processes": processes}


def diagram_xml(case: Case, process_id: str) -> str | None:
    """The BPMN file of the case's own process version that holds ``process_id``."""
    from lxml import etree

    for name, text in sorted((case.process_version.files or {}).items()):
        if not name.endswith(".bpmn"):
            continue
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        if any(p.get("id") == process_id for p in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")):
            return text
    return None


def document(session, case: Case, document_id: int) -> Document | None:
    found = session.get(Document, document_id)
    return found if found is not None and found.case_id == case.id else None


# -- search -----------------------------------------------------------------------------
def case_conditions(*, words=(), date_of_birth: str = "", pnc_id: str = "", reference: str = "") -> list:
    """SQL conditions on ``Case`` for a search; every criterion given must match.

    A name matches when each word is part of a name the subject is known by (the referral's
    names and aliases, and once the subject is recorded those of their other referrals),
    ignoring case and accents. Everything but the reference and the date of birth is in
    ``Case.search_names``, which PostgreSQL serves with a trigram index.
    """
    conditions = []
    if reference:
        conditions.append(Case.reference == reference.strip().upper())
    if pnc_id:
        conditions.append(Case.search_names.contains(subjects.normalise(pnc_id), autoescape=True))
    if date_of_birth:
        conditions.append(Case.referred_date_of_birth == date_of_birth.strip())
    for word in words:
        conditions.append(Case.search_names.contains(word, autoescape=True))
    return conditions


def search(session, *, name: str = "", date_of_birth: str = "", pnc_id: str = "", reference: str = "",
           limit: int = 50) -> list[dict]:
    """Cases by the subject's name or alias, date of birth, PNC ID or case reference."""
    words = subjects.normalise(name).split()
    if not (words or date_of_birth.strip() or pnc_id.strip() or reference.strip()):
        return []
    conditions = case_conditions(words=words, date_of_birth=date_of_birth, pnc_id=pnc_id, reference=reference)
    cases = session.scalars(select(Case).where(*conditions)
                            .order_by(Case.created_at.desc(), Case.id.desc()).limit(limit)).all()
    return [_result(c) for c in cases]


def _result(case: Case) -> dict:
    subject = (case.referral or {}).get("subject") or {}
    return {"reference": case.reference, "name": subject_name(case.referral),
            "date_of_birth": (case.subject.date_of_birth if case.subject else None) or subject.get("date_of_birth"),
            "pnc_id": (case.subject.pnc_id if case.subject else None) or subject.get("pnc_id"),
            "stage": case.stage, "state": case.state, "outcome": case.outcome}


# -- dashboard --------------------------------------------------------------------------
def dashboard(session, *, now: datetime) -> dict:
    """Open cases per stage, overdue deadlines and tasks, dormant wanted/missing cases."""
    by_stage = session.execute(
        select(Case.stage, func.count()).where(Case.state != "closed")
        .group_by(Case.stage).order_by(func.count().desc(), Case.stage)).all()
    closed = session.execute(
        select(Case.outcome, func.count()).where(Case.state == "closed")
        .group_by(Case.outcome).order_by(func.count().desc(), Case.outcome)).all()
    overdue_deadlines = session.execute(
        select(Deadline, Case.reference).join(Case, Case.id == Deadline.case_id)
        .where(Deadline.due_at < now, Case.state != "closed").order_by(Deadline.due_at)).all()
    overdue_tasks = session.execute(
        select(UserTask, Case.reference).join(Case, Case.id == UserTask.case_id)
        .where(UserTask.due_at < now).order_by(UserTask.due_at)).all()
    dormant = session.scalars(select(Case).where(Case.state == "dormant")
                              .order_by(Case.updated_at, Case.id)).all()
    incidents = session.scalar(select(func.count()).select_from(Incident).where(Incident.resolved_at.is_(None)))
    return {
        "by_stage": [(stage or "Not set", n) for stage, n in by_stage],
        "open_total": sum(n for _, n in by_stage),
        "closed": [(outcome or "Closed", n) for outcome, n in closed],
        "overdue_deadlines": [{"what": d.kind, "due_at": d.due_at, "reference": ref} for d, ref in overdue_deadlines],
        "overdue_tasks": [{"task": t, "reference": ref} for t, ref in overdue_tasks],
        "dormant": [{"reference": c.reference, "name": subject_name(c.referral), "since": c.updated_at,
                     "outcome": c.outcome} for c in dormant],
        "open_incidents": incidents,
    }


__all__ = ["Page", "SORTS", "PAGE_SIZE", "task_queue", "queue_counts", "task_kinds", "ready_task", "case_tasks",
           "user", "active_user", "colleagues", "subject_name", "case_summary", "case_detail", "CaseDetail",
           "certificate_status", "waiting_messages", "progress", "progress_of", "diagram_xml", "document", "search",
           "dashboard"]
