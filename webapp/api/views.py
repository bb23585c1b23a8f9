"""The endpoints: thin views that read the request, call one service function and turn its
answer (or its refusal) into JSON."""

from __future__ import annotations

import re

from flask import current_app, request, url_for
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from casework import forms
from casework.errors import InvalidAnswers
from casework.models import Case, UserTask
from casework.queries import cases as case_queries
from casework.queries import tasks as task_queries
from casework.service import AlreadyReceived
from webapp.db import db

from ..bootstrap import casework, policy
from .core import PURPOSE_HEADER, ApiProblem, actor, bp, errors, flatten, purpose, refuse
from .schemas import (
    AuditPageSchema,
    AuditQuery,
    CaseDetailSchema,
    CasePageSchema,
    CaseQuery,
    CompleteTaskSchema,
    CreateReferralSchema,
    DocumentListSchema,
    MessageSchema,
    ReadQuery,
    ReferralResultSchema,
    StepResultSchema,
    TaskDetailSchema,
    TaskPageSchema,
    TaskQuery,
    TaskSchema,
)

IDEMPOTENCY_HEADER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Send the same key again (a retry) and get the case the first call made, "
    "with 200, instead of a second referral.",
}
REFERENCE = {
    "in": "path",
    "name": "reference",
    "required": True,
    "schema": {"type": "string", "maxLength": 40},
    "description": "a case reference, e.g. ACRO-2026-000001",
}
TASK_ID = {"in": "path", "name": "task_id", "required": True, "schema": {"type": "string", "maxLength": 36}}
DOCUMENT_ID = {
    "in": "path",
    "name": "document_id",
    "required": True,
    "schema": {"type": "string", "maxLength": 40},
    "description": "document-N or certificate-N",
}


# -- shapes -------------------------------------------------------------------------------
def case_summary(case: Case) -> dict:
    return case_queries.summary(case)


def task_dict(task: UserTask, reference: str | None = None) -> dict:
    return {
        "id": task.id,
        "case_reference": reference or task.case.reference,
        "bpmn_id": task.bpmn_id,
        "name": task.name,
        "process": task.process,
        "group": task.group,
        "candidate_groups": list(task.candidate_groups or []),
        "assignee": task.assignee,
        "due_at": task.due_at,
        "priority": task.priority,
        "created_at": task.created_at,
        "documentation": task.documentation,
        "form": form_dict(task.form),
    }


def form_dict(form: dict) -> dict:
    """The form, each question saying whether it is asked (its ``asked_if`` condition)."""
    questions = []
    for field in form.get("fields") or []:
        where = forms.placement(form, field).kind
        asked = True if where == "always" else False if where == "hidden" else None
        questions.append({**field, "asked_if": forms.condition_of(field), "asked": asked})
    return {"fields": questions}


def _with_tasks(case: Case) -> tuple[Case, list[UserTask]]:
    """The case (which the step's commit expired) read again with its subject and its ready
    tasks, oldest first, in one query, not three."""
    rows = db.session.execute(
        select(Case, UserTask)
        .outerjoin(UserTask, UserTask.case_id == Case.id)
        .where(Case.id == inspect(case).identity[0])
        .options(joinedload(Case.subject))
        .order_by(UserTask.created_at, UserTask.id)
        .execution_options(populate_existing=True)
    ).all()
    return rows[0][0], [task for _, task in rows if task is not None]


def step_result(case: Case) -> dict:
    case, tasks = _with_tasks(case)
    return {"case": case_summary(case), "tasks": [task_dict(t, case.reference) for t in tasks]}


def referral_result(case: Case) -> dict:
    # the ready tasks with their forms, so a client completes the first one without asking
    # for it; only those the caller may open, as GET /tasks/{id} would give them
    who, rules = actor(), policy()
    case, tasks = _with_tasks(case)
    tasks = [t for t in tasks if rules.may_open_task(who, t)]
    return {**case_summary(case), "tasks": [task_dict(t, case.reference) for t in tasks]}


def _may_view():
    if not policy().may_view_cases(actor()):
        refuse(f"{actor().username} works in no candidate group, so may not see cases")


# -- referrals ----------------------------------------------------------------------------
@bp.route("/referrals", methods=["POST"], tags=["referrals"], parameters=[IDEMPOTENCY_HEADER])
@bp.arguments(CreateReferralSchema, error_status_code=422)
@bp.response(
    201,
    ReferralResultSchema,
    description="The referral is recorded; its case waits for the CC Workflow team's certificate check. "
    "The answer carries the case's ready tasks that the caller may open, with their forms.",
    headers={"Location": {"description": "the new case", "schema": {"type": "string"}}},
)
@bp.alt_response(
    200,
    schema=ReferralResultSchema,
    description="This Idempotency-Key was used before: the case that call created, with its ready tasks now.",
)
@errors(400, 401, 403, 409, 413, 422)
def create_referral(body):
    """Record an ACRO referral (INT-1) and start its case.

    Any detail may be absent (null), except that the referral must name someone (a name or
    a PNC ID). The certificate, if sent, is filed with the case.
    """
    who = actor()
    if not policy().may_submit_referral(who):
        refuse(f"{who.username} is not in a group that enters referrals")
    key = request.headers.get("Idempotency-Key")
    key = key.strip() if key is not None else None
    if key is not None and not re.fullmatch(r"[\x21-\x7e]{1,200}", key):
        raise ApiProblem(
            400,
            "idempotency-key",
            "Bad Idempotency-Key",
            "The Idempotency-Key must be 1 to 200 visible ASCII characters.",
            errors={"Idempotency-Key": ["1 to 200 visible ASCII characters."]},
        )
    try:
        case = casework().submit_referral(
            body["referral"],
            who,
            certificate=body.get("certificate"),
            channel="api",
            message_key=f"api:{who.username}:{key}" if key else None,
        )
    except AlreadyReceived as exc:
        return referral_result(exc.case), 200
    except InvalidAnswers as exc:
        raise ApiProblem(
            422,
            "invalid-referral",
            "Unprocessable content",
            "The referral is not valid: see errors for each field.",
            errors={(k if k.startswith("certificate") else f"referral.{k}"): v for k, v in exc.messages.items()},
        ) from None
    return referral_result(case), 201, {"Location": url_for("api.get_case", reference=case.reference)}


# -- cases --------------------------------------------------------------------------------
@bp.route("/cases", methods=["GET"], tags=["cases"], parameters=[PURPOSE_HEADER])
@bp.arguments(CaseQuery, location="query", error_status_code=400, unknown=None)
@bp.response(200, CasePageSchema)
@errors(400, 401, 403)
def list_cases(args):
    """List cases, newest activity first, or search them with ``q`` (reference, PNC ID, name or alias).

    The items carry personal data, so a list or search needs a purpose (X-Purpose or
    ``purpose``): who asked for what, why, and the cases shown are logged (FD-1).
    """
    _may_view()
    why = purpose(what="these cases")
    page = case_queries.listing(
        db.session,
        q=args.get("q"),
        state=args.get("state"),
        team=args.get("team"),
        case_owner=args.get("case_owner"),
        page=args["page"],
        size=args["page_size"],
    )
    criteria = {k: args[k] for k in ("q", "state", "team", "case_owner", "page", "page_size") if args.get(k)}
    casework().record_list_access(
        actor(),
        why,
        {"via": "api", "what": "search" if args.get("q") else "case list", "criteria": criteria},
        [c.reference for c in page.items],
    )
    return {
        "items": [case_summary(c) for c in page.items],
        "page": page.number,
        "page_size": page.size,
        "total": page.total,
    }


@bp.route("/cases/<reference>", methods=["GET"], tags=["cases"], parameters=[REFERENCE, PURPOSE_HEADER])
@bp.arguments(ReadQuery, location="query", error_status_code=400, unknown=None)
@bp.response(200, CaseDetailSchema)
@errors(400, 401, 403, 404)
def get_case(args, reference):
    """A case: the referral as received, where it stands, its certificates and ready tasks.

    Every read is logged with its purpose (FD-1): send X-Purpose (or ``purpose``).
    """
    _may_view()
    why = purpose()
    service = casework()
    service.record_access(reference, actor(), "view", why, {"via": "api", "what": "case"})
    case = service.case(reference)
    detail = case_summary(case)
    detail.update(
        {
            "referral": case.referral,
            # a concluded case holds no one: where the person was is in its decisions
            "custody_status": None if case.state == "closed" else case.custody_status,
            "marker_status": case.marker_status,
            "detention_power": case.detention_power,
            "paper_file_reference": case.paper_file_reference,
            "certificates": [
                {
                    "id": f"certificate-{c.id}",
                    "status": c.status,
                    "request_purpose": c.request_purpose,
                    "filename": c.filename,
                    "received_at": c.received_at,
                    "destroyed_at": c.destroyed_at,
                }
                for c in case_queries.certificates(db.session, case)
            ],
            "tasks": [task_dict(t, case.reference) for t in task_queries.of_case(db.session, case.id)],
            "waiting_for": case_queries.waiting_for(service, case),
        }
    )
    return detail


@bp.route("/cases/<reference>/messages", methods=["POST"], tags=["cases"], parameters=[REFERENCE])
@bp.arguments(MessageSchema, error_status_code=422)
@bp.response(200, StepResultSchema)
@errors(400, 401, 403, 404, 409, 422)
def deliver_message(body, reference):
    """Tell a waiting case what happened: one of the messages its diagrams wait for (its
    `waiting_for`). 403 when the catch event names groups the caller is not in; 409 when the
    case is not waiting for that message; 422 for a message the process does not know, or a
    certificate missing or not expected."""
    who = actor()
    payload = dict(body.get("payload") or {})
    if body.get("certificate"):
        payload["certificate"] = body["certificate"]
    case = casework().deliver_message(reference, body["message"], payload, who)
    return step_result(case)


@bp.route("/cases/<reference>/documents", methods=["GET"], tags=["documents"], parameters=[REFERENCE, PURPOSE_HEADER])
@bp.arguments(ReadQuery, location="query", error_status_code=400, unknown=None)
@bp.response(200, DocumentListSchema)
@errors(400, 401, 403, 404)
def list_documents(args, reference):
    """The case's documents: the PDFs it generated and the ACRO certificates (a destroyed
    certificate is listed, not downloadable). Logged with its purpose."""
    _may_view()
    why = purpose()
    service = casework()
    service.record_access(reference, actor(), "view", why, {"via": "api", "what": "documents"})
    return {"items": case_queries.documents(db.session, service.case(reference))}


@bp.route(
    "/cases/<reference>/documents/<document_id>",
    methods=["GET"],
    tags=["documents"],
    parameters=[REFERENCE, DOCUMENT_ID, PURPOSE_HEADER],
)
@bp.arguments(ReadQuery, location="query", error_status_code=400, unknown=None)
@bp.doc(
    responses={
        200: {
            "description": "The PDF.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@errors(400, 401, 403, 404)
def download_document(args, reference, document_id):
    """Download one document as a PDF. Logged with its purpose."""
    _may_view()
    why = purpose()
    service = casework()
    case = service.case(reference)
    found = case_queries.document_content(db.session, case, document_id)
    if found is None:
        raise ApiProblem(
            404,
            "not-found",
            "Not found",
            f"case {reference} has no document {document_id} to download (a destroyed certificate has no content)",
        )
    # as the browser logs a download: an export of the subject's data, with its purpose
    service.record_access(
        reference, actor(), "export", why, {"via": "api", "what": "document", "document": document_id}
    )
    content, filename = found
    response = current_app.response_class(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename or "document.pdf")[:150] or "document.pdf"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename or 'document.pdf')}"


@bp.route("/cases/<reference>/audit", methods=["GET"], tags=["cases"], parameters=[REFERENCE, PURPOSE_HEADER])
@bp.arguments(AuditQuery, location="query", error_status_code=400, unknown=None)
@bp.response(200, AuditPageSchema)
@errors(400, 401, 403, 404)
def case_audit(args, reference):
    """The case's audit trail, oldest first: who did what, when, at which step. Logged with its purpose."""
    _may_view()
    why = purpose()
    service = casework()
    service.record_access(reference, actor(), "view", why, {"via": "api", "what": "audit"})
    page = case_queries.audit(db.session, service.case(reference), page=args["page"], size=args["page_size"])
    items = [
        {
            "id": e.id,
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "task_bpmn_id": e.task_bpmn_id,
            "task_name": e.task_name,
            "details": e.details,
        }
        for e in page.items
    ]
    return {"items": items, "page": page.number, "page_size": page.size, "total": page.total}


# -- tasks --------------------------------------------------------------------------------
@bp.route("/tasks", methods=["GET"], tags=["tasks"])
@bp.arguments(TaskQuery, location="query", error_status_code=400, unknown=None)
@bp.response(200, TaskPageSchema)
@errors(400, 401, 403)
def list_tasks(args):
    """Ready tasks you may see: your groups' queues and your own (an administrator sees all),
    soonest due first (``sort``: due, priority, age)."""
    who = actor()
    if not policy().may_list_tasks(who):
        refuse(f"{who.username} works in no candidate group")
    assignee = args.get("assignee")
    page = task_queries.visible(
        db.session,
        actor=who,
        now=casework().clock.now(),
        group=args.get("group"),
        assignee=who.username if assignee == "me" else assignee,
        unassigned=args["unassigned"],
        case_reference=args.get("case"),
        task=args.get("task"),
        overdue=args["overdue"],
        sort=args["sort"],
        page=args["page"],
        size=args["page_size"],
    )
    return {
        "items": [task_dict(t) for t in page.items],
        "page": page.number,
        "page_size": page.size,
        "total": page.total,
    }


def _task(task_id: str) -> UserTask:
    # a task already done answers 409 with who did it and when, not 404
    return casework().find_task(task_id)


@bp.route("/tasks/<task_id>", methods=["GET"], tags=["tasks"], parameters=[TASK_ID])
@bp.response(200, TaskDetailSchema)
@errors(401, 403, 404)
def get_task(task_id):
    """One ready task with its form: the fields ``complete`` takes."""
    who = actor()
    task = _task(task_id)
    if not policy().may_open_task(who, task):
        refuse(f"{task.name} is for {', '.join(task.candidate_groups or [])}; {who.username} is not in that group")
    return task_dict(task)


@bp.route("/tasks/<task_id>/claim", methods=["POST"], tags=["tasks"], parameters=[TASK_ID])
@bp.response(200, TaskSchema)
@errors(401, 403, 404, 409)
def claim_task(task_id):
    """Take a task from your group's queue; 409 when someone else has it."""
    task = _task(task_id)
    return task_dict(casework().claim_task(task.case.reference, task_id, actor()))


@bp.route("/tasks/<task_id>/release", methods=["POST"], tags=["tasks"], parameters=[TASK_ID])
@bp.response(200, TaskSchema)
@errors(401, 403, 404)
def release_task(task_id):
    """Put a task you hold back in its group's queue."""
    task = _task(task_id)
    return task_dict(casework().release_task(task.case.reference, task_id, actor()))


@bp.route("/tasks/<task_id>/complete", methods=["POST"], tags=["tasks"], parameters=[TASK_ID])
@bp.arguments(CompleteTaskSchema, error_status_code=422)
@bp.response(200, StepResultSchema)
@errors(400, 401, 403, 404, 409, 422)
def complete_task(body, task_id):
    """Answer a task's form; the case moves on. The answers are checked against the task's
    form (422 with a message per field); 409 when someone else holds the task."""
    task = _task(task_id)
    reference = task.case.reference
    try:
        case = casework().complete_task(reference, task_id, body["answers"], actor())
    except InvalidAnswers as exc:
        raise ApiProblem(
            422,
            "invalid-answers",
            "Unprocessable content",
            "The answers do not fit the task's form: see errors for each field.",
            errors=flatten(exc.messages, "answers"),
        ) from None
    return step_result(case)
