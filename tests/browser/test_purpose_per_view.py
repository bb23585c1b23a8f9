"""FD-1 in the browser (issue 11, point 8): a search asks why and is logged; each view of a
case and each download is logged with the purpose of that view; the person changes their
reason from the case page; a reason lapses, and the next download asks again. Every wait is
on something the page shows, never a fixed time."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from casework.models import AccessLog, Case
from engine.clock import FakeClock, SystemClock
from tests.browser.cases import case_at
from tests.browser.steps import choose, fill, open_case, open_tab
from tests.web.pages import NOT_PURSUED, TO_STAGE1, decided, task_id
from webapp.db import db

NOTICE = re.compile("Stage 1 Liability to Deportation Notice")


@pytest.fixture
def stage1_case(live_server):
    """A case waiting at Stage 1, with its notice."""
    return case_at(live_server.app, TO_STAGE1)[0]


@pytest.fixture
def wall_clock(live_server):
    """The clock stated purposes lapse by, moved by the test; the real one again afterwards."""
    ext = live_server.app.extensions["acro"]
    clock = ext["session_clock"] = FakeClock(datetime.now(UTC))
    yield clock
    ext["session_clock"] = SystemClock()


def logged(live_server, reference, since_id):
    """The senior caseworker's views and downloads of the case, and their searches."""
    with live_server.app.app_context():
        case = db.session.scalars(select(Case.id).where(Case.reference == reference)).one()
        rows = db.session.scalars(
            select(AccessLog).where(AccessLog.id > since_id, AccessLog.actor == "senior").order_by(AccessLog.id)
        ).all()
        return [
            (e.action, e.purpose, e.details.get("what"))
            for e in rows
            if e.case_id == case or (e.case_id is None and reference in e.details.get("shown", []))
        ]


def last_log_id(live_server):
    with live_server.app.app_context():
        return db.session.scalars(select(AccessLog.id).order_by(AccessLog.id.desc())).first() or 0


def download_notice(page):
    open_tab(page, "Documents")
    with page.expect_download() as download:
        page.get_by_role("tabpanel", name="Documents").get_by_role("link", name=NOTICE).click()
    assert download.value.suggested_filename.endswith(".pdf")


def test_each_view_and_download_is_logged_with_the_purpose_of_that_view(visit, live_server, stage1_case, wall_clock):
    reference, page = stage1_case, visit.page
    before = last_log_id(live_server)
    visit.sign_in("senior")

    # a search asks why, and finds the case
    open_case(page, reference, purpose="Quality assurance or audit", search_purpose="Quality assurance or audit")
    reason = page.locator(".govuk-summary-list__row").filter(has_text="Your reason for viewing")
    expect(reason).to_contain_text("Quality assurance or audit")
    download_notice(page)

    # the person changes their reason: the next views are logged with the new one
    reason.get_by_role("link", name="Change").click()
    expect(page.get_by_role("group", name=f"Change why you need to see case {reference}?")).to_be_visible()
    choose(page, f"Change why you need to see case {reference}?", "Another reason")
    fill(page, "If another reason, what it is", "Subject access request SAR-2026-17")
    page.get_by_role("button", name="Continue to the case").click()
    expect(reason).to_contain_text("Subject access request SAR-2026-17")
    download_notice(page)

    # half an hour later the reason has lapsed: the download asks why again, then goes ahead
    wall_clock.advance(timedelta(minutes=31))
    page.get_by_role("tabpanel", name="Documents").get_by_role("link", name=NOTICE).click()
    question = f"Why do you need to see case {reference}?"
    expect(page.get_by_role("group", name=question)).to_be_visible()
    choose(page, question, "Answering an enquiry about this case")
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue to the case").click()
    assert download.value.suggested_filename.endswith(".pdf")

    assert logged(live_server, reference, before) == [
        ("search", "Quality assurance or audit", "search"),
        ("view", "Quality assurance or audit", "search"),  # the case, among the search results
        ("view", "Quality assurance or audit", "case"),
        ("export", "Quality assurance or audit", "document"),
        ("view", "Subject access request SAR-2026-17", "case"),
        ("export", "Subject access request SAR-2026-17", "document"),
        ("export", "Answering an enquiry about this case", "document"),
    ]
    assert visit.foreign == []


def test_a_document_opened_from_a_task_page_is_logged_under_that_task(visit, live_server):
    """The Director opens the submission's PDF from the decision they work on: that is the
    purpose of that view. The case page afterwards still asks why: nothing is borrowed."""
    app = live_server.app
    reference = case_at(app, TO_STAGE1)[0]
    decided(app, reference, NOT_PURSUED)
    before = last_log_id(live_server)
    page = visit.page
    visit.sign_in("director")
    visit.goto(f"/cases/{reference}/tasks/{task_id(app, reference, 'director_decision')}")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Submission to the CC Director")).click()
    assert download.value.suggested_filename.endswith(".pdf")
    visit.goto(f"/cases/{reference}")
    expect(page.get_by_role("group", name=f"Why do you need to see case {reference}?")).to_be_visible()
    with app.app_context():
        rows = db.session.scalars(
            select(AccessLog).where(AccessLog.id > before, AccessLog.actor == "director").order_by(AccessLog.id)
        ).all()
        views = [(e.action, e.purpose, e.details.get("what")) for e in rows]
    assert views == [
        ("view", "Working on the task: Decide on the submission", "task"),
        ("export", "Working on the task: Decide on the submission", "document"),
    ]
