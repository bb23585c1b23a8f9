"""No page sends a request to any host other than the app's own: every request the browser
makes is intercepted and its host checked (the app must work on a closed network)."""

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from casework.demo import DEMO_REFERRALS
from casework.permissions import Actor
from tests.browser.steps import choose, open_tab


def test_every_request_of_every_page_goes_to_the_app_itself(visit, live_server):
    from webapp.bootstrap import casework

    with live_server.app.app_context():
        item = DEMO_REFERRALS[0]
        reference = (
            casework()
            .submit_referral(item["referral"], Actor("acro-intake"), certificate=item["certificate"])
            .reference
        )
    page = visit.page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    visit.goto("/sign-in")
    visit.sign_in("workflow")
    for path in ("/tasks", "/tasks/queues/cc-workflow", "/referrals/new", "/search?name=kowalski", "/dashboard"):
        visit.goto(path)
        page.wait_for_load_state("networkidle")
    visit.goto(f"/cases/{reference}")
    choose(page, f"Why do you need to see case {reference}?", "Working on this case")
    page.get_by_role("button", name="Continue to the case").click()
    open_tab(page, "Process")
    expect(page.locator("[data-diagram-ready]").first).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert visit.foreign == [], visit.foreign
    assert requested and all(url.startswith(live_server.url) or url.startswith("data:") for url in requested), [
        url for url in requested if not url.startswith(live_server.url)
    ]
    # the fonts, the GOV.UK JavaScript and the diagram viewer were among them, from the app
    for asset in (
        "/assets/fonts/",
        "/vendor/govuk-frontend/govuk-frontend.min.js",
        "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js",
        "/diagrams/acro_referral.bpmn",
        "/progress.json",
    ):
        assert any(asset in url for url in requested), asset


def test_the_guard_would_catch_a_request_to_another_host(visit):
    try:
        visit.page.goto("http://cdn.example.invalid/govuk-frontend.min.css")
    except PlaywrightError:
        pass
    assert visit.foreign == ["http://cdn.example.invalid/govuk-frontend.min.css"]
