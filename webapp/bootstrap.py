"""Wiring: the real adapters for the running app, one place to swap them in tests."""
from __future__ import annotations

from flask import current_app

from adapters.smtp import SmtpSender
from casework import bootstrap
from casework.models import db
from casework.service import Casework
from engine.clock import SystemClock


def init_app(app) -> None:
    settings = app.config["ACRO_SETTINGS"]
    ext = app.extensions.setdefault("acro", {})
    ext.setdefault("clock", app.config.get("ACRO_CLOCK") or SystemClock())
    if app.config.get("ACRO_QUEUE") is not None:
        ext["queue"] = app.config["ACRO_QUEUE"]
    ext.setdefault("sender", app.config.get("ACRO_SENDER") or SmtpSender(
        settings.smtp_host, settings.smtp_port, starttls=settings.smtp_starttls,
        username=settings.smtp_username, password=settings.smtp_password))


def casework() -> Casework:
    """The service layer for this request or command, on the app's session."""
    ext = current_app.extensions["acro"]
    settings = current_app.config["ACRO_SETTINGS"]
    queue = ext.get("queue")
    if queue is None and settings.background == "celery":
        from .worker import CeleryQueue
        queue = ext["queue"] = CeleryQueue()
    return bootstrap.build(db.session, settings, ext["clock"], ext["sender"], queue)
