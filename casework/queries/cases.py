"""A case as the pages and the API show it: its summary (one shape for both), everything its
page shows, its documents and certificates, its audit trail, and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, func, or_, select

from .. import subjects
from ..models import AuditEntry, Case, Certificate, Deadline, Document, Email, Incident, Note, Subject, Timer, UserTask
from . import PAGE_SIZE, Page, page_of
from . import tasks as task_queries

subject_name = subjects.display_name


def _text(value):
    return value if isinstance(value, str) else None


def summary(case: Case) -> dict:
    """Who the case is about and where it stands: the task pages' banner and the API's case."""
    referral = case.referral or {}
    subject = referral.get("subject") or {}
    recorded = case.subject
    return {
        "reference": case.reference,
        "state": case.state,
        "stage": case.stage,
        "outcome": case.outcome,
        "team": case.team,
        "case_owner": case.case_owner,
        "subject_name": subject_name(referral),
        "date_of_birth": (recorded.date_of_birth if recorded else None) or _text(subject.get("date_of_birth")),
        "nationality": (recorded.nationality if recorded else None) or _text(subject.get("nationality")),
        "pnc_id": (recorded.pnc_id if recorded else None) or _text(subject.get("pnc_id")),
        "convictions": list(referral.get("convictions") or []),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def waiting_for(service, case: Case) -> list[str]:
    """The messages the case waits for: kept on the case at every step (a case from before
    that was kept says None, and its workflow is asked once)."""
    if case.waiting_for is not None:
        return list(case.waiting_for)
    return service.instance(case).waiting_messages()


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


def same_time(a, b) -> bool:
    return abs((a - b).total_seconds()) < 60


def live_deadlines(session, case: Case, tasks: list[UserTask]) -> list[dict]:
    """The deadlines the case still has: its tasks' due dates and the timers its process waits
    on, each once. A timer that a recorded deadline stands for (the Stage 1 response and the
    timer of its period, due together) takes that deadline's name. A recorded deadline that
    no timer waits on any more (the response came, or the case is concluded) is not shown:
    it says what was due, and the notes and timeline keep that."""
    recorded = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).all()
    deadlines = [{"what": f"Task: {t.name}", "due_at": t.due_at} for t in tasks if t.due_at]
    for timer in session.scalars(select(Timer).where(Timer.case_id == case.id)):
        named = [d.kind for d in recorded if same_time(d.due_at, timer.due_at)]
        deadlines.append({"what": named[0] if named else timer.name, "due_at": timer.due_at})
    return sorted(deadlines, key=lambda d: d["due_at"])


def detail(session, case: Case, *, data: dict, waiting: list[str], awaiting_certificate: bool = False) -> CaseDetail:
    """Everything the case page shows; ``data`` are the case's process variables now, and
    ``awaiting_certificate`` whether one of the messages it waits for brings a certificate."""
    referral = case.referral or {}
    subject = case.subject
    aliases = (
        [a.name for a in subject.aliases]
        if subject is not None
        else list((referral.get("subject") or {}).get("aliases") or [])
    )
    if subject is not None and subject.convictions:
        convictions = [
            {"country": c.country, "offence": c.offence, "date": c.date, "sentence": c.sentence}
            for c in sorted(subject.convictions, key=lambda c: (c.date or "", c.id))
        ]
    else:
        convictions = list(referral.get("convictions") or [])
    held = certificates(session, case)
    tasks = task_queries.of_case(session, case.id)
    deadlines = live_deadlines(session, case, tasks)
    return CaseDetail(
        case=case,
        referral=referral,
        subject=subject,
        aliases=aliases,
        convictions=convictions,
        certificates=held,
        certificate_status=certificate_status(held, data, awaiting_certificate),
        deadlines=deadlines,
        documents=list(
            session.scalars(
                select(Document).where(Document.case_id == case.id).order_by(Document.created_at, Document.id)
            )
        ),
        emails=list(
            session.scalars(select(Email).where(Email.case_id == case.id).order_by(Email.created_at, Email.id))
        ),
        notes=list(session.scalars(select(Note).where(Note.case_id == case.id).order_by(Note.at, Note.id))),
        timeline=list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.at, AuditEntry.id)
            )
        ),
        tasks=tasks,
        incidents=list(
            session.scalars(select(Incident).where(Incident.case_id == case.id, Incident.resolved_at.is_(None)))
        ),
        waiting_for=waiting,
    )


NOT_DISCLOSABLE_PNC = "not disclosable: its convictions may be usable through the PNC"


def certificate_status(held, data: dict, awaiting_certificate: bool) -> str:
    """disclosable, awaited, destroyed or not yet checked, as the case page says it (WF-1, WF-2)."""
    kept = [c for c in held if c.status == "held"]
    destroyed = [c for c in held if c.status == "destroyed"]
    if awaiting_certificate:
        return "destroyed, disclosable certificate awaited" if destroyed else "disclosable certificate awaited"
    if kept and data.get("certificate_disclosable") is True:
        # WF-3: only a certificate marked for immigration/deportation is itself disclosable;
        # another passed the check because its convictions are on the PNC
        if data.get("held_certificate_purpose") == "immigration_deportation":
            return "disclosable"
        return NOT_DISCLOSABLE_PNC
    if kept:
        return "held, not yet checked"
    if destroyed:
        return "destroyed"
    return "none held"


def certificates(session, case: Case) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.case_id == case.id).order_by(Certificate.id)))


def certificate(session, case: Case, certificate_id: int) -> Certificate | None:
    found = session.get(Certificate, certificate_id) if 0 < certificate_id < 2**63 else None
    return found if found is not None and found.case_id == case.id else None


def document(session, case: Case, document_id: int) -> Document | None:
    found = session.get(Document, document_id) if 0 < document_id < 2**63 else None
    return found if found is not None and found.case_id == case.id else None


def documents(session, case: Case) -> list[dict]:
    """The case's documents: the PDFs it generated and the ACRO certificates it holds."""
    out = []
    for doc in session.scalars(
        select(Document).where(Document.case_id == case.id).order_by(Document.created_at, Document.id)
    ):
        out.append(
            {
                "id": f"document-{doc.id}",
                "kind": doc.kind,
                "title": doc.title,
                "filename": doc.filename,
                "created_at": doc.created_at,
                "status": "held",
                "sha256": doc.sha256,
                "downloadable": True,
            }
        )
    for cert in certificates(session, case):
        out.append(
            {
                "id": f"certificate-{cert.id}",
                "kind": "ACRO certificate",
                "title": f"ACRO certificate ({cert.status})",
                "filename": cert.filename,
                "created_at": cert.received_at,
                "status": cert.status,
                "sha256": None,
                "downloadable": cert.has_file,
            }
        )
    return out


def document_content(session, case: Case, document_id: str) -> tuple[bytes, str] | None:
    """The bytes and file name of one document of the case, or None (destroyed, not there)."""
    kind, _, number = (document_id or "").partition("-")
    if not number.isdigit() or len(number) > 18:
        return None
    if kind == "document":
        doc = document(session, case, int(number))
        if doc is None:
            return None
        try:
            return Path(doc.path).read_bytes(), doc.filename
        except OSError:
            return None
    if kind == "certificate":
        cert = session.get(Certificate, int(number))
        if cert is None or cert.case_id != case.id or not cert.has_file:
            return None
        return cert.file, cert.filename or f"{case.reference}-certificate-{cert.id}.pdf"
    return None


def audit(session, case: Case, *, page: int = 1, size: int = 50) -> Page:
    query = select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.at, AuditEntry.id)
    count = select(func.count()).select_from(AuditEntry).where(AuditEntry.case_id == case.id)
    return page_of(session, query, count, page, size)


# -- lists and search ---------------------------------------------------------------------
def conditions(*, words=(), date_of_birth: str = "", pnc_id: str = "", reference: str = "") -> list:
    """SQL conditions on ``Case`` for a search; every criterion given must match.

    A name matches when each word is part of a name the subject is known by (the referral's
    names and aliases, and once the subject is recorded those of their other referrals),
    ignoring case and accents. Everything but the reference and the date of birth is in
    ``Case.search_names``, which PostgreSQL serves with a trigram index.
    """
    found = []
    if reference:
        found.append(Case.reference == reference.strip().upper())
    if pnc_id:
        found.append(Case.search_names.contains(subjects.normalise(pnc_id), autoescape=True))
    if date_of_birth:
        found.append(Case.referred_date_of_birth == date_of_birth.strip())
    for word in words:
        found.append(Case.search_names.contains(word, autoescape=True))
    return found


def search(
    session, *, name: str = "", date_of_birth: str = "", pnc_id: str = "", reference: str = "", limit: int = 50
) -> list[dict]:
    """Cases by the subject's name or alias, date of birth, PNC ID or case reference."""
    words = subjects.normalise(name).split()
    if not (words or date_of_birth.strip() or pnc_id.strip() or reference.strip()):
        return []
    where = conditions(words=words, date_of_birth=date_of_birth, pnc_id=pnc_id, reference=reference)
    newest = (Case.created_at.desc(), Case.id.desc())
    # the ids first: SQLite finds them in a narrow index (casework/search_indexes.py) instead
    # of reading every case row whole
    found = select(Case.id).where(*where).order_by(*newest).limit(limit)
    cases = session.scalars(select(Case).where(Case.id.in_(found)).order_by(*newest)).all()
    return [summary(c) for c in cases]


def listing(
    session,
    *,
    q: str | None = None,
    state: str | None = None,
    team: str | None = None,
    case_owner: str | None = None,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """Cases, newest activity first; ``q`` searches the reference, the PNC ID and every name
    the subject is known by (case, accents and spacing ignored)."""
    where = []
    if state:
        where.append(Case.state == state)
    if team:
        where.append(Case.team == team)
    if case_owner:
        where.append(Case.case_owner == case_owner)
    key = subjects.normalise(q)
    if key:
        # a reference, or words of a name or a PNC ID
        where.append(or_(and_(*conditions(words=key.split())), and_(*conditions(reference=key))))
    latest = (Case.updated_at.desc(), Case.id.desc())
    number = max(1, page)
    # the page's ids first, as in ``search``, each with the count of every match: one pass over
    # the matches (a separate count read them all a second time)
    found = session.execute(
        select(Case.id, func.count().over()).where(*where).order_by(*latest).offset((number - 1) * size).limit(size)
    ).all()
    if found:
        total = found[0][1]
    elif number == 1:
        total = 0
    else:  # past the last page: the count alone
        total = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    ids = [row[0] for row in found]
    cases = session.scalars(select(Case).where(Case.id.in_(ids)).order_by(*latest)).all() if ids else []
    return Page(list(cases), total, number, size)
