"""The new-referral page (issue 11, point 6): rows added and removed on the page, keeping the
place, the focus and the chosen PDF; Enter never adds a row; the answers are checked, and
changed, before the referral is recorded. Without JavaScript the same buttons still work.
axe on each state of the page. Every wait is on something the page shows."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from casework.models import Case, Certificate
from tests.browser.cases import serious_violations
from tests.browser.steps import choose, fill
from webapp.db import db

PDF = b"%PDF-1.7 the certificate of the browser test"


@pytest.fixture
def certificate_pdf(tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(PDF)
    return path


def recorded(live_server, reference):
    with live_server.app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        certificate = db.session.scalars(select(Certificate).where(Certificate.case_id == case.id)).one()
        return case.referral["subject"]["aliases"], certificate.file


def alias_values(page):
    return page.locator("input[id^='alias-']").evaluate_all("inputs => inputs.map(i => i.value)")


def test_rows_are_added_and_removed_in_place_and_the_answers_checked_before_recording(
    visit, live_server, certificate_pdf
):
    page = visit.page
    visit.sign_in("workflow")
    visit.goto("/referrals/new")
    fill(page, "Family name", "Lindqvist")
    choose(page, "Request purpose on the certificate", "Request for administrative purpose immigration/deportation")
    page.get_by_label("Certificate PDF").set_input_files(certificate_pdf)
    fill(page, "Alias 1", "Erik L")
    page.evaluate("window.stillTheSamePage = true")

    # "Add another" adds the row here: the focus in it, the page not reloaded, the PDF still chosen
    page.get_by_role("button", name="Add another alias").click()
    expect(page.get_by_label("Alias 2", exact=True)).to_be_focused()
    page.keyboard.type("E. Lindquist")
    page.get_by_role("button", name="Add another alias").click()
    expect(page.get_by_label("Alias 3", exact=True)).to_be_focused()
    page.keyboard.type("Rik")
    assert page.evaluate("window.stillTheSamePage") is True
    assert page.get_by_label("Certificate PDF").evaluate("input => input.files[0].name") == "certificate.pdf"
    bad = serious_violations(page)
    assert not bad, bad

    # each row can be removed; the rows after it are renumbered and the focus moves to the next
    page.get_by_role("button", name="Remove alias 1").click()
    expect(page.get_by_label("Alias 1", exact=True)).to_be_focused()
    assert alias_values(page) == ["E. Lindquist", "Rik"]
    expect(page.get_by_role("button", name="Remove alias 3")).to_have_count(0)
    assert page.locator("input[name='alias_rows']").input_value() == "2"

    # Enter in a box goes on to check the answers; it never adds a row
    page.get_by_label("Family name").press("Enter")
    expect(page.get_by_role("heading", name="Check the referral before recording it")).to_be_visible()
    rows = page.locator(".govuk-summary-list__row")
    expect(rows.filter(has_text="Alias 1")).to_contain_text("E. Lindquist")
    expect(rows.filter(has_text="Alias 2")).to_contain_text("Rik")
    expect(rows.filter(has_text="Alias 3")).to_have_count(0)
    expect(rows.filter(has_text="Certificate PDF")).to_contain_text("certificate.pdf")
    bad = serious_violations(page)
    assert not bad, bad

    # Change goes back to the page at that box, with everything (the PDF too) still there
    rows.filter(has_text="Alias 2").get_by_role("button", name="Change").click()
    expect(page.get_by_label("Alias 2", exact=True)).to_be_focused()
    page.get_by_label("Alias 2", exact=True).fill("Rikard")
    expect(page.get_by_text("PDF chosen: certificate.pdf")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(rows.filter(has_text="Alias 2")).to_contain_text("Rikard")
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_role("heading", name="Referral recorded")).to_be_visible()
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert recorded(live_server, reference) == (["E. Lindquist", "Rikard"], PDF)
    assert visit.foreign == [] and visit.console_errors == []


def test_without_javascript_the_buttons_post_the_page_and_nothing_is_lost(browser, live_server, certificate_pdf):
    from tests.browser.conftest import Visit

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    visit = Visit(context, context.new_page(), live_server)
    page = visit.page
    try:
        visit.sign_in("workflow")
        visit.goto("/referrals/new")
        fill(page, "Family name", "Lindqvist")
        choose(page, "Request purpose on the certificate", "Request for administrative purpose immigration/deportation")
        page.get_by_label("Certificate PDF").set_input_files(certificate_pdf)
        fill(page, "Alias 1", "Erik L")
        page.get_by_role("button", name="Add another alias").click()
        expect(page.get_by_label("Alias 2", exact=True)).to_be_focused()
        expect(page.get_by_text("PDF chosen: certificate.pdf")).to_be_visible()
        assert page.url.endswith("#alias-1")
        page.get_by_label("Alias 2", exact=True).fill("Rik")
        page.get_by_role("button", name="Remove alias 1").click()
        expect(page.get_by_label("Alias 1", exact=True)).to_have_value("Rik")
        expect(page.get_by_label("Alias 2", exact=True)).to_have_count(0)
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Record the referral").click()
        expect(page.get_by_role("heading", name="Referral recorded")).to_be_visible()
        reference = page.locator(".govuk-panel__body strong").inner_text()
        assert recorded(live_server, reference) == (["Rik"], PDF)
    finally:
        context.close()
