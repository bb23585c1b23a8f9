"""The dashboard: open cases per stage, overdue deadlines and tasks, dormant wanted/missing
cases, and steps that failed and wait to be retried."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from casework.queries import dashboard as dashboard_queries
from webapp.db import db

from .auth import requires
from .security import has_control_characters
from .tasks import page_number

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@requires("view_dashboard")
def dashboard():
    now = current_app.extensions["acro"]["clock"].now()
    return render_template("dashboard/dashboard.html", data=dashboard_queries.dashboard(db.session, now=now), now=now)


@bp.get("/dashboard/cases")
@requires("view_dashboard")
def cases():
    """The cases a dashboard count counts (by stage, by outcome, or all open ones). Case
    references only, as on the dashboard: no one is asked a purpose here, so no names (FD-1)."""
    stage, outcome = request.args.get("stage"), request.args.get("outcome")
    for value in (stage, outcome):
        # a stage or outcome is a short line of the model's words; anything else is refused
        if value is not None and (len(value) > 200 or has_control_characters(value, one_line=True)):
            abort(400, description="The stage or outcome must be one line of text, 200 characters or fewer.")
    if outcome is not None:
        title = f"Closed cases: {outcome}"
    elif stage is not None:
        title = f"Open cases at: {stage}"
    else:
        title = "Open or dormant cases"
    page = dashboard_queries.counted(
        db.session, stage=stage, outcome=outcome, page=page_number(request.args.get("page"))
    )

    def page_href(number):
        kept = {k: v for k, v in (("stage", stage), ("outcome", outcome)) if v is not None}
        return url_for("dashboard.cases", page=number, **kept)

    return render_template("dashboard/cases.html", title=title, page=page, page_href=page_href)
