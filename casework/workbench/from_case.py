"""Make a scenario from a case: its referral, the answers at each task, the messages and the
timers, in the order they happened and with the clock moved as it moved, become a scenario
(docs/scenarios.md) whose expectations pin what the case did.

A scenario is kept in the repository, so the subject's personal data never goes into it:
names, dates of birth, identity numbers, addresses, the certificate's text and free-text
answers are replaced by placeholders; what the process decides on (nationality, the
certificate's request purpose, choices, yes/no answers, dates of events) is kept. Making
one is a use of the case's data and is logged with its purpose (FD-1).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import yaml
from sqlalchemy import select

from engine.instance import NotWaiting, form_to_dict

from .. import dpa
from ..errors import InvalidAnswers
from ..models import AuditEntry, Certificate, Deadline, Document, Email, User, UserTask

WITHHELD = "Withheld from the case (personal data)"


def _pseudonymous_referral(referral: dict) -> dict:
    subject = dict(referral.get("subject") or {})
    out_subject = {
        "family_name": "SCENARIO",
        "given_names": "Subject",
        "aliases": [f"Alias {n + 1}" for n, _ in enumerate(subject.get("aliases") or [])],
        "date_of_birth": "1980-01-01" if subject.get("date_of_birth") else None,
        "nationality": subject.get("nationality"),
        "identity_documents": [
            {"type": d.get("type"), "number": f"X{n + 1:07d}", "issuing_country": d.get("issuing_country")}
            for n, d in enumerate(subject.get("identity_documents") or [])
        ],
        "pnc_id": "00/000000A" if subject.get("pnc_id") else None,
    }
    officer = referral.get("officer") or {}
    return {
        "subject": out_subject,
        "convictions": [
            {
                "country": c.get("country"),
                "offence": f"Offence {n + 1}",
                "date": c.get("date"),
                "sentence": c.get("sentence"),
            }
            for n, c in enumerate(referral.get("convictions") or [])
        ],
        "interpol_check_outcome": referral.get("interpol_check_outcome"),
        "officer": {
            "name": "Officer" if officer.get("name") else None,
            "force": officer.get("force"),
            "email": "officer@police.example" if officer.get("email") else None,
            "phone": "00000 000000" if officer.get("phone") else None,
        },
        "request_reason": referral.get("request_reason"),
        "last_known_address": "Address withheld" if referral.get("last_known_address") else None,
    }


def _certificate(certificate: Certificate | None) -> dict | None:
    if certificate is None:
        return None
    return {"request_purpose": certificate.request_purpose, "content": "Certificate text withheld"}


def _answer(field: dict, value):
    if value is None:
        return None
    kind = field.get("type")
    if kind == "boolean":
        return "yes" if value else "no"
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    if kind == "string" and (field.get("properties") or {}).get("component") == "textarea":
        return WITHHELD
    return value


def _wait(gap: timedelta) -> str | None:
    minutes = int(gap.total_seconds() // 60)
    if minutes < 1:
        return None
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def _role_of(session, settings, username: str, groups: list[str]) -> str | None:
    user = session.scalars(select(User).where(User.username == username)).first()
    roles = list(user.roles) if user is not None else []
    for role in roles:
        if set(settings.role_groups.get(role, [])) & set(groups):
            return role
    return roles[0] if roles else None


def scenario_from_case(service, reference: str, actor, purpose: str) -> tuple[str, str]:
    """(file name, YAML text) of a scenario that replays the case and pins its outcome."""
    purpose = " ".join((purpose or "").split())
    if not purpose:
        raise InvalidAnswers({"purpose": ["Enter why you are using this case's data"]})
    session, settings = service.session, service.settings
    case = service.case((reference or "").strip().upper())
    instance = service.instance(case)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)).all()
    certificates = session.scalars(
        select(Certificate).where(Certificate.case_id == case.id).order_by(Certificate.id)
    ).all()
    first_certificate = certificates[0] if certificates and certificates[0].received_at <= case.created_at else None
    later_certificates = [c for c in certificates if c is not first_certificate]
    events = instance.bundle.message_events

    steps, notes = [], []
    clock = case.created_at
    for entry in entries:
        step = None
        if entry.action == "task completed" and entry.task_id:
            try:
                task = instance.task(entry.task_id)
            except NotWaiting:
                notes.append(f"task {entry.task_bpmn_id} is not in the case's workflow any more")
                continue
            form = form_to_dict(task.task_spec.form)
            answers = {
                f["id"]: _answer(f, task.data.get(f["id"]))
                for f in form.get("fields", [])
                if task.data.get(f["id"]) is not None
            }
            groups = list(getattr(task.task_spec, "candidate_groups", []) or [])
            role = _role_of(session, settings, entry.actor, groups)
            step = {"task": entry.task_bpmn_id, "as": role or entry.actor}
            if entry.actor != role:
                step["user"] = entry.actor
            step["answers"] = answers
        elif entry.action == "message received":
            details = entry.details or {}
            payload = {
                k: (WITHHELD if isinstance(v, str) and len(v) > 40 else v)
                for k, v in (details.get("payload") or {}).items()
            }
            event = events.get(details.get("message"))
            if event is not None and event.carries_certificate and later_certificates:
                payload["certificate"] = _certificate(later_certificates.pop(0))
            step = {"message": details.get("message")}
            if payload:
                step["payload"] = payload
        elif entry.action == "timer fired":
            step = {"fire_timers": True}
        elif entry.action == "process version migrated":
            notes.append(
                f"the case moved from process version {entry.details.get('from')} to "
                f"{entry.details.get('to')}; the scenario runs it on one version throughout"
            )
        if step is None:
            continue
        wait = _wait(entry.at - clock)
        if wait:
            steps.append({"wait": wait})
            clock = clock + _duration(wait)
        steps.append(step)
    expect = _expectations(session, case, instance)
    scenario = {
        "name": f"Replays case {case.reference} (made {service.clock.now():%d %B %Y})",
        "description": (
            f"Made from case {case.reference} by {actor.username}: the referral, answers, messages "
            f"and timers in order, with personal data replaced by placeholders. It pins what the "
            f"case did on process version {case.process_version.digest[:12]}."
            + (" Notes: " + "; ".join(notes) + "." if notes else "")
        ),
        "start": case.created_at.isoformat(),
        "referral": _pseudonymous_referral(case.referral or {}),
    }
    if first_certificate is not None:
        scenario["certificate"] = _certificate(first_certificate)
    scenario["steps"] = steps
    scenario["expect"] = expect
    dpa.log(
        session,
        case,
        actor.username,
        "export",
        purpose,
        service.clock.now(),
        {"made": "scenario", "fields": "pseudonymised"},
    )
    session.commit()
    name = f"case_{case.reference.lower().replace('-', '_')}.yaml"
    text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=100)
    return name, text


def _duration(wait: str) -> timedelta:
    number, unit = int(wait[:-1]), wait[-1]
    return {"d": timedelta(days=number), "h": timedelta(hours=number), "m": timedelta(minutes=number)}[unit]


def _expectations(session, case, instance) -> dict:
    from ..scenarios import CASE_FIELDS, _visited

    expect = {}
    for attr in CASE_FIELDS:
        value = getattr(case, attr)
        if value is not None:
            expect[attr] = value
    waiting = {t.bpmn_id for t in session.scalars(select(UserTask).where(UserTask.case_id == case.id))}
    waiting |= set(instance.waiting_elements())
    expect["waiting_for"] = sorted(waiting)
    expect["visited"] = sorted({b for _, b in _visited(instance)})
    expect["documents_exactly"] = sorted(
        d.kind for d in session.scalars(select(Document).where(Document.case_id == case.id))
    )
    deadlines = sorted({d.kind for d in session.scalars(select(Deadline).where(Deadline.case_id == case.id))})
    if deadlines:
        expect["deadlines"] = deadlines
    expect["emails_total"] = len(session.scalars(select(Email.id).where(Email.case_id == case.id)).all())
    statuses = sorted({c.status for c in session.scalars(select(Certificate).where(Certificate.case_id == case.id))})
    if len(statuses) == 1:
        expect["certificate"] = statuses[0]
    return expect
