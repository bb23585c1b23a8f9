"""Accessibility: axe-core on every kind of page, with no serious or critical violations;
and no page asks any host but the app's own, nor breaks its Content Security Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser.cases import case_at, serious_violations
from tests.browser.steps import choose, fill, open_tab
from tests.web.pages import TO_DETENTION, TO_STAGE1


@pytest.fixture(scope="module")
def cases(live_server):
    """A case at the certificate check, one at the detention decision, one at Stage 1."""
    made = {}
    for name, index, steps in (("new", 0, []), ("detention", 2, TO_DETENTION), ("stage1", 0, TO_STAGE1)):
        made[name], made[name + "_tasks"] = case_at(live_server.app, steps, index=index)
    return made


class Audit:
    def __init__(self, visit):
        self.visit = visit
        self.checked = []

    def check(self, kind: str) -> None:
        bad = serious_violations(self.visit.page)
        assert not bad, f"{kind} ({self.visit.page.url}): " + "; ".join(bad)
        self.checked.append(kind)


def test_every_kind_of_page_passes_axe_and_stays_on_the_app(visit, cases):
    page = visit.page
    audit = Audit(visit)

    visit.goto("/sign-in")
    audit.check("sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit.check("sign-in with errors")

    visit.sign_in("workflow")
    audit.check("my tasks")
    visit.goto("/tasks/queues/cc-workflow")
    audit.check("team queue")
    visit.goto(f"/cases/{cases['new']}/tasks/{cases['new_tasks']['check_certificate']}")
    audit.check("task page")
    page.get_by_role("button", name="Save and complete task").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit.check("task page with errors")
    visit.goto("/referrals/new")
    audit.check("new referral")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit.check("new referral with errors")
    fill(page, "Family name", "Axe")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check the referral before recording it")).to_be_visible()
    audit.check("check the referral")
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_role("heading", name="Referral recorded")).to_be_visible()
    audit.check("referral recorded")
    visit.goto("/search")
    audit.check("search")
    visit.goto("/search?name=kowalski")
    audit.check("search asking why")
    visit.goto("/search?name=kowalski&purpose=casework")
    audit.check("search results")
    visit.goto("/dashboard")
    audit.check("dashboard")
    visit.goto(f"/cases/{cases['stage1']}")
    audit.check("why do you need to see this case")
    page.get_by_role("button", name="Continue to the case").click()
    audit.check("purpose with errors")
    choose(page, f"Why do you need to see case {cases['stage1']}?", "Quality assurance or audit")
    page.get_by_role("button", name="Continue to the case").click()
    audit.check("case page")
    for tab in ("Decisions", "Documents", "Emails", "Timeline"):
        open_tab(page, tab)
        audit.check(f"case page, {tab}")
    open_tab(page, "Process")
    expect(page.locator("[data-diagram-ready]").first).to_be_visible()
    expect(page.locator(".app-step--current").first).to_be_attached()
    audit.check("case page with its diagrams")
    visit.goto("/dashboard/cases")
    audit.check("cases a dashboard count counts")
    visit.goto("/tasks/queues/cc-director")
    audit.check("refused (403)")
    visit.goto("/cases/ACRO-1999-000001/purpose")
    audit.check("not found (404)")
    visit.sign_out()

    visit.sign_in("caseworker")
    visit.goto(f"/cases/{cases['detention']}/tasks/{cases['detention_tasks']['consider_detention']}")
    choose(page, "Where is the FNO now?", "At liberty")
    choose(page, "Is the FNO suitable for detention?", "Yes")
    fill(page, "What are the reasons for the detention decision?", "Address known; risk of absconding.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers before you decide")).to_be_visible()
    audit.check("check your answers")
    page.get_by_role("button", name="Change your answers").click()
    expect(page.get_by_label("What are the reasons for the detention decision?")).to_have_value(
        "Address known; risk of absconding."
    )
    audit.check("change your answers")
    visit.goto(f"/cases/{cases['stage1']}/events")
    if "/purpose" in page.url:
        choose(page, f"Why do you need to see case {cases['stage1']}?", "Working on this case")
        page.get_by_role("button", name="Continue to the case").click()
    audit.check("record an event")
    visit.sign_out()

    visit.sign_in("admin")
    visit.goto("/admin/incidents")
    audit.check("incidents")
    visit.goto(f"/admin/cases/{cases['stage1']}/log")
    audit.check("export a case's log")
    page.get_by_role("button", name="Export the log").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    audit.check("export a case's log with errors")
    visit.goto("/intake/problems")
    audit.check("intake problems")

    assert len(audit.checked) >= 24
    assert visit.foreign == [], visit.foreign
    csp = [m for m in visit.console_errors if "Content Security Policy" in m or "Refused to" in m]
    assert csp == [], csp
