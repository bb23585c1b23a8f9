"""The case page in sections (issue 11, point 7): GOV.UK tabs that still leave every section
on the page without JavaScript; the process diagram drawn when its tab opens, fitted to the
width or centred on where the case is now, said in words, and zoomed by buttons. axe on each
section. Every wait is on something the page shows."""

import pytest
from playwright.sync_api import expect

from tests.browser.cases import case_at, serious_violations
from tests.browser.steps import choose, open_tab
from tests.web.pages import TO_STAGE1

SECTIONS = ["Summary", "Decisions", "Documents", "Emails", "Timeline", "Process"]


@pytest.fixture(scope="module")
def stage1(live_server):
    return case_at(live_server.app, TO_STAGE1)[0]


def open_case(visit, reference, fragment=""):
    page = visit.page
    visit.goto(f"/cases/{reference}{fragment}")
    choose(page, f"Why do you need to see case {reference}?", "Working on this case")
    page.get_by_role("button", name="Continue to the case").click()
    expect(page.locator(".govuk-caption-l")).to_have_text(reference)


def scale(diagram) -> float:
    return float(diagram.get_attribute("data-scale"))


def centre_of(box) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_the_sections_are_tabs_and_the_diagram_zooms(visit, stage1):
    page = visit.page
    visit.sign_in("caseworker")
    open_case(visit, stage1)
    expect(page.get_by_role("tab")).to_have_text(SECTIONS)
    expect(page.get_by_role("tabpanel", name="Summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Timeline", exact=True)).to_be_hidden()
    bad = serious_violations(page)
    assert not bad, bad
    for section in SECTIONS[1:-1]:
        open_tab(page, section)
        expect(page.get_by_role("tabpanel", name="Summary")).to_be_hidden()
        bad = serious_violations(page)
        assert not bad, f"{section}: {bad}"

    # the process: drawn once its tab is open, where the case is now said in words
    open_tab(page, "Process")
    figure = page.locator(".app-diagram-figure").filter(has=page.locator("[data-process='deportation']"))
    diagram = figure.locator(".app-diagram")
    expect(diagram).to_have_attribute("data-diagram-ready", "true")
    expect(figure.locator("figcaption")).to_contain_text("Now at:")
    bad = serious_violations(page)
    assert not bad, bad

    before = scale(diagram)
    figure.get_by_role("button", name="Zoom in").click()
    page.wait_for_function("([e, s]) => Number(e.dataset.scale) > s", arg=[diagram.element_handle(), before])
    zoomed = scale(diagram)
    figure.get_by_role("button", name="Zoom out").click()
    page.wait_for_function("([e, s]) => Number(e.dataset.scale) < s", arg=[diagram.element_handle(), zoomed])

    # fitted to the width: the whole diagram is as wide as its box, no wider
    figure.get_by_role("button", name="Fit to width").click()
    drawn = diagram.locator("svg .viewport").bounding_box()
    box = diagram.bounding_box()
    assert box["width"] * 0.8 <= drawn["width"] <= box["width"], (drawn, box)

    # centred on where the case is now
    figure.get_by_role("button", name="Centre on where the case is now").click()
    boxes = [step.bounding_box() for step in diagram.locator(".app-step--current:not(.djs-connection)").all()]
    assert boxes
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    right, bottom = max(b["x"] + b["width"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
    x, y = (left + right) / 2, (top + bottom) / 2
    cx, cy = centre_of(diagram.bounding_box())
    assert abs(x - cx) < 30 and abs(y - cy) < 30, ((x, y), (cx, cy))
    assert visit.foreign == [] and visit.console_errors == []


def test_a_link_to_a_section_opens_its_tab(visit, stage1):
    page = visit.page
    visit.sign_in("caseworker")
    open_case(visit, stage1)
    visit.goto(f"/cases/{stage1}#timeline")
    expect(page.get_by_role("tab", name="Timeline")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("heading", name="Timeline", exact=True)).to_be_visible()


def test_without_javascript_every_section_is_on_the_page(browser, live_server, stage1):
    from tests.browser.conftest import Visit

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    visit = Visit(context, context.new_page(), live_server)
    try:
        visit.sign_in("caseworker")
        open_case(visit, stage1)
        page = visit.page
        for heading in (
            "Subject",
            "Decisions",
            "Documents",
            "Emails sent",
            "Timeline",
            "Where the case is in the process",
        ):
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        page.get_by_role("link", name="Timeline", exact=True).click()
        assert page.url.endswith("#timeline")
        expect(page.get_by_text("The diagram needs JavaScript.").first).to_be_visible()
    finally:
        context.close()
