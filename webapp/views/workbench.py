"""The analysts' workbench at /processes: versions, drafts edited with the Camunda modeler,
problems, scenario runs with coverage, publishing, and moving running cases
(docs/analysts.md). Only process analysts (permission ``edit_process`` and the two after it)
see these pages."""

from __future__ import annotations

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
    url_for,
)
from sqlalchemy import select

from casework import bundles
from casework.errors import CaseworkError, Conflict, InvalidAnswers, NotFound
from casework.models import Case, CaseMove, ProcessPublication, ProcessVersion
from casework.versions import migrate, plan
from casework.workbench import catalogue, compare, drafts, publishing, runs
from casework.workbench.from_case import scenario_from_case

from ..bootstrap import casework
from .auth import requires
from .filters import sentence

bp = Blueprint("workbench", __name__, url_prefix="/processes")


def _now():
    return current_app.extensions["acro"]["clock"].now()


def _settings():
    return current_app.config["ACRO_SETTINGS"]


def _draft(draft_id):
    return drafts.get(casework().session, draft_id)


def _problem_rows(found, draft_id=None):
    rows = []
    for problem in found:
        element = drafts.problem_element(problem)
        href = None
        if draft_id is not None:
            href = url_for("workbench.editor", draft_id=draft_id, name=problem.file)
            if element:
                href += f"#element={element}"
        rows.append(
            {"file": problem.file, "element": element, "message": problem.message, "text": str(problem), "href": href}
        )
    return rows


# -- home ---------------------------------------------------------------------------------------
@bp.get("")
@requires("edit_process")
def home():
    """The version cases start on now, every earlier version, the open drafts."""
    service = casework()
    session, settings = service.session, _settings()
    current, _ = bundles.current(session, settings.processes_dir)
    return render_template(
        "workbench/home.html",
        current=current,
        history=publishing.history(session),
        folder=publishing.folder_state(session, settings),
        drafts=drafts.open_drafts(session),
        latest=bundles.latest_publication(session),
    )


@bp.post("/drafts")
@requires("edit_process")
def new_draft():
    service = casework()
    source = request.form.get("source", "current")
    if source not in ("current", "folder"):
        abort(400)
    draft = drafts.create(service.session, _settings(), g.actor, _now(), request.form.get("title", ""), source)
    flash(
        {"title": "Draft started", "text": f"{draft.title}: a copy of version {draft.based_on.digest[:12]}."}, "success"
    )
    return redirect(url_for("workbench.draft", draft_id=draft.id))


# -- a draft ------------------------------------------------------------------------------------
@bp.get("/drafts/<int:draft_id>")
@requires("edit_process")
def draft(draft_id):
    service = casework()
    item = _draft(draft_id)
    settings = _settings()
    found = drafts.problems(item, settings)
    run = runs.latest(service.session, item)
    return render_template(
        "workbench/draft.html",
        draft=item,
        problems=_problem_rows(found, item.id),
        scenarios=drafts.scenarios(item, settings),
        run=run,
        summary=runs.summary(run),
        run_is_current=run is not None and run.digest == drafts.digest(item),
        blockers=publishing.blockers(service.session, item, settings),
    )


@bp.post("/drafts/<int:draft_id>/discard")
@requires("edit_process")
def discard(draft_id):
    item = _draft(draft_id)
    drafts.discard(casework().session, item, g.actor, _now())
    flash("The draft was discarded.", "success")
    return redirect(url_for("workbench.home"))


@bp.get("/drafts/<int:draft_id>/files/<name>")
@requires("edit_process")
def editor(draft_id, name):
    """The modeler: camunda-bpmn-js for a diagram, camunda-dmn-js for a decision table."""
    item = _draft(draft_id)
    if name not in item.files:
        abort(404)
    found = drafts.problems(item, _settings())
    return render_template(
        "workbench/editor.html",
        draft=item,
        name=name,
        kind="dmn" if name.endswith(".dmn") else "bpmn",
        problems=_problem_rows(found, item.id),
    )


@bp.route("/drafts/<int:draft_id>/xml/<name>", methods=["GET", "PUT"])
@requires("edit_process")
def draft_xml(draft_id, name):
    """GET: the draft's file. PUT (JSON {xml, revision}): save it; answers with the problems."""
    service = casework()
    item = _draft(draft_id)
    if name not in item.files:
        abort(404)
    if request.method == "GET":
        response = Response(item.files[name], mimetype="application/xml")
        response.headers["X-Draft-Revision"] = str(item.revision)
        return response
    body = request.get_json(silent=True) or {}
    try:
        drafts.save_file(service.session, item, name, body.get("xml"), body.get("revision"), g.actor, _now())
    except InvalidAnswers as exc:
        return jsonify({"saved": False, "errors": exc.messages}), 400
    except Conflict as exc:
        return jsonify({"saved": False, "errors": {"xml": [sentence(exc)]}}), 409
    return jsonify(_problems_json(item))


def _problems_json(item):
    found = drafts.problems(item, _settings())
    return {
        "saved": True,
        "revision": item.revision,
        "updated_at": item.updated_at.isoformat(),
        "problems": _problem_rows(found, item.id),
    }


@bp.get("/drafts/<int:draft_id>/problems.json")
@requires("edit_process")
def problems_json(draft_id):
    return jsonify(_problems_json(_draft(draft_id)))


@bp.get("/catalogue.json")
@requires("edit_process")
def catalogue_json():
    """What the modeler offers: topics (as element templates), form-field properties, rules."""
    return jsonify(catalogue.for_modeler(_settings(), drafts.catalogue(_settings())))


# -- scenarios ----------------------------------------------------------------------------------
@bp.route("/drafts/<int:draft_id>/scenarios/<name>", methods=["GET", "POST"])
@requires("edit_process")
def scenario(draft_id, name):
    """Read or change one scenario; a changed one is kept with the draft."""
    service = casework()
    item = _draft(draft_id)
    settings = _settings()
    new = name == "new"
    text = "" if new else drafts.scenario_text(item, settings, name)
    if text is None:
        abort(404)
    errors, file_name = {}, ("" if new else name)
    if request.method == "POST":
        text = request.form.get("text", "")
        file_name = (request.form.get("name") or "").strip() if new else name
        try:
            drafts.save_scenario(service.session, item, file_name, text, g.actor, _now(), settings)
        except InvalidAnswers as exc:
            errors = {key: " ".join(value) for key, value in exc.messages.items()}
        else:
            flash(
                {"title": "Scenario saved", "text": f"{file_name} is kept with the draft. Run the scenarios again."},
                "success",
            )
            return redirect(url_for("workbench.draft", draft_id=item.id) + "#scenarios")
    return render_template(
        "workbench/scenario.html", draft=item, name=file_name, text=text, new=new, errors=errors
    ), 400 if errors else 200


@bp.post("/drafts/<int:draft_id>/scenarios/<name>/withdraw")
@requires("edit_process")
def withdraw_scenario(draft_id, name):
    drafts.withdraw_scenario(casework().session, _draft(draft_id), name, g.actor, _now(), _settings())
    flash(f"{name} is withdrawn from this draft's suite.", "success")
    return redirect(url_for("workbench.draft", draft_id=draft_id) + "#scenarios")


@bp.route("/drafts/<int:draft_id>/from-case", methods=["GET", "POST"])
@requires("edit_process")
def from_case(draft_id):
    """Make a scenario from a case: it pins what the case did, without its personal data."""
    service = casework()
    item = _draft(draft_id)
    errors, form = {}, request.form
    if request.method == "POST":
        reference = (form.get("reference") or "").strip()
        if not reference:
            errors["reference"] = "Enter the case reference, for example ACRO-2026-000001"
        if not (form.get("purpose") or "").strip():
            errors["purpose"] = "Enter why you are using this case's data"
        if not errors:
            try:
                name, text = scenario_from_case(service, reference, g.actor, form.get("purpose"))
                drafts.save_scenario(service.session, item, name, text, g.actor, _now(), _settings())
            except NotFound:
                errors["reference"] = f"There is no case {reference.upper()}"
            except InvalidAnswers as exc:
                errors = {key: " ".join(value) for key, value in exc.messages.items()}
            else:
                flash(
                    {
                        "title": "Scenario made",
                        "text": f"{name} replays case {reference.upper()}; check it, then run the scenarios.",
                    },
                    "success",
                )
                return redirect(url_for("workbench.scenario", draft_id=item.id, name=name))
    open_cases = service.session.scalars(
        select(Case).where(Case.state != "closed").order_by(Case.id.desc()).limit(20)
    ).all()
    return render_template(
        "workbench/from_case.html", draft=item, errors=errors, form=form, open_cases=open_cases
    ), 400 if errors else 200


# -- runs ---------------------------------------------------------------------------------------
@bp.post("/drafts/<int:draft_id>/runs")
@requires("edit_process")
def start_run(draft_id):
    service = casework()
    item = _draft(draft_id)
    try:
        run, created = runs.start(service.session, item, g.actor, _settings(), _now())
    except Conflict as exc:
        flash(sentence(exc), "error")
        return redirect(url_for("workbench.draft", draft_id=item.id))
    if created:
        runs.submit(
            current_app.config["ACRO_SETTINGS"], run.id, current_app.extensions["acro"]["clock"], queue=casework().queue
        )
    return redirect(url_for("workbench.run", draft_id=item.id, run_id=run.id))


def _run(draft_id, run_id):
    item = _draft(draft_id)
    run = runs.get(casework().session, item, run_id)
    if run is None:
        abort(404)
    return item, run


@bp.get("/drafts/<int:draft_id>/runs/<int:run_id>")
@requires("edit_process")
def run(draft_id, run_id):
    """Each scenario passed or failed, the coverage heat-map and the rules covered."""
    item, found = _run(draft_id, run_id)
    return render_template(
        "workbench/run.html",
        draft=item,
        run=found,
        summary=runs.summary(found),
        is_current=found.digest == drafts.digest(item),
    )


@bp.get("/drafts/<int:draft_id>/runs/<int:run_id>.json")
@requires("edit_process")
def run_json(draft_id, run_id):
    item, found = _run(draft_id, run_id)
    return jsonify(
        {
            "id": found.id,
            "state": found.state,
            "summary": runs.summary(found),
            "coverage": found.coverage or {},
            "error": found.error,
        }
    )


# -- publishing ---------------------------------------------------------------------------------
@bp.route("/drafts/<int:draft_id>/publish", methods=["GET", "POST"])
@requires("publish_process")
def publish(draft_id):
    service = casework()
    item = _draft(draft_id)
    settings = _settings()
    errors, reason = {}, request.form.get("reason", "")
    if request.method == "POST":
        try:
            publication = publishing.publish(service.session, item, reason, g.actor, settings, _now())
        except InvalidAnswers as exc:
            errors = {key: " ".join(value) for key, value in exc.messages.items()}
        except Conflict as exc:
            flash(sentence(exc), "error")
            return redirect(url_for("workbench.publish", draft_id=item.id))
        else:
            where = (
                f"It was written to {publication.written_to}: commit it with the code."
                if publication.written_to
                else "Download it as a zip and commit it with the code."
            )
            flash(
                {
                    "title": f"Version {publication.version.digest[:12]} published",
                    "text": f"New cases start on it. {where}",
                },
                "success",
            )
            return redirect(url_for("workbench.moves"))
    current, _ = bundles.current(service.session, settings.processes_dir)
    changes = compare.diff_files(current.files, item.files)
    return render_template(
        "workbench/publish.html",
        draft=item,
        errors=errors,
        reason=reason,
        blockers=publishing.blockers(service.session, item, settings),
        changes=changes,
        current=current,
    ), 400 if errors else 200


# -- versions -----------------------------------------------------------------------------------
@bp.get("/versions/<digest>")
@requires("edit_process")
def version(digest):
    service = casework()
    found = drafts.version_by_digest(service.session, digest)
    publications = service.session.scalars(
        select(ProcessPublication).where(ProcessPublication.version_id == found.id).order_by(ProcessPublication.id)
    ).all()
    return render_template(
        "workbench/version.html", version=found, publications=publications, tables=compare.tables(found.files)
    )


@bp.get("/versions/<digest>/xml/<name>")
@requires("edit_process")
def version_xml(digest, name):
    found = drafts.version_by_digest(casework().session, digest)
    if name not in found.files:
        abort(404)
    return Response(found.files[name], mimetype="application/xml")


@bp.get("/versions/<digest>/download")
@requires("edit_process")
def version_zip(digest):
    """The version's files (and the scenarios published with it) to commit with the code."""
    service = casework()
    found = drafts.version_by_digest(service.session, digest)
    data = publishing.zip_of(found, publishing.scenarios_of(service.session, found))
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": f"attachment; filename=processes-{found.digest[:12]}.zip"},
    )


@bp.get("/compare")
@requires("edit_process")
def compare_versions():
    """Two versions side by side: what was added, removed or changed."""
    service = casework()
    versions = service.session.scalars(select(ProcessVersion).order_by(ProcessVersion.id.desc())).all()
    before_digest, after_digest = request.args.get("from", ""), request.args.get("to", "")
    errors = {}
    before = after = None
    changes = []
    if before_digest or after_digest:
        try:
            before = drafts.version_by_digest(service.session, before_digest)
        except NotFound:
            errors["from"] = "Select the earlier version"
        try:
            after = drafts.version_by_digest(service.session, after_digest)
        except NotFound:
            errors["to"] = "Select the version to compare it with"
        if not errors:
            changes = compare.diff_files(before.files, after.files)
    files = sorted(set(before.files) | set(after.files)) if before and after else []
    marks = {
        name: {
            "before": compare.marks([c for c in changes if c.change != "added"], name),
            "after": compare.marks([c for c in changes if c.change != "removed"], name),
        }
        for name in files
    }
    tables = {"before": compare.tables(before.files), "after": compare.tables(after.files)} if before and after else {}
    return render_template(
        "workbench/compare.html",
        versions=versions,
        before=before,
        after=after,
        changes=changes,
        files=files,
        marks=marks,
        errors=errors,
        tables=tables,
        changed_files=sorted({c.file for c in changes}),
    ), 400 if errors else 200


# -- moving running cases -----------------------------------------------------------------------
@bp.route("/moves", methods=["GET", "POST"])
@requires("edit_process")
def moves():
    """For the version cases start on: which running cases can move to it and which cannot, and why."""
    service = casework()
    current, _ = bundles.current(service.session, _settings().processes_dir)
    if request.method == "POST":
        if not _may("move_cases"):
            abort(403)
        chosen = set(request.form.getlist("reference")) or None
        try:
            plans = migrate(service, g.actor, only=chosen)
        except CaseworkError as exc:
            flash(sentence(exc), "error")
            return redirect(url_for("workbench.moves"))
        moved = [p.reference for p in plans if p.can_move and (chosen is None or p.reference in chosen)]
        flash(
            {
                "title": f"{len(moved)} case{'s' if len(moved) != 1 else ''} moved to version {current.digest[:12]}",
                "text": ", ".join(moved) or "No case could move.",
            },
            "success",
        )
        return redirect(url_for("workbench.moves"))
    plans = plan(service)
    log = service.session.execute(
        select(CaseMove, Case.reference).join(Case, Case.id == CaseMove.case_id).order_by(CaseMove.id.desc()).limit(50)
    ).all()
    digests = dict(service.session.execute(select(ProcessVersion.id, ProcessVersion.digest)).all())
    return render_template(
        "workbench/moves.html",
        current=current,
        movable=[p for p in plans if p.can_move],
        stuck=[p for p in plans if not p.can_move],
        log=log,
        digests=digests,
    )


def _may(permission):
    from .auth import may

    return may(permission)


@bp.app_template_global()
def run_state_tag(state):
    return {
        "running": ("Running", "govuk-tag--blue"),
        "passed": ("Passed", "govuk-tag--green"),
        "failed": ("Failed", "govuk-tag--red"),
        "error": ("Could not finish", "govuk-tag--red"),
    }.get(state, (state, "govuk-tag--grey"))
