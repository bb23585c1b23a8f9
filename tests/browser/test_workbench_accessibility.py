"""axe-core on every workbench page, with no serious or critical violation outside the
canvas: the modelers' drawing area and the diagrams drawn by bpmn-js are left out (they are
the libraries' own, and every fact on them is also in the page's lists and tables)."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

SERIOUS = {"serious", "critical"}
# two scenarios keep this module's runs short; the whole suite runs in test_workbench.py
BENCH_SCENARIOS = {"stage1_10_days_serving_without_sufficient_time.yaml", "left_uk_without_exclusion.yaml"}
# the canvas: what the modelers and bpmn-js draw
CANVAS = ["#canvas", ".app-diagram"]
RUN_TIMEOUT_MS = 120_000
# the modelers (1 to 2.5 MB of JavaScript) and the diagrams can take a while to start on two busy cores
EDITOR_TIMEOUT_MS = 30_000
DMN_EDIT = re.compile(r"^Edit\s+the decision table\s+stage1_response_period\.dmn$")


def _two_versions(app) -> tuple[str, str]:
    """The folder's version and another one stored beside it (as when the folder changed)."""
    from casework import bundles
    from webapp.db import db

    with app.app_context():
        settings = app.config["ACRO_SETTINGS"]
        first, _ = bundles.current(db.session, settings.processes_dir)
        files = dict(first.files)
        files["deportation.bpmn"] = files["deportation.bpmn"].replace(
            'name="Consider deportation"', 'name="Consider deportation now"'
        )
        second = bundles.stored(db.session, files)
        db.session.commit()
        return first.digest[:12], second.digest[:12]


def test_every_workbench_page_passes_axe_outside_the_canvas(analyst_visit, bench):
    server, _ = bench
    page = analyst_visit.page
    axe = Axe()
    checked = []

    def check(kind: str) -> None:
        page.wait_for_load_state("networkidle")
        results = axe.run(page, context={"exclude": [[selector] for selector in CANVAS]})
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        assert not bad, f"{kind} ({page.url}): " + "; ".join(bad)
        checked.append(kind)

    analyst_visit.sign_in("analyst")
    analyst_visit.goto("/processes")
    check("workbench home")
    page.get_by_role("button", name="Start a draft", exact=True).click()
    check("a draft")
    draft_url = page.url

    page.get_by_role("link", name="deportation.bpmn").click()
    expect(page.locator("#editor[data-editor-ready]")).to_be_attached(timeout=EDITOR_TIMEOUT_MS)
    check("BPMN editor")
    # the ACRO panel for a service task: its topic from the list of handlers
    page.locator('#canvas [data-element-id="serve_stage1_notice"]').click()
    expect(page.get_by_label("System action (topic)")).to_have_value("notices.serve-stage1")
    check("BPMN editor with the ACRO panel")
    page.goto(draft_url)

    page.get_by_role("link", name=DMN_EDIT).click()
    expect(page.locator("#editor[data-editor-ready]")).to_be_attached(timeout=EDITOR_TIMEOUT_MS)
    check("DMN editor")
    cell = page.locator('#canvas td[data-element-id="LiteralExpression_stage1_response_period_1_2"]')
    cell.click()
    editable = cell.locator("[contenteditable]").first
    editable.press("Control+a")
    editable.press_sequentially('"P15D" +')
    page.get_by_role("button", name="Save now").click()
    expect(page.locator("[data-problem-summary]")).to_be_visible(timeout=EDITOR_TIMEOUT_MS)
    check("DMN editor with a problem")
    # an entry of the error summary selects the element it names
    page.locator("[data-problem-summary] a").first.click()
    expect(page.locator("#canvas td.app-problem [contenteditable]").first).to_be_focused()
    page.goto(draft_url)
    check("a draft with problems")
    page.get_by_role("link", name=DMN_EDIT).click()
    expect(page.locator("#editor[data-editor-ready]")).to_be_attached(timeout=EDITOR_TIMEOUT_MS)
    editable = cell.locator("[contenteditable]").first
    cell.click()
    editable.press("Control+a")
    editable.press_sequentially('"P15D"')
    page.get_by_role("button", name="Save now").click()
    expect(page.locator("#save-status")).to_contain_text("No problems found", timeout=EDITOR_TIMEOUT_MS)
    page.goto(draft_url)

    page.get_by_role("link", name="Change stage1_10_days_serving_without_sufficient_time.yaml").click()
    check("a scenario")
    page.get_by_label("Scenario (YAML)").fill("name: [unclosed")
    page.get_by_role("button", name="Save the scenario").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("a scenario with errors")
    page.goto(draft_url)
    page.get_by_role("link", name="Make a scenario from a case").click()
    check("make a scenario from a case")
    page.get_by_role("button", name="Make the scenario").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("make a scenario from a case, with errors")
    page.goto(draft_url)

    page.get_by_role("button", name="Run the scenarios").click()
    check("a run going on")
    expect(page.locator("#run-status")).not_to_contain_text("Running", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#heat-map [data-diagram-ready]").first).to_be_visible(timeout=EDITOR_TIMEOUT_MS)
    check("a run's results with its heat-map")
    page.goto(draft_url)
    check("a draft after a run")

    analyst_visit.goto("/processes/moves")
    check("move running cases")
    page.goto(draft_url + "/publish")
    check("publish, not yet possible")
    before, after = _two_versions(server.app)
    analyst_visit.goto("/processes")
    check("workbench home with two versions")
    analyst_visit.goto(f"/processes/versions/{after}")
    check("a version")
    analyst_visit.goto(f"/processes/compare?from={before}&to={after}")
    expect(page.locator("[data-diagram-ready]").first).to_be_visible(timeout=EDITOR_TIMEOUT_MS)
    check("two versions compared")
    analyst_visit.goto("/processes/compare?from=zzz&to=")
    check("compare with errors")

    assert len(checked) >= 20
    assert analyst_visit.foreign == [], analyst_visit.foreign
