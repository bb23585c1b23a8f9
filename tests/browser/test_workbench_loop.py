"""The analyst's whole loop in the browser: open a draft, change the Stage 1 response period
in the DMN editor, see it validated, run the scenarios (the one expecting 20 days fails; the
heat-map shows), update that scenario, publish with a reason, move an open case, and see a
new referral get the new period. No request leaves the app's own host."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from casework.models import AuditEntry, Case, CaseMove, Deadline, ProcessPublication
from tests.browser.cases import case_at
from tests.people import USERNAME_OF
from tests.web.pages import TO_STAGE1
from webapp.db import db

# a full run of the suite takes about a minute on two busy cores: the page polls until it is done
RUN_TIMEOUT_MS = 300_000
EDITOR_TIMEOUT_MS = 30_000


def _case_at_stage1(app) -> str:
    return case_at(app, TO_STAGE1)[0]


def _cell(page, found):
    return page.locator(f'#canvas td[data-element-id="{found.get_attribute("data-element-id")}"]')


def _edit_cell(page, cell, text: str) -> None:
    """Replace a decision-table cell's content, as an analyst does: click, select all, type."""
    cell.click()
    editable = cell.locator("[contenteditable]").first
    editable.press("Control+a")
    editable.press_sequentially(text)


def test_the_analyst_changes_the_stage1_period_tests_publishes_and_moves_a_case(analyst_visit, bench):
    server, folder = bench
    app = server.app
    waiting = _case_at_stage1(app)
    page = analyst_visit.page

    analyst_visit.sign_in("analyst")
    page.get_by_role("link", name="Processes").click()
    expect(page.get_by_role("heading", name="The version new cases start on")).to_be_visible()
    page.get_by_label("Name of the new draft (optional)").fill("Stage 1: 15 days for prisoners")
    page.get_by_role("button", name="Start a draft", exact=True).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft started")
    page.get_by_role("link", name="stage1_response_period.dmn").click()

    # the DMN editor: the row giving 20 days, found by its content
    expect(page.locator("#editor[data-editor-ready]")).to_be_attached(timeout=EDITOR_TIMEOUT_MS)
    row = page.locator("#canvas tbody tr").filter(has_text='"P20D"')
    expect(row).to_have_count(1)
    # the cells by their element ids: their text is about to change
    period = _cell(page, row.locator("td").filter(has_text='"P20D"'))
    # a slip first: an expression cut short is refused by the validation, on the cell itself
    _edit_cell(page, period, '"P15D" +')
    page.get_by_role("button", name="Save now").click()
    expect(page.locator("#save-status")).to_contain_text("1 problem found", timeout=EDITOR_TIMEOUT_MS)
    summary = page.locator("[data-problem-summary]")
    expect(summary).to_contain_text("stage1_response_period.dmn")
    expect(page.locator("#canvas td.app-problem")).to_have_count(1)
    _edit_cell(page, period, '"P15D"')
    page.get_by_role("button", name="Save now").click()
    expect(page.locator("#save-status")).to_contain_text("No problems found", timeout=EDITOR_TIMEOUT_MS)
    expect(summary).to_have_count(0)

    # run the scenarios: the one that answers on day 19 of a 20-day period now fails
    page.get_by_role("link", name="Back to the draft").click()
    expect(page.get_by_role("cell", name="Changed").first).to_be_visible()
    page.get_by_role("button", name="Run the scenarios").click()
    status = page.locator("#run-status")
    expect(status).not_to_contain_text("Running", timeout=RUN_TIMEOUT_MS)
    expect(status).to_contain_text("Failed")
    failing = page.locator("table.app-run-results tbody tr").filter(has_text="Failed")
    expect(failing).to_have_count(1)
    expect(failing).to_contain_text("located_at_once_stage1_deported.yaml")
    expect(page.locator("#heat-map [data-diagram-ready]").first).to_be_visible(timeout=EDITOR_TIMEOUT_MS)
    expect(page.locator("#heat-map .app-mark--visited").first).to_be_attached()

    # update that scenario: the representations now come on day 14
    failing.get_by_role("link").click()
    text = page.get_by_label("Scenario (YAML)")
    yaml_text = text.input_value()
    assert "wait: 19d" in yaml_text
    text.fill(
        yaml_text.replace("Stage 1 with 20 days", "Stage 1 with 15 days")
        .replace("DEP-3: 20 days", "15 days")
        .replace("wait: 19d", "wait: 14d")
    )
    page.get_by_role("button", name="Save the scenario").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Scenario saved")
    expect(page.get_by_role("cell", name="Changed in this draft")).to_be_visible()
    page.get_by_role("button", name="Run the scenarios").click()
    expect(status).not_to_contain_text("Running", timeout=RUN_TIMEOUT_MS)
    expect(status).to_contain_text("Passed")
    expect(page.get_by_text("Everything is covered.")).to_be_visible()

    # publish with a reason
    page.get_by_role("link", name="Back to the draft").click()
    page.get_by_role("link", name="Publish this draft").click()
    expect(page.locator("table")).to_contain_text("Rule_stage1_response_period_1")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are publishing this version")
    page.get_by_label("Why are you publishing this version?").fill("DEP-3 guidance update: 15 days for prisoners.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("published")

    # move the open case
    expect(page.get_by_role("heading", name="Cases that can move (1)")).to_be_visible()
    expect(page.get_by_role("cell", name=waiting)).to_be_visible()
    page.get_by_role("button", name=re.compile(r"Move 1 case to")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 case moved")
    expect(page.get_by_role("heading", name="Cases that can move (0)")).to_be_visible()

    # a new referral gets the new period
    fresh = _case_at_stage1(app)
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == fresh)).one()
        deadline = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
        from webapp.views.filters import uk_date

        expected = uk_date(case.created_at + timedelta(days=15))
        assert deadline.due_at.date() == (case.created_at + timedelta(days=15)).date()
    # analysts see no cases: a caseworker checks the new case's deadline
    analyst_visit.sign_out()
    analyst_visit.sign_in(USERNAME_OF["caseworker"])
    page.goto(f"/cases/{fresh}")
    page.get_by_role("group", name=f"Why do you need to see case {fresh}?").get_by_label(
        "Quality assurance or audit"
    ).check()
    page.get_by_role("button", name="Continue to the case").click()
    expect(page.locator("#deadlines-heading + table")).to_contain_text(expected)

    with app.app_context():
        moved = db.session.scalars(select(Case).where(Case.reference == waiting)).one()
        publication = db.session.scalars(select(ProcessPublication)).one()
        assert moved.process_version_id == publication.version_id == case.process_version_id
        assert publication.published_by == "analyst" and publication.reason.startswith("DEP-3 guidance update")
        assert db.session.scalars(select(CaseMove).where(CaseMove.case_id == moved.id)).one().moved_by == "analyst"
        assert db.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == moved.id, AuditEntry.action == "process version migrated")
        ).one()
    # published into the folder, with the updated scenario, ready to commit
    assert '"P15D"' in (folder / "processes" / "stage1_response_period.dmn").read_text(encoding="utf-8")
    assert "wait: 14d" in (folder / "scenarios" / "located_at_once_stage1_deported.yaml").read_text(encoding="utf-8")

    assert analyst_visit.foreign == [], analyst_visit.foreign
    scripts_refused = [m for m in analyst_visit.console_errors if "script-src" in m]
    assert scripts_refused == [], scripts_refused
