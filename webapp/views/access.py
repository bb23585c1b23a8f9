"""The access log behind the pages (FD-1, DPA 2018 s.62): a person says why they need a case
once per case and session, and every view, task page and download is recorded with it."""
from __future__ import annotations

from flask import g, session

from ..bootstrap import casework

MAX_REMEMBERED = 100


def purpose_for(reference: str) -> str | None:
    """The purpose this person gave for this case in this session, if any."""
    return (session.get("purposes") or {}).get(reference)


def remember(reference: str, purpose: str) -> None:
    purposes = dict(session.get("purposes") or {})
    purposes.pop(reference, None)
    purposes[reference] = purpose
    # the cookie must stay small: keep the most recent cases
    session["purposes"] = dict(list(purposes.items())[-MAX_REMEMBERED:])


def record(reference: str, action: str, purpose: str, details: dict | None = None) -> None:
    casework().record_access(reference, g.actor, action, purpose, details)


def record_once(reference: str, purpose: str) -> None:
    """A page that shows the case for a reason of its own (a task): recorded once per session."""
    if purpose_for(reference) is None:
        record(reference, "view", purpose)
        remember(reference, purpose)
