"""A liveness page for operators and load balancers."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from webapp.db import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
