"""A case as a decision record in the browser (issue 11, points 1, 2 and 4): the certificate's
text and PDF on the check task, the answers of a decision on the case page and on the task that
rests on it, and axe on each of those pages. Every wait is on something the page shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from adapters import pdf
from tests.browser.cases import case_at, serious_violations
from tests.browser.steps import choose, decide, open_case, save
from tests.referrals import persona
from tests.web.pages import TO_ARRANGEMENTS

IMMIGRATION = "Request for administrative purpose immigration/deportation"
CERTIFICATE_TEXT = "ACRO CERTIFICATE OF CONVICTION\nJan KOWALSKI: theft, Warsaw, 12 March 2019"
# a real PDF, so that the browser's viewer shows it as a caseworker would see it
CERTIFICATE_PDF = pdf.render(
    "ACRO certificate",
    "ACRO/2026/1234",
    "Jan KOWALSKI",
    [("Convictions", CERTIFICATE_TEXT)],
    datetime(2026, 1, 5, tzinfo=UTC),
)


def no_serious_violations(page, kind: str) -> None:
    bad = serious_violations(page)
    assert not bad, f"{kind} ({page.url}): " + "; ".join(bad)


@pytest.fixture
def referral(live_server):
    """A referral whose certificate came as text and a PDF, waiting for its check."""
    data = persona("kowalski")
    certificate = {**data["certificate"], "content": CERTIFICATE_TEXT, "file": CERTIFICATE_PDF, "filename": "cert.pdf"}
    reference, tasks = case_at(live_server.app, referral={"referral": data["referral"], "certificate": certificate})
    return reference, tasks["check_certificate"]


def test_the_check_task_shows_the_certificate_and_the_case_page_the_decision(visit, referral):
    reference, task = referral
    page = visit.page
    visit.sign_in("workflow")
    with page.expect_response(re.compile(r"/certificates/\d+\?task=")) as shown:
        visit.goto(f"/cases/{reference}/tasks/{task}")
    assert shown.value.status == 200 and shown.value.headers["content-type"] == "application/pdf"
    # the viewer replaces what the frame's response holds: ask for the same address again
    assert page.request.get(shown.value.url).body() == CERTIFICATE_PDF
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
    """Detention reconsidered after the police dropped their prosecution (LOC-6) shows the police
    response; after it, the deportation decision the Stage 1 notice."""
    reference, tasks = case_at(live_server.app, TO_ARRANGEMENTS)
    detention = tasks["consider_detention"]
    page = visit.page
    visit.sign_in("caseworker")
    visit.goto(f"/cases/{reference}/tasks/{detention}")
    rests_on = page.locator(".govuk-summary-card").filter(
        has=page.get_by_role("heading", name="Record the police response")
    )
    expect(
        rests_on.locator(".govuk-summary-list__row").filter(has_text="Will the police continue the prosecution?")
    ).to_contain_text("No")
    no_serious_violations(page, "detention task with what it rests on")

    choose(page, "Where is the FNO now?", "Serving a prison sentence")
    choose(page, "If serving a sentence, is there sufficient time to respond before release?", "Yes")
    choose(page, "Is the FNO suitable for detention?", "Yes")
    page.get_by_label("What are the reasons for the detention decision?").fill("Serving four years")
    decide(page)

    open_case(page, reference)
    # detention was considered twice (LOC-2, then LOC-6): each decision is its own card
    cards = page.locator(".govuk-summary-card").filter(has=page.get_by_role("heading", name="Consider detention"))
    reasons = cards.locator(".govuk-summary-list__row").filter(has_text="reasons for the detention decision")
    expect(reasons).to_have_count(2)
    expect(reasons.filter(has_text="Serving four years")).to_have_count(1)
    expect(reasons.filter(has_text="In hospital")).to_have_count(1)
