"""The dashboard: open cases per stage, overdue deadlines and tasks, dormant wanted/missing
cases, and steps that failed and wait to be retried."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from casework.queries import dashboard as dashboard_queries
from webapp.db import db

from .auth import requires

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@requires("view_dashboard")
def dashboard():
    now = current_app.extensions["acro"]["clock"].now()
    return render_template("dashboard/dashboard.html", data=dashboard_queries.dashboard(db.session, now=now), now=now)
