"""A case as a decision record in the browser (issue 11, points 1, 2 and 4): the certificate's
text and PDF on the check task, the answers of a decision on the case page and on the task that
rests on it, and axe on each of those pages. Every wait is on something the page shows."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from casework.models import UserTask
from casework.permissions import Actor
from tests.browser.steps import choose, decide, open_case, save
from tests.people import actor_of_role
from tests.referrals import TEST_PDF, persona
from tests.web.pages import TO_DETENTION
from webapp.db import db

SERIOUS = {"serious", "critical"}
IMMIGRATION = "Request for administrative purpose immigration/deportation"
CERTIFICATE_TEXT = "ACRO CERTIFICATE OF CONVICTION\nJan KOWALSKI: theft, Warsaw, 12 March 2019"


def no_serious_violations(page, kind: str) -> None:
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not bad, f"{kind} ({page.url}): " + "; ".join(bad)


@pytest.fixture
def referral(live_server):
    """A referral whose certificate came as text and a PDF, waiting for its check."""
    from webapp.bootstrap import casework

    data = persona("kowalski")
    certificate = {**data["certificate"], "content": CERTIFICATE_TEXT, "file": TEST_PDF, "filename": "cert.pdf"}
    with live_server.app.app_context():
        case = casework().submit_referral(data["referral"], Actor("acro-intake"), certificate=certificate)
        task = db.session.scalars(
            select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == "check_certificate")
        ).one()
        return case.reference, task.id


def test_the_check_task_shows_the_certificate_and_the_case_page_the_decision(visit, referral):
    reference, task = referral
    page = visit.page
    visit.sign_in("workflow")
    with page.expect_response(re.compile(r"/certificates/\d+\?task=")) as pdf:
        visit.goto(f"/cases/{reference}/tasks/{task}")
    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"
    expect(page.get_by_role("heading", name="The certificate", exact=True)).to_be_visible()
    panel = page.get_by_role("region", name=re.compile("^Text of the certificate received"))
    expect(panel).to_have_text(CERTIFICATE_TEXT)
    expect(page.locator("iframe.app-certificate__pdf")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^Download the certificate \(PDF"))).to_be_visible()
    no_serious_violations(page, "check task with the certificate")

    choose(page, "What was the certificate requested for?", IMMIGRATION)
    choose(page, "Do the offences appear on the PNC?", "No")
    save(page)

    open_case(page, reference)
    card = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name="Check the certificate is disclosable")
    )
    expect(card).to_be_visible()
    expect(
        card.locator(".govuk-summary-list__row").filter(has_text="What was the certificate requested for?")
    ).to_contain_text(IMMIGRATION)
    expect(card.locator(".govuk-summary-list__row").filter(has_text="Done by")).to_contain_text("workflow")
    expect(page.locator(".app-timeline").get_by_text("Certificate disclosable? Yes")).to_be_visible()
    no_serious_violations(page, "case page with its decisions")
    # the PDF framed by the app's own page broke no Content Security Policy
    assert [m for m in visit.console_errors if "Content Security Policy" in m or "Refused to" in m] == []
    assert visit.foreign == []


def test_the_next_decision_shows_the_answers_it_rests_on(visit, live_server):
    """Detention shows the police response; after it, the deportation decision the Stage 1 notice."""
    from casework.demo import DEMO_REFERRALS
    from webapp.bootstrap import casework

    with live_server.app.app_context():
        service = casework()
        item = DEMO_REFERRALS[0]
        case = service.submit_referral(item["referral"], Actor("acro-intake"), certificate=item["certificate"])
        for bpmn_id, role, answers in TO_DETENTION:
            task = db.session.scalars(
                select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == bpmn_id)
            ).one()
            service.complete_task(
                case.reference,
                task.id,
                answers,
                actor_of_role(role, live_server.app.config["ACRO_SETTINGS"].role_groups),
            )
        reference = case.reference
        detention = db.session.scalars(
            select(UserTask.id).where(UserTask.case_id == case.id, UserTask.bpmn_id == "consider_detention")
        ).one()
    page = visit.page
    visit.sign_in("caseworker")
    visit.goto(f"/cases/{reference}/tasks/{detention}")
    rests_on = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name="Record the police response")
    )
    expect(
        rests_on.locator(".govuk-summary-list__row").filter(has_text="Is a UK prosecution pending?")
    ).to_contain_text("No")
    no_serious_violations(page, "detention task with what it rests on")

    choose(page, "Can the overseas convictions be disclosed for immigration purposes?", "Yes")
    choose(page, "Where is the FNO now?", "Serving a prison sentence")
    choose(page, "If serving a sentence, is there sufficient time to respond before release?", "Yes")
    choose(page, "Is the FNO suitable for detention?", "Yes")
    page.get_by_label("What are the reasons for the detention decision?").fill("Serving four years")
    decide(page)

    open_case(page, reference)
    card = page.locator(".govuk-summary-card").filter(has=page.get_by_role("heading", name="Consider detention"))
    expect(
        card.locator(".govuk-summary-list__row").filter(has_text="reasons for the detention decision")
    ).to_contain_text("Serving four years")
