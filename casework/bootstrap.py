"""One place that wires the service layer: the engine with its clock, the handler registry,
the settings and the mail sender. The web app, the CLI, scenarios and tests all use it."""

from __future__ import annotations

from engine.clock import SystemClock
from engine.instance import Engine

from .service import Casework


def build(session, settings, clock=None, sender=None, queue=None, policy=None) -> Casework:
    from handlers import load_all, registry

    load_all()
    return Casework(session, Engine(clock or SystemClock()), registry, settings, sender, queue, policy)


def smtp_sender(settings):
    """The real mail relay, as configured."""
    from adapters.smtp import SmtpSender

    return SmtpSender(
        settings.smtp_host,
        settings.smtp_port,
        starttls=settings.smtp_starttls,
        username=settings.smtp_username,
        password=settings.smtp_password,
    )
