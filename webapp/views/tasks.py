"""Task queues and task pages: "My tasks", a queue per team, claiming, releasing and
assigning, and the form for the step in front of the caseworker."""

from __future__ import annotations

import re
from functools import lru_cache

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from casework import forms
from casework.config import REPO
from casework.errors import Conflict, Forbidden, InvalidAnswers
from casework.queries import cases as case_queries
from casework.queries import people, record
from casework.queries import tasks as task_queries
from engine.rules import cited, load_catalogue
from webapp.db import db

from ..bootstrap import casework, policy
from . import access, taskforms
from .auth import may, queues_for, safe_next, signed_in
from .cases import shown_certificates
from .filters import sentence

bp = Blueprint("tasks", __name__)

RULES_FILE = REPO / "docs" / "acro-rules.md"
SORT_LABELS = {"due": "Due date", "priority": "Priority", "age": "Age (oldest first)"}


def _now():
    return current_app.extensions["acro"]["clock"].now()


def group_name(group: str) -> str:
    return current_app.config["ACRO_GROUP_NAMES"].get(group, group)


@lru_cache(maxsize=4)
def _catalogue(path) -> dict:
    return load_catalogue(path)


def guidance(documentation: str | None) -> tuple[str, list[tuple[str, str]]]:
    """What the step is for (its documentation without the rule list) and each cited rule's text."""
    catalogue = _catalogue(str(RULES_FILE))
    about = re.sub(r"^\s*Rules?:\s*[A-Z0-9, \-]+\.\s*", "", documentation or "").strip()
    return about, [(rule, catalogue.get(rule, "This rule is not in the catalogue.")) for rule in cited(documentation)]


# -- queues -----------------------------------------------------------------------------
MAX_PAGE = 100000  # as the API's page parameter


def page_number(value) -> int:
    """The page asked for; 400 for one that is not a whole number from 1 to MAX_PAGE."""
    if value in (None, ""):
        return 1
    if not (value.isascii() and value.isdigit() and 1 <= len(value) <= 6 and 1 <= int(value) <= MAX_PAGE):
        abort(400, description=f"The page number must be a whole number from 1 to {MAX_PAGE:,}.")
    return int(value)


def _queue(title: str, *, assignee=None, group=None, current: str):
    args = request.args
    sort = args.get("sort") if args.get("sort") in task_queries.SORTS else "due"
    task = args.get("task") or None
    overdue = args.get("overdue") == "yes"
    now = _now()
    page = task_queries.queue(
        db.session,
        now=now,
        assignee=assignee,
        group=group,
        task=task,
        overdue=overdue,
        sort=sort,
        page=page_number(args.get("page")),
    )
    counts = task_queries.counts(db.session, now=now, username=g.actor.username, groups=queues_for(g.actor))
    kinds = task_queries.kinds(db.session, assignee=assignee, group=group)
    filters = {"sort": sort, "task": task or "", "overdue": "yes" if overdue else ""}
    # the subject's name only to someone who works on cases, and each list of names is logged
    # (FD-1); an administrator manages the queues without seeing who they are about
    show_subjects = may("view_cases")
    if show_subjects and page.items:
        access.record_list(
            "queue",
            f"Choosing work from the queue: {title}",
            {"queue": current, **{k: v for k, v in filters.items() if v}, "page": page.number},
            [item["reference"] for item in page.items],
        )

    def page_href(number):
        return url_for(
            request.endpoint, **(request.view_args or {}), page=number, **{k: v for k, v in filters.items() if v}
        )

    return render_template(
        "tasks/queue.html",
        title=title,
        page=page,
        counts=counts,
        kinds=kinds,
        filters=filters,
        current=current,
        sort_labels=SORT_LABELS,
        group_name=group_name,
        group=group,
        page_href=page_href,
        can_act=lambda t: policy().may_work_on(g.actor, t),
        show_subjects=show_subjects,
    )


@bp.get("/tasks")
@signed_in
def my_tasks():
    """The tasks assigned to the signed-in person, and the counts of their teams' queues."""
    return _queue("My tasks", assignee=g.actor.username, current="mine")


@bp.get("/tasks/queues/<group>")
@signed_in
def team_queue(group):
    """A team's queue: only for its members (and administrators)."""
    if group not in queues_for(g.actor):
        abort(403)
    return _queue(f"{group_name(group)} queue", group=group, current=group)


# -- claim, release, assign -------------------------------------------------------------
def _back(reference, task_id):
    target = safe_next(request.form.get("next"))
    return redirect(target or url_for("tasks.task", reference=reference, task_id=task_id))


@bp.post("/cases/<reference>/tasks/<task_id>/claim")
@signed_in
def claim(reference, task_id):
    try:
        task = casework().claim_task(reference, task_id, g.actor)
    except Conflict as exc:
        flash(sentence(exc), "error")
    else:
        flash(f"You have claimed “{task.name}” ({reference}).", "success")
    return _back(reference, task_id)


@bp.post("/cases/<reference>/tasks/<task_id>/release")
@signed_in
def release(reference, task_id):
    task = casework().release_task(reference, task_id, g.actor)
    flash(f"“{task.name}” ({reference}) is back in the team's queue.", "success")
    return _back(reference, task_id)


@bp.post("/cases/<reference>/tasks/<task_id>/assign")
@signed_in
def assign(reference, task_id):
    service = casework()
    task = service.user_task(service.case(reference), task_id)
    if not policy().may_reassign(g.actor, task):
        abort(403)
    colleague = people.user(db.session, request.form.get("assignee") or "")
    to = service.colleague(colleague.username) if colleague is not None else None
    if to is None:
        flash("Select a colleague to assign the task to.", "error")
        return _back(reference, task_id)
    try:
        service.assign_task(reference, task_id, to, g.actor)
    except Forbidden:
        flash(f"{colleague.full_name} is not in the team that does “{task.name}”.", "error")
    else:
        flash(f"“{task.name}” ({reference}) is assigned to {colleague.full_name}.", "success")
    return _back(reference, task_id)


# -- the task page ----------------------------------------------------------------------
def _colleagues(task):
    return people.colleagues(db.session, task.candidate_groups, current_app.config["ACRO_SETTINGS"].role_groups)


def _purpose_of_view(task, can_act: bool) -> str | None:
    """Why this person sees the case's personal data on a task page: working on the task, or
    the purpose they stated for the case; None (the data is not shown) otherwise."""
    if can_act:
        return f"Working on the task: {task.name}"
    return access.purpose_for(task.case.reference)


def _viewed(case, task, why: str, page: str, more: dict | None = None) -> None:
    """Each task page that shows personal data is a view, logged with the purpose of that view."""
    access.record(case.reference, "view", why, {"what": page, "task": task.bpmn_id, **(more or {})})


def _render_task(service, case, task, *, raw=None, errors=None, status=200, focus=None):
    errors = errors or {}
    raw = raw if raw is not None else {}
    can_act = policy().may_work_on(g.actor, task)
    why = _purpose_of_view(task, can_act)
    if why is None:
        return render_template(
            "tasks/manage.html",
            case=case,
            task=task,
            can_act=False,
            colleagues=_colleagues(task),
            group_name=group_name,
        ), status
    # what the task rests on, as its diagram names it: the certificate being checked, and the
    # answers, messages and documents of earlier steps
    certificates = case_queries.certificates(db.session, case) if record.shows_certificate(case, task.bpmn_id) else []
    _viewed(case, task, why, "task", shown_certificates(certificates))
    about, rules = guidance(task.documentation)
    colleagues = _colleagues(task)
    evidence = record.rests_on(db.session, case, task.bpmn_id)
    return render_template(
        "tasks/task.html",
        case=case,
        task=task,
        certificates=certificates,
        evidence=evidence,
        answers_of={step.entry_id: taskforms.answer_rows(step.form, step.answers) for step in evidence},
        summary=case_queries.summary(case),
        fields=taskforms.components(task.form, raw, errors, members=_members, focus=focus) if can_act else [],
        error_list=taskforms.error_summary(task.form, errors),
        can_act=can_act,
        needs_check=record.checks_answers(case, task.bpmn_id),
        about=about,
        rules=rules,
        colleagues=colleagues,
        group_name=group_name,
        overdue=bool(task.due_at and task.due_at < _now()),
    ), status


def _members(group: str) -> list:
    return people.colleagues(db.session, [group], current_app.config["ACRO_SETTINGS"].role_groups)


def _lost_race(reference: str, task_name: str, form: dict, conflict: Conflict):
    """Someone else acted first: say who and when, and show the answers this person typed."""
    answers = taskforms.for_service(form, taskforms.raw_answers(form, request.form))
    return render_template(
        "tasks/conflict.html",
        reference=reference,
        task_name=task_name,
        message=sentence(conflict),
        rows=taskforms.answer_rows(form, answers),
    ), 409


def _hidden(form: dict, raw: dict) -> list[tuple[str, str]]:
    """The answers as hidden inputs, so the check page can send them on unchanged."""
    hidden = []
    for field in form.get("fields", []):
        value = raw.get(field["id"])
        if field.get("type") == "date":
            hidden += [(f"{field['id']}-{p}", (value or {}).get(p, "")) for p in ("day", "month", "year")]
        else:
            hidden.append((field["id"], value or ""))
    return hidden


@bp.route("/cases/<reference>/tasks/<task_id>", methods=["GET", "POST"])
@signed_in
def task(reference, task_id):
    """The form for one task; decisions with legal effect go through a check page first.

    Administrators see the page to assign or release the task, without the form.
    """
    service = casework()
    case = service.case(reference)
    try:
        task = service.user_task(case, task_id)
    except Conflict as exc:
        if request.method != "POST" or not exc.element:
            raise
        return _lost_race(reference, *record.form_of(case, exc.element), exc)
    can_act = policy().may_work_on(g.actor, task)
    if not policy().may_open_task(g.actor, task):
        abort(403)
    if request.method == "GET":
        return _render_task(service, case, task)
    if not can_act:
        abort(403)
    action = request.form.get("action", "submit")
    raw = taskforms.raw_answers(task.form, request.form)
    answers = taskforms.for_service(task.form, raw)
    if action == "change" or action.startswith("change:"):
        # back from the check page, the answers kept; a row's Change button names its field
        return _render_task(service, case, task, raw=raw, focus=action.partition(":")[2] or None)
    needs_check = record.checks_answers(case, task.bpmn_id)
    if needs_check and action != "confirm":
        try:
            forms.clean(task.form, answers, today=_now().date())
        except forms.ValidationError as exc:
            return _render_task(service, case, task, raw=raw, errors=exc.messages, status=400)
        _viewed(case, task, _purpose_of_view(task, can_act), "check answers")
        return render_template(
            "tasks/check.html",
            case=case,
            task=task,
            summary=case_queries.summary(case),
            rows=taskforms.answer_rows(task.form, answers, change=True),
            hidden=_hidden(task.form, raw),
        )
    # kept before trying: when someone else got there first, the task may be gone, and the person
    # still sees what they typed
    form, task_name = task.form, task.name
    try:
        service.complete_task(reference, task_id, answers, g.actor)
    except InvalidAnswers as exc:
        return _render_task(service, case, task, raw=raw, errors=exc.messages, status=400)
    except Conflict as exc:
        return _lost_race(reference, task_name, form, exc)
    next_tasks = [
        {"href": url_for("tasks.task", reference=reference, task_id=t.id), "text": t.name}
        for t in task_queries.of_case(db.session, case.id)
        if policy().may_work_on(g.actor, t)
    ]
    flash(
        {
            "title": f"“{task.name}” is done",
            "text": f"Case {reference}: {case.stage or ''}".strip(),
            "links": next_tasks,
        },
        "success",
    )
    return redirect(url_for("tasks.my_tasks"))
