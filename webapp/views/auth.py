"""Signing in and out, who is signed in, and what each person may see and do.

What a person may do follows from the candidate groups their roles give them (ROLE_GROUPS,
configuration) and, for administration, from the administrator role: never from a role
name tested in a view.
"""
from __future__ import annotations

import hashlib
import hmac
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for

from casework.queries import people
from casework.users import actor_for, authenticate
from webapp.db import db

from ..bootstrap import policy

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
def _fingerprint(user) -> str:
    """Changes when the password does, so a password change signs out every session."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


@bp.before_app_request
def load_signed_in_user():
    g.user = g.actor = None
    user_id = session.get("user_id")
    if user_id is None:
        return
    user = people.active_user(db.session, user_id)
    if user is None or not hmac.compare_digest(session.get("fingerprint", ""), _fingerprint(user)):
        session.clear()
        return
    g.user = user
    g.actor = actor_for(user, current_app.config["ACRO_SETTINGS"].role_groups)


@bp.app_context_processor
def signed_in_context():
    actor = g.get("actor")
    rules = policy()
    return {"current_user": g.get("user"), "actor": actor, "may": may,
            "may_release": lambda task: actor is not None and rules.may_release(actor, task),
            "may_reassign": lambda task: actor is not None and rules.may_reassign(actor, task),
            "queues": queues_for(actor) if actor is not None else []}


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect)."""
    if not target:
        return None
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
                next_page = _safe_next(request.args.get("next"))
                session.clear()  # a new session for the new person (no fixation)
                session.permanent = True
                session["user_id"] = user.id
                session["fingerprint"] = _fingerprint(user)
                return redirect(next_page or url_for("auth.index"))
        return render_template("auth/sign_in.html", errors=errors, username=username), 200
    if g.get("actor") is not None:
        return redirect(url_for("auth.index"))
    return render_template("auth/sign_in.html", errors=errors, username=username)


@bp.post("/sign-out")
def sign_out():
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
