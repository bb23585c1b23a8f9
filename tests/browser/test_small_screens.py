"""Queues on a 320 CSS pixel wide screen (WCAG 1.4.10, reflow): nothing scrolls sideways, and
each task's cells still say what they are."""

from playwright.sync_api import expect

from tests.browser.cases import case_at, serious_violations
from tests.web.pages import CERTIFICATE_OK


def test_the_queues_reflow_at_320_css_pixels(visit, live_server):
    reference, _ = case_at(live_server.app, [CERTIFICATE_OK])
    visit.page.set_viewport_size({"width": 320, "height": 640})
    visit.sign_in("caseworker")
    page = visit.page
    for path in ("/tasks/queues/cc-casework",):
        page.goto(path)
        row = page.locator("tbody tr", has=page.get_by_role("link", name=reference))
        expect(row).to_be_visible()
        # the cell's label comes from the CSS (::before), shown as the stacked row's key
        label = row.locator("td[data-label='Due']").evaluate("cell => getComputedStyle(cell, '::before').content")
        assert label == '"Due: "', label
        widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"{path} scrolls sideways at 320 pixels: {widths}"
        assert serious_violations(page) == []
