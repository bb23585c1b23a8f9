"""Who may do what through the API: the browser's rules, from the same configuration.

Working on tasks is checked by the service layer against the task's candidate groups (the
caller's Actor, from ``actor_for``); these are the checks the browser makes before it calls
the service: seeing cases, entering referrals (ACRO_REFERRAL_GROUPS) and recording an event
on a case (ACRO_EVENT_GROUPS, ACRO_EVENT_DEFAULT_GROUPS).
"""
from __future__ import annotations

from flask import current_app

DEFAULTS = {
    "ACRO_REFERRAL_GROUPS": ["cc-workflow"],
    "ACRO_EVENT_GROUPS": {"certificate_received": ["cc-workflow"]},
    "ACRO_EVENT_DEFAULT_GROUPS": ["cc-casework"],
}


def _config(key):
    return current_app.config.get(key, DEFAULTS[key])


def may_view_cases(actor) -> bool:
    # as the browser: anyone who works in a candidate group
    return bool(actor.groups)


def may_list_tasks(actor) -> bool:
    # their groups' tasks; an administrator sees every queue
    return bool(actor.groups) or actor.is_admin


def may_submit_referral(actor) -> bool:
    return bool(set(actor.groups) & set(_config("ACRO_REFERRAL_GROUPS")))


def may_record_event(actor, message: str) -> bool:
    groups = _config("ACRO_EVENT_GROUPS").get(message, _config("ACRO_EVENT_DEFAULT_GROUPS"))
    return bool(set(actor.groups) & set(groups))
