"""The access log behind the pages (FD-1, DPA 2018 s.62).

Each view of a case, a document or a certificate is logged with the purpose of that view.
A person states why they need a case on its purpose page; the reason holds for that case for
ACRO_PURPOSE_MINUTES (30 by default) from when it was stated, and can be changed at any time
("Change" beside it on the case page). After that they are asked again, so a download an hour
later is never logged under a reason that has lapsed. A task page is its own purpose (working
on that task), for that page only: it is never carried over to the case or its documents.

Searches and lists that show personal data are logged too: who searched for what, why, and
which cases they were shown (casework.dpa.log_list).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, g, session

from ..bootstrap import casework

MAX_REMEMBERED = 20  # the cookie stays small: the most recently stated cases


def _now() -> datetime:
    return current_app.extensions["acro"]["session_clock"].now()


def _lifetime() -> timedelta:
    return timedelta(minutes=current_app.config["ACRO_PURPOSE_MINUTES"])


def _live(purposes: dict) -> dict:
    """The stated purposes that have not lapsed, oldest first."""
    now, lifetime = _now(), _lifetime()
    live = {}
    for reference, entry in purposes.items():
        try:
            stated_at = datetime.fromisoformat(entry["at"])
        except (TypeError, KeyError, ValueError):
            continue  # a purpose kept in the old form (per session, without a time) is asked again
        if stated_at <= now < stated_at + lifetime:
            live[reference] = entry
    return live


def purpose_for(reference: str) -> str | None:
    """The purpose this person stated for this case, while it holds; None once it has lapsed."""
    entry = _live(session.get("purposes") or {}).get(reference)
    return entry["purpose"] if entry else None


def remember(reference: str, purpose: str) -> None:
    """The purpose just stated (or changed) for this case, from now."""
    purposes = _live(session.get("purposes") or {})
    purposes.pop(reference, None)
    purposes[reference] = {"purpose": purpose, "at": _now().isoformat()}
    session["purposes"] = dict(list(purposes.items())[-MAX_REMEMBERED:])


def record(reference: str, action: str, purpose: str, details: dict | None = None) -> None:
    casework().record_access(reference, g.actor, action, purpose, {"via": "web", **(details or {})})


def record_list(what: str, purpose: str, criteria: dict, references: list[str]) -> None:
    """A list or search that showed personal data: who, why, asked for what, shown which cases."""
    casework().record_list_access(g.actor, purpose, {"via": "web", "what": what, "criteria": criteria}, references)
