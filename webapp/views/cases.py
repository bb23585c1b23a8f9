"""The case page, with the purpose asked first (FD-1), its documents and process diagram;
recording an event the case waits for; and case search."""

from __future__ import annotations

import io
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from casework import progress as case_progress
from casework.errors import Conflict, InvalidAnswers
from casework.queries import cases as case_queries
from casework.queries import record
from webapp.db import db

from ..bootstrap import casework, policy
from . import access, taskforms
from .auth import requires, safe_next
from .filters import sentence
from .referrals import CERTIFICATE_PURPOSES, page_errors, read_certificate
from .security import FRAMED_BY_OWN_PAGES, has_control_characters

bp = Blueprint("cases", __name__)

MAX_PURPOSE = 500  # as the API's X-Purpose

PURPOSES = {
    "casework": "Working on this case",
    "enquiry": "Answering an enquiry about this case",
    "assurance": "Quality assurance or audit",
}


def _needs_purpose(reference):
    if access.purpose_for(reference) is None:
        return redirect(url_for("cases.purpose", reference=reference, next=request.full_path.rstrip("?")))
    return None


def _choice_of(text: str | None) -> tuple[str, str]:
    """The radio and the free text that show a stated purpose again (to change it)."""
    if not text:
        return "", ""
    for key, label in PURPOSES.items():
        if label == text:
            return key, ""
    return "other", text


def read_purpose(form, purposes: dict, errors: dict, *, why: str) -> str | None:
    """The purpose chosen on a form (one of ``purposes`` or "other" with its text), or None
    with a message in ``errors``."""
    choice = form.get("purpose", "")
    other = (form.get("other") or "").strip()
    if choice not in (*purposes, "other"):
        errors["purpose"] = f"Select why you need to {why}"
    elif choice == "other" and not other:
        errors["other"] = f"Enter why you need to {why}"
    elif choice == "other" and has_control_characters(other, one_line=True):
        errors["other"] = "Your reason has a character that cannot be used (a control character): remove it"
    elif choice == "other" and len(other) > MAX_PURPOSE:
        errors["other"] = f"Your reason must be {MAX_PURPOSE} characters or fewer"
    else:
        return other if choice == "other" else purposes[choice]
    return None


@bp.route("/cases/<reference>/purpose", methods=["GET", "POST"])
@requires("view_cases")
def purpose(reference):
    """Why the person needs to see this case. It holds for ACRO_PURPOSE_MINUTES, and each view
    while it holds is logged with it; a stated purpose can be changed here at any time."""
    service = casework()
    service.case(reference)  # a case that does not exist is a 404, not a question
    errors = {}
    current = access.purpose_for(reference)
    choice, other = _choice_of(current)
    if request.method == "POST":
        choice, other = request.form.get("purpose", ""), (request.form.get("other") or "").strip()
        text = read_purpose(request.form, PURPOSES, errors, why="see this case")
        if text is not None:
            access.remember(reference, text)
            target = safe_next(request.args.get("next")) or ""
            if not target.startswith(f"/cases/{reference}"):
                target = url_for("cases.case", reference=reference)
            return redirect(target)
    return render_template(
        "cases/purpose.html",
        reference=reference,
        purposes=PURPOSES,
        errors=errors,
        choice=choice,
        other=other,
        current=current,
        minutes=current_app.config["ACRO_PURPOSE_MINUTES"],
    ), 400 if errors else 200


@bp.get("/cases/<reference>")
@requires("view_cases")
def case(reference):
    """Everything about the case: subject, referral, certificate, status, documents, emails,
    timeline and where it is in the process. Each view is logged with its purpose."""
    if (redirect_to := _needs_purpose(reference)) is not None:
        return redirect_to
    service = casework()
    case = service.case(reference)
    # the one read that restores the workflow: the page shows where the case is in its process
    instance = service.instance(case)
    progress = case_progress.of(instance)
    waiting = instance.waiting_messages()
    known = service.message_events(case)
    detail = case_queries.detail(
        db.session,
        case,
        data=instance.data(),
        waiting=waiting,
        awaiting_certificate=any(known[name].carries_certificate for name in waiting if name in known),
    )
    why = access.purpose_for(reference)
    access.record(reference, "view", why, {"what": "case", **shown_certificates(detail.certificates)})
    events = service.events_to_record(case, g.actor, waiting, instance)
    service.put_back(case, instance)  # only read: the next step need not restore it
    decisions = record.decisions(db.session, case)
    return render_template(
        "cases/case.html",
        d=detail,
        decisions=decisions,
        answers_of={step.entry_id: taskforms.answer_rows(step.form, step.answers) for step in decisions},
        channels=CHANNELS,
        events_named={name: event.label for name, event in known.items()},
        case=case,
        events=events,
        progress=progress,
        name=case_queries.subject_name(case.referral),
        now_utc=current_app.extensions["acro"]["clock"].now(),
        may_act=lambda t: policy().may_open_task(g.actor, t),
        purpose=why,
        processes=_diagrams(progress),
    )


# how a referral came in, as the timeline says it (the channel is recorded with the referral)
CHANNELS = {
    "web": "entered on the New referral page",
    "api": "sent through the API",
    "email": "taken in from ACRO's email",
    "system": "loaded by the system (demonstration data)",
}


def shown_certificates(certificates) -> dict:
    """What a page's view log says of the certificates whose text it shows (FD-1)."""
    shown = [c.id for c in certificates if c.status == "held"]
    return {"certificates_shown": shown} if shown else {}


def purpose_of_view(reference: str, task_id: str | None) -> str | None:
    """The purpose of a view of a certificate or a document: working on the task whose page
    shows it (the page's link names its task), or else the purpose stated for the case; None
    when there is neither (the person is asked why)."""
    if task_id:
        service = casework()
        task = service.user_task(service.case(reference), task_id)
        if policy().may_work_on(g.actor, task):
            return f"Working on the task: {task.name}"
    return access.purpose_for(reference)


@bp.get("/cases/<reference>/certificates/<id:certificate_id>")
@requires("view_cases")
def certificate(reference, certificate_id):
    """An ACRO certificate's PDF, shown inside a page (or downloaded with ``download=yes``);
    each is logged with the purpose of that view. A destroyed certificate is gone (404)."""
    why = purpose_of_view(reference, request.args.get("task"))
    if why is None:
        return redirect(url_for("cases.purpose", reference=reference, next=request.full_path.rstrip("?")))
    case = casework().case(reference)
    found = case_queries.certificate(db.session, case, certificate_id)
    if found is None or found.status != "held" or not found.file:
        abort(404)
    download = request.args.get("download") == "yes"
    access.record(
        reference,
        "export" if download else "view",
        why,
        {
            "what": "certificate PDF",
            "certificate_id": found.id,
            **({"task": request.args["task"]} if request.args.get("task") else {}),
        },
    )
    response = send_file(
        io.BytesIO(found.file),
        mimetype="application/pdf",
        as_attachment=download,
        download_name=found.filename or f"{reference}-certificate-{found.id}.pdf",
    )
    if not download:
        response.headers.update(FRAMED_BY_OWN_PAGES)
    return response


def _diagrams(progress) -> list[dict]:
    """The main process, and the subprocess the case is in now (if any)."""
    shown = [progress["main"]]
    for process, info in progress["processes"].items():
        if process != progress["main"] and info["current"]:
            shown.append(process)
    return [{"id": p, **progress["processes"][p]} for p in shown if p in progress["processes"]]


@bp.get("/cases/<reference>/progress.json")
@requires("view_cases")
def progress(reference):
    """Per process: the elements done, the flows taken and where the case is now (for the diagram)."""
    service = casework()
    return jsonify(case_progress.of(service.instance(service.case(reference))))


@bp.get("/cases/<reference>/diagrams/<process_id>.bpmn")
@requires("view_cases")
def diagram(reference, process_id):
    """The diagram of the process version this case runs on (not what is in processes/ now)."""
    case = casework().case(reference)
    xml = case_progress.diagram_xml(case, process_id)
    if xml is None:
        abort(404)
    return Response(xml, mimetype="application/xml")


@bp.get("/cases/<reference>/documents/<id:document_id>")
@requires("view_cases")
def document(reference, document_id):
    """A generated PDF; each download is logged with the purpose of that view: the task whose
    page links to it, or else the purpose stated for the case."""
    why = purpose_of_view(reference, request.args.get("task"))
    if why is None:
        return redirect(url_for("cases.purpose", reference=reference, next=request.full_path.rstrip("?")))
    case = casework().case(reference)
    found = case_queries.document(db.session, case, document_id)
    if found is None or not Path(found.path).is_file():
        abort(404)
    access.record(
        reference,
        "export",
        why,
        {
            "what": "document",
            "document_id": found.id,
            "kind": found.kind,
            **({"task": request.args["task"]} if request.args.get("task") else {}),
        },
    )
    return send_file(
        io.BytesIO(Path(found.path).read_bytes()),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=found.filename,
    )


@bp.route("/cases/<reference>/events", methods=["GET", "POST"])
@requires("view_cases")
def record_event(reference):
    """Record an event the case waits for: representations received, deportation enforced, ..."""
    if (redirect_to := _needs_purpose(reference)) is not None:
        return redirect_to
    service = casework()
    case = service.case(reference)
    all_waiting = case_queries.waiting_for(service, case)
    # the catch events the case waits on say what each is and who records it
    events = {event.name: event for event in service.events_to_record(case, g.actor, all_waiting)}
    if all_waiting and not events:
        abort(403)  # it waits, but for events another team records
    if not events:
        flash("This case is not waiting for any event.", "error")
        return redirect(url_for("cases.case", reference=reference))
    errors = {}
    form = request.form
    chosen = form.get("event") or (next(iter(events)) if len(events) == 1 else "")
    if request.method == "POST":
        if chosen not in events:
            errors["event"] = "Select the event that has happened"
        details = (form.get("details") or "").strip()
        if has_control_characters(details):
            errors["details"] = (
                "The details have a character that cannot be used (a control character, such as "
                "one copied from another program): remove it"
            )
        payload = {"details": details} if details else {}
        if chosen in events and events[chosen].carries_certificate:
            certificate, cert_errors = read_certificate(form, request.files)
            if certificate is None:
                cert_errors = {
                    "certificate_purpose": "Select the request purpose stated on the certificate",
                    "certificate_text": "Enter the certificate's text or attach a PDF of it",
                }
            errors.update(cert_errors)
            if certificate:
                payload["certificate"] = certificate
        if not errors:
            try:
                service.deliver_message(reference, chosen, payload, g.actor)
            except Conflict as exc:
                flash(sentence(exc), "error")
                return redirect(url_for("cases.case", reference=reference))
            except InvalidAnswers as exc:
                errors = page_errors(exc, {}, form)
        if not errors:
            flash({"title": "Event recorded", "text": f"{events[chosen].label} ({reference})."}, "success")
            return redirect(url_for("cases.case", reference=reference))
    return render_template(
        "cases/event.html",
        reference=reference,
        events=events,
        errors=errors,
        chosen=chosen,
        form=form,
        certificate_purposes=CERTIFICATE_PURPOSES,
    ), 400 if errors else 200


SEARCH_PURPOSES = {
    "casework": "Finding a case to work on",
    "enquiry": "Answering an enquiry about a person",
    "assurance": "Quality assurance or audit",
}
SEARCH_FIELDS = {"name": "The name", "pnc_id": "The PNC ID", "reference": "The case reference"}


@bp.get("/search")
@requires("view_cases")
def search():
    """Find cases by name or alias, date of birth, PNC ID or case reference. A search shows
    personal data, so it needs a purpose, and who searched for what, and why, is logged."""
    args = request.args
    criteria = {
        "name": args.get("name", ""),
        "date_of_birth": "",
        "pnc_id": args.get("pnc_id", ""),
        "reference": args.get("reference", ""),
    }
    dob = {p: (args.get(f"dob-{p}") or "").strip() for p in ("day", "month", "year")}
    errors = {}
    for field, label in SEARCH_FIELDS.items():
        if has_control_characters(criteria[field], one_line=True):
            errors[field] = f"{label} has a character that cannot be used (a control character): remove it"
    if any(dob.values()):
        from .taskforms import date_value

        value = (
            date_value(dob) if not any(has_control_characters(v, one_line=True) for v in dob.values()) else "not-a-date"
        )
        if value == "not-a-date":
            errors["dob"] = "Date of birth must be a real date"
        else:
            criteria["date_of_birth"] = value
    searched = any(v.strip() for v in criteria.values()) or bool(errors)
    why = None
    if searched:
        why = read_purpose(args, SEARCH_PURPOSES, errors, why="search")
    results = [] if errors or not searched else case_queries.search(db.session, **criteria)
    if searched and not errors:
        access.record_list(
            "search", why, {k: v for k, v in criteria.items() if v.strip()}, [r["reference"] for r in results]
        )
    return render_template(
        "cases/search.html",
        criteria=criteria,
        dob=dob,
        results=results,
        searched=searched,
        errors=errors,
        purposes=SEARCH_PURPOSES,
        choice=args.get("purpose", ""),
        other=args.get("other", ""),
    ), 400 if errors else 200
