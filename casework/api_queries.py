"""Read-side queries for the JSON API: cases listed and searched, task lists with filters,
documents and the audit trail, a page at a time. Nothing here changes data."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from . import queries, subjects
from .models import AuditEntry, Case, Certificate, Document, UserTask



@dataclass
class Page:
    items: list
    page: int
    page_size: int
    total: int


def _page(session, query, count_query, page: int, page_size: int) -> Page:
    total = session.scalar(count_query) or 0
    items = list(session.scalars(query.offset((page - 1) * page_size).limit(page_size)))
    return Page(items, page, page_size, total)


def cases(session, *, q: str | None = None, state: str | None = None, team: str | None = None,
          case_owner: str | None = None, page: int = 1, page_size: int = 20) -> Page:
    """Cases, newest activity first; ``q`` searches the reference, the PNC ID and every name
    the subject is known by (case, accents and spacing ignored)."""
    conditions = []
    if state:
        conditions.append(Case.state == state)
    if team:
        conditions.append(Case.team == team)
    if case_owner:
        conditions.append(Case.case_owner == case_owner)
    order = (Case.updated_at.desc(), Case.id.desc())
    key = subjects.normalise(q)
    if key:
        # a reference, a PNC ID, or words of a name
        # a reference, or words of a name or a PNC ID
        conditions.append(or_(and_(*queries.case_conditions(words=key.split())),
                              and_(*queries.case_conditions(reference=key))))
    query = select(Case).where(*conditions).order_by(*order)
    return _page(session, query, select(func.count()).select_from(Case).where(*conditions), page, page_size)


def tasks(session, *, actor, now: datetime, group: str | None = None, assignee: str | None = None,
          unassigned: bool = False, case_reference: str | None = None, task: str | None = None,
          overdue: bool = False, sort: str = "due", page: int = 1, page_size: int = 20) -> Page:
    """Ready tasks the caller may see (their groups' and their own; an administrator sees all)."""
    query = select(UserTask)
    conditions = []
    if not actor.is_admin:
        conditions.append(or_(UserTask.group.in_(sorted(actor.groups)), UserTask.assignee == actor.username))
    if group:
        conditions.append(UserTask.group == group)
    if assignee:
        conditions.append(UserTask.assignee == assignee)
    if unassigned:
        conditions.append(UserTask.assignee.is_(None))
    if case_reference:
        conditions.append(UserTask.case_id.in_(select(Case.id).where(Case.reference == case_reference.strip().upper())))
    if task:
        conditions.append(UserTask.bpmn_id == task)
    if overdue:
        conditions.append(UserTask.due_at < now)
    query = query.where(*conditions).order_by(*queries.SORTS.get(sort, queries.SORTS["due"]))
    count = select(func.count()).select_from(UserTask).where(*conditions)
    return _page(session, query, count, page, page_size)


def case_tasks(session, case: Case) -> list[UserTask]:
    return list(session.scalars(select(UserTask).where(UserTask.case_id == case.id)
                                .order_by(UserTask.created_at, UserTask.id)))


def certificates(session, case: Case) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.case_id == case.id).order_by(Certificate.id)))


def documents(session, case: Case) -> list[dict]:
    """The case's documents: the PDFs it generated and the ACRO certificates it holds."""
    out = []
    for doc in session.scalars(select(Document).where(Document.case_id == case.id)
                               .order_by(Document.created_at, Document.id)):
        out.append({"id": f"document-{doc.id}", "kind": doc.kind, "title": doc.title, "filename": doc.filename,
                    "created_at": doc.created_at, "status": "held", "sha256": doc.sha256, "downloadable": True})
    for cert in certificates(session, case):
        out.append({"id": f"certificate-{cert.id}", "kind": "ACRO certificate",
                    "title": f"ACRO certificate ({cert.status})", "filename": cert.filename,
                    "created_at": cert.received_at, "status": cert.status, "sha256": None,
                    "downloadable": bool(cert.file)})
    return out


def document_content(session, case: Case, document_id: str) -> tuple[bytes, str] | None:
    """The bytes and file name of one document of the case, or None (destroyed, not there)."""
    kind, _, number = (document_id or "").partition("-")
    if not number.isdigit() or len(number) > 18:
        return None
    if kind == "document":
        doc = session.get(Document, int(number))
        if doc is None or doc.case_id != case.id:
            return None
        from pathlib import Path
        try:
            return Path(doc.path).read_bytes(), doc.filename
        except OSError:
            return None
    if kind == "certificate":
        cert = session.get(Certificate, int(number))
        if cert is None or cert.case_id != case.id or not cert.file:
            return None
        return cert.file, cert.filename or f"{case.reference}-certificate-{cert.id}.pdf"
    return None


def audit(session, case: Case, *, page: int = 1, page_size: int = 50) -> Page:
    query = select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.at, AuditEntry.id)
    count = select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id == case.id)
    return _page(session, query, count, page, page_size)
