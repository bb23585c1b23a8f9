"""Signing in and out, who is signed in, and what each person may see and do.

What a person may do follows from the candidate groups their roles give them (ROLE_GROUPS,
configuration) and, for administration, from the administrator role: never from a role
name tested in a view.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from casework import sessions
from casework.users import actor_for, authenticate
from webapp.db import db

from ..bootstrap import policy
from .security import IN_ONE_LINE

bp = Blueprint("auth", __name__)


# -- what a person may do: the one policy (casework/permissions.py) ------------------------
def may(permission: str, actor=None) -> bool:
    actor = actor if actor is not None else g.get("actor")
    return policy().may(permission, actor)


def queues_for(actor) -> list[str]:
    """The team queues a person sees."""
    return policy().queues(actor)


def signed_in(view):
    """The page needs a signed-in person: anyone else goes to the sign-in page."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.get("actor") is None:
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def requires(permission: str):
    """The page needs a signed-in person who may do ``permission``; others are refused (403)."""

    def decorate(view):
        @wraps(view)
        @signed_in
        def wrapped(*args, **kwargs):
            if not may(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


# -- who is signed in -------------------------------------------------------------------
def _now():
    return current_app.extensions["acro"]["session_clock"].now()


@bp.before_app_request
def load_signed_in_user():
    """The person whose live sign-in (kept on the server, casework.sessions) the cookie names."""
    g.user = g.actor = None
    token = session.get("sign_in")
    if token is None:
        return
    user = sessions.signed_in_user(db.session, token, _now())
    if user is None:
        session.clear()
        return
    g.user = user
    g.actor = actor_for(user, current_app.config["ACRO_SETTINGS"].role_groups)


@bp.app_context_processor
def signed_in_context():
    actor = g.get("actor")
    rules = policy()
    return {
        "current_user": g.get("user"),
        "actor": actor,
        "may": may,
        "may_release": lambda task: actor is not None and rules.may_release(actor, task),
        "may_reassign": lambda task: actor is not None and rules.may_reassign(actor, task),
        "queues": queues_for(actor) if actor is not None else [],
    }


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect)."""
    if not target:
        return None
    if IN_ONE_LINE.search(target):
        return None  # a line end would end the Location header
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


# -- pages ------------------------------------------------------------------------------
@bp.get("/")
def index():
    """The sign-in page, or the person's tasks (an analyst's workbench)."""
    if g.get("actor") is None:
        return redirect(url_for("auth.sign_in"))
    if may("edit_process"):
        return redirect(url_for("workbench.home"))
    if may("work_tasks"):
        return redirect(url_for("tasks.my_tasks"))
    return redirect(url_for("dashboard.dashboard"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with a user name and password."""
    errors = {}
    username = ""
    if request.method == "POST":
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        if not username:
            errors["username"] = "Enter your user name"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            user = authenticate(db.session, username, password)
            if user is None:
                errors["username"] = "The user name or password is not right"
            else:
                next_page = safe_next(request.args.get("next"))
                # a new session for the new person (no fixation); one already open here ends
                sessions.end(db.session, session.get("sign_in"), _now())
                session.clear()
                session.permanent = True
                session["sign_in"] = sessions.start(db.session, user, _now(), current_app.permanent_session_lifetime)
                db.session.commit()
                return redirect(next_page or url_for("auth.index"))
        return render_template("auth/sign_in.html", errors=errors, username=username), 200
    if g.get("actor") is not None:
        return redirect(url_for("auth.index"))
    return render_template("auth/sign_in.html", errors=errors, username=username)


@bp.post("/sign-out")
def sign_out():
    """Ends the sign-in on the server too: a copy of the cookie opens nothing afterwards."""
    sessions.end(db.session, session.get("sign_in"), _now())
    db.session.commit()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
