"""The operators' pages: incidents to retry, and exporting a case's data-protection log."""

import json

import pytest
from sqlalchemy import select

from casework.models import AccessLog, Incident
from tests.web.pages import CERTIFICATE_OK, ROLES, text
from webapp.db import db


def _failing_pnc_bureau(app, monkeypatch):
    from handlers import registry

    real = registry.run

    def broken(topic, data, **adapters):
        if topic == "pnc-bureau.request-check":
            raise ConnectionError("PNC Bureau mailbox unreachable")
        return real(topic, data, **adapters)

    monkeypatch.setattr(registry, "run", broken)
    return real


@pytest.mark.parametrize("username", ROLES)
def test_only_an_administrator_sees_the_incidents(web, username):
    page = web(username).get("/admin/incidents")
    assert page.status_code == (200 if username == "admin" else 403)


def test_nobody_signed_in_is_sent_to_sign_in(web):
    assert web().get("/admin/incidents").status_code == 302


def test_an_incident_is_listed_and_retried_from_the_page(app, web, make_case, monkeypatch):
    real = _failing_pnc_bureau(app, monkeypatch)
    reference = make_case([CERTIFICATE_OK])
    admin = web("admin")
    page = text(admin.get("/admin/incidents"))
    assert reference in page and "PNC Bureau mailbox unreachable" in page and "1 open incident" in page
    with app.app_context():
        incident_id = db.session.scalars(select(Incident)).one().id
    still = admin.post(f"/admin/incidents/{incident_id}/retry", follow_redirects=True)
    assert "it failed again" in text(still)
    from handlers import registry

    monkeypatch.setattr(registry, "run", real)
    done = admin.post(f"/admin/incidents/{incident_id}/retry", follow_redirects=True)
    assert f"{reference} has moved on" in text(done) and "No open incidents" in text(done)
    assert admin.post(f"/admin/incidents/{incident_id}/retry", csrf=False).status_code == 400  # CSRF


def test_retrying_is_refused_to_others(web, make_case):
    assert web("caseworker").post("/admin/incidents/1/retry").status_code == 403


def test_the_log_export_asks_why_then_downloads_and_is_itself_logged(app, web, make_case):
    reference = make_case([CERTIFICATE_OK])
    admin = web("admin")
    refused = admin.post(f"/admin/cases/{reference}/log", {"purpose": "  "})
    assert refused.status_code == 200 and "There is a problem" in text(refused)
    exported = admin.post(f"/admin/cases/{reference}/log", {"purpose": "Subject access request 2026/17"})
    assert exported.mimetype == "application/json"
    assert "attachment" in exported.headers["Content-Disposition"]
    log = json.loads(exported.get_data(as_text=True))
    assert log["case"] == reference and {"collect", "change"} <= {e["action"] for e in log["data_protection_log"]}
    with app.app_context():
        export = db.session.scalars(select(AccessLog).where(AccessLog.action == "export")).one()
        assert (export.actor, export.purpose) == ("admin", "Subject access request 2026/17")
    assert web("director").get(f"/admin/cases/{reference}/log").status_code == 403
