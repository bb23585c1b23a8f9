"""What the page tests share: a client that signs in and sends CSRF tokens, the demo users,
and the steps that bring a case to a given point."""
from __future__ import annotations

import re

from sqlalchemy import select

from casework.demo import DEMO_USERS
from casework.models import Case, UserTask
from webapp.db import db
from casework.permissions import Actor

ROLES = [username for username, _, _ in DEMO_USERS]  # workflow, caseworker, senior, director, admin
ROLE_OF = {username: role for username, _, role in DEMO_USERS}
USERNAME_OF = {role: username for username, _, role in DEMO_USERS}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Client:
    """A test client that signs in and sends forms with their CSRF token, as a browser does."""

    def __init__(self, client, username=None):
        self.client = client
        self.username = username

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def csrf(self, path=None) -> str:
        page = self.client.get(path or ("/dashboard" if self.username else "/sign-in"))
        return CSRF.search(page.get_data(as_text=True)).group(1)

    def post(self, path, data=None, *, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf())
        return self.client.post(path, data=data, **kwargs)

    def sign_in(self, username, password=None):
        response = self.post("/sign-in", {"username": username, "password": password or f"demo-{username}-pass"})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.username = username
        return self


def actor(app, role, username=None):
    groups = app.config["ACRO_SETTINGS"].role_groups[role]
    return Actor(username or USERNAME_OF.get(role, role), frozenset(groups), frozenset([role]))


def task_id(app, reference, bpmn_id):
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        return db.session.scalars(select(UserTask).where(UserTask.case_id == case.id,
                                                         UserTask.bpmn_id == bpmn_id)).one().id


def text(response) -> str:
    return response.get_data(as_text=True)


# the steps that bring a case to a given point: (task, role, answers)
CERTIFICATE_OK = ("check_certificate", "workflow", {"certificate_purpose": "immigration_deportation",
                                                    "offences_on_pnc": "no"})
CERTIFICATE_NOT_OK = ("check_certificate", "workflow", {"certificate_purpose": "criminal_proceedings",
                                                        "offences_on_pnc": "no"})
LOCATED = ("establish_whereabouts", "caseworker", {"whereabouts_known": "yes", "current_address": "HMP Wandsworth"})
OWNER = ("allocate_case_owner", "caseworker", {"case_owner": "caseworker"})
HISTORY = ("check_offending_history", "caseworker", {"history_on_pnc": "yes", "further_offending_overseas": "no"})
POLICE = ("record_police_response", "caseworker", {"officer_contacted_on": "2026-01-06", "pending_prosecution": "no",
                                                   "police_continue_prosecution": "no"})
DETENTION = ("consider_detention", "caseworker", {"convictions_disclosable": "yes", "custody_status": "serving_sentence",
                                                  "sufficient_time": "yes", "suitable_for_detention": "yes",
                                                  "detention_reasons": "In prison"})
NOT_FOUND = ("establish_whereabouts", "caseworker", {"whereabouts_known": "no"})
TO_DETENTION = [CERTIFICATE_OK, LOCATED, OWNER, HISTORY, POLICE]
TO_STAGE1 = TO_DETENTION + [DETENTION]
