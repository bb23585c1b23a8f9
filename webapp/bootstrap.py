"""Wiring: the real adapters for the running app, one place to swap them in tests."""

from __future__ import annotations

from flask import current_app

from casework import bootstrap
from casework.permissions import Policy
from casework.service import Casework
from engine.clock import SystemClock
from webapp.db import db


def init_app(app) -> None:
    settings = app.config["ACRO_SETTINGS"]
    ext = app.extensions.setdefault("acro", {})
    ext.setdefault("clock", app.config.get("ACRO_CLOCK") or SystemClock())
    ext["policy"] = Policy.from_settings(settings)
    # the time a sign-in and a stated purpose lapse by: always the wall clock, even in tests
    # that move the cases' clock on by days to fire their timers
    ext.setdefault("session_clock", app.config.get("ACRO_SESSION_CLOCK") or SystemClock())
    if app.config.get("ACRO_QUEUE") is not None:
        ext["queue"] = app.config["ACRO_QUEUE"]
    ext.setdefault("sender", app.config.get("ACRO_SENDER") or bootstrap.smtp_sender(settings))


def casework() -> Casework:
    """The service layer for this request or command, on the app's session."""
    ext = current_app.extensions["acro"]
    settings = current_app.config["ACRO_SETTINGS"]
    queue = ext.get("queue")
    if queue is None and settings.background == "celery":
        from casework.worker import CeleryQueue

        queue = ext["queue"] = CeleryQueue()
    return bootstrap.build(db.session, settings, ext["clock"], ext["sender"], queue, policy=ext["policy"])


def policy() -> Policy:
    """Who may do what (casework/permissions.py), from this app's settings."""
    return current_app.extensions["acro"]["policy"]
