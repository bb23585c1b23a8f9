"""What the page tests share: a client that signs in and sends CSRF tokens, the demo users,
and the steps that bring a case to a given point."""

from __future__ import annotations

import re

from sqlalchemy import select

from casework.models import Case, UserTask
from tests.people import DEMO as ROLES  # noqa: F401  (the demo users: workflow, caseworker, senior, ...)
from tests.people import password as password_of
from webapp.db import db

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
        response = self.post("/sign-in", {"username": username, "password": password or password_of(username)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        self.username = username
        return self


def task_id(app, reference, bpmn_id):
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        return (
            db.session.scalars(select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == bpmn_id))
            .one()
            .id
        )


def text(response) -> str:
    return response.get_data(as_text=True)


# the steps that bring a case to a given point: (task, role, answers)
CERTIFICATE_OK = (
    "check_certificate",
    "workflow",
    {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"},
)
CERTIFICATE_NOT_OK = (
    "check_certificate",
    "workflow",
    {"certificate_purpose": "criminal_proceedings", "offences_on_pnc": "no"},
)
LOCATED = ("establish_whereabouts", "caseworker", {"whereabouts_known": "yes", "current_address": "HMP Wandsworth"})
OWNER = ("allocate_case_owner", "caseworker", {"case_owner": "caseworker"})
HISTORY = ("check_offending_history", "caseworker", {"offences_on_pnc": "yes", "further_offending_overseas": "no"})
POLICE = (
    "record_police_response",
    "caseworker",
    {"officer_contacted_on": "2026-01-05", "pending_prosecution": "no", "police_continue_prosecution": "no"},
)
DETENTION = (
    "consider_detention",
    "caseworker",
    {
        "custody_status": "serving_sentence",
        "sufficient_time": "yes",
        "suitable_for_detention": "yes",
        "detention_reasons": "In prison",
    },
)
NOT_FOUND = ("establish_whereabouts", "caseworker", {"whereabouts_known": "no"})
# LOC-2: detention is considered straight after the case owner is allocated (no marker to remove)
TO_DETENTION = [CERTIFICATE_OK, LOCATED, OWNER]
TO_HISTORY = TO_DETENTION + [DETENTION]
TO_POLICE = TO_HISTORY + [HISTORY]
TO_STAGE1 = TO_POLICE + [POLICE]
# LOC-6: the prosecution dropped, so arrangements to detain are considered again, after the police answered
POLICE_DROPPED = (
    "record_police_response",
    "caseworker",
    {
        "officer_contacted_on": "2026-01-05",
        "pending_prosecution": "yes",
        "police_continue_prosecution": "no",
        "uk_charges": "Common assault",
    },
)
AT_LIBERTY = (
    "consider_detention",
    "caseworker",
    {
        "custody_status": "at_liberty",
        "sufficient_time": "no",
        "suitable_for_detention": "no",
        "detention_reasons": "In hospital",
    },
)
TO_ARRANGEMENTS = TO_DETENTION + [AT_LIBERTY, HISTORY, POLICE_DROPPED]


def html(response):
    """The page as an element tree, to find things by what they are, not by how the
    template happens to lay out its whitespace."""
    from lxml import html as lxml_html

    return lxml_html.fromstring(response.get_data(as_text=True))


def texts(response, xpath: str) -> list[str]:
    """The text of each element ``xpath`` finds, with its whitespace collapsed."""
    return [" ".join(e.text_content().split()) for e in html(response).xpath(xpath)]


def has_class(name: str) -> str:
    """An XPath test for an element with the CSS class ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"
