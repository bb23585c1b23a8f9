"""A question asked only for one answer (its form field's ``asked_if``) is a GOV.UK conditional
reveal, and each row of a check-your-answers page has a Change button back to its question,
the answers kept (issues 10 and 11). Every wait is on something the page shows."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.cases import case_at, serious_violations
from tests.browser.steps import choose
from tests.web.pages import TO_DETENTION

SUFFICIENT_TIME = "Is there sufficient time to respond before release?"
REASONS = "What are the reasons for the detention decision?"


def test_a_question_is_revealed_under_its_option_and_change_comes_back_to_it(visit, live_server):
    reference, tasks = case_at(live_server.app, TO_DETENTION)
    page = visit.page
    visit.sign_in("caseworker")
    visit.goto(f"/cases/{reference}/tasks/{tasks['consider_detention']}")
    question = page.get_by_role("group", name=SUFFICIENT_TIME)
    expect(question).to_be_hidden()
    choose(page, "Where is the FNO now?", "Serving a prison sentence")
    expect(question).to_be_visible()
    choose(page, SUFFICIENT_TIME, "Yes")
    bad = serious_violations(page)
    assert not bad, "; ".join(bad)
    choose(page, "Where is the FNO now?", "At liberty")
    expect(question).to_be_hidden()
    choose(page, "Is the FNO suitable for detention?", "Yes")
    page.get_by_label(REASONS).fill("Risk of absconding.")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Check your answers before you decide")).to_be_visible()
    answers = page.locator("form .govuk-summary-list")
    # the answer typed under "Serving a prison sentence" went with it
    expect(answers.locator(".govuk-summary-list__key")).to_have_text(
        ["Where is the FNO now?", "Is the FNO suitable for detention?", REASONS]
    )
    bad = serious_violations(page)
    assert not bad, "; ".join(bad)
    page.get_by_role("button", name=f"Change {REASONS.lower()}").click()

    reasons = page.get_by_label(REASONS)
    expect(reasons).to_be_focused()
    expect(reasons).to_have_value("Risk of absconding.")
    expect(page.get_by_role("group", name="Where is the FNO now?").get_by_label("At liberty")).to_be_checked()
    expect(question).to_be_hidden()
