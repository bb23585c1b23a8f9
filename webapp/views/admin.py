"""Operators' pages: incidents (failed steps and undelivered emails) to retry, and an
administrator's export of a case's data-protection log."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from casework import incidents
from casework.errors import CaseworkError, InvalidAnswers
from casework.models import Case
from webapp.db import db

from ..bootstrap import casework
from .auth import requires

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/incidents")
@requires("operate")
def incident_list():
    rows = [(incident, db.session.get(Case, incident.case_id)) for incident in incidents.open_incidents(db.session)]
    return render_template("admin/incidents.html", rows=rows)


@bp.post("/incidents/<id:incident_id>/retry")
@requires("operate")
def retry(incident_id):
    try:
        case = casework().retry_incident(incident_id, g.actor)
    except CaseworkError as exc:
        flash(str(exc), "error")
    else:
        still_open = [i for i in incidents.open_incidents(db.session) if i.id == incident_id]
        if still_open:
            flash(f"Tried again: it failed again ({still_open[0].error}).", "error")
        else:
            flash(f"Tried again: {case.reference} has moved on.", "success")
    return redirect(url_for("admin.incident_list"))


@bp.route("/cases/<reference>/log", methods=["GET", "POST"])
@requires("operate")
def export_log(reference):
    errors = {}
    purpose = request.form.get("purpose", "")
    if request.method == "POST":
        try:
            exported = casework().export_log(reference, g.actor, purpose)
        except InvalidAnswers as exc:
            errors = {k: " ".join(v) for k, v in exc.messages.items()}
        except CaseworkError as exc:
            flash(str(exc), "error")
        else:
            return Response(
                json.dumps(exported, indent=2, ensure_ascii=False),
                mimetype="application/json",
                headers={"Content-Disposition": f"attachment; filename={reference}-log.json"},
            )
    return render_template("admin/export.html", reference=reference, purpose=purpose, errors=errors)
