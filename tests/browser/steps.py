"""What a caseworker does in the browser, step by step, by the labels on the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect


def choose(page: Page, question: str, answer: str) -> None:
    """Pick a radio answer to the question (the fieldset's legend): one of its own options, not
    those of a question revealed under one of them (GOV.UK nests those in the same fieldset)."""
    options = page.get_by_role("group", name=question).locator(":scope > .govuk-radios > .govuk-radios__item")
    options.get_by_label(answer, exact=True).check()


def fill(page: Page, label: str, text: str) -> None:
    page.get_by_label(label, exact=True).fill(text)


def fill_date(page: Page, question: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=question)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def expect_stage(page: Page, stage: str) -> None:
    """The stage the page shows for the case (a task page's case summary, or the case page)."""
    row = page.locator(".govuk-summary-list__row").filter(has=page.locator("dt", has_text=re.compile(r"^\s*Stage\s*$")))
    expect(row.first.locator(".govuk-summary-list__value")).to_have_text(stage)


def save(page: Page) -> None:
    page.get_by_role("button", name="Save and complete task").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is done")


def decide(page: Page) -> None:
    """A decision with legal effect: continue to the check page, then confirm."""
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers before you decide")).to_be_visible()
    page.get_by_role("button", name="Confirm and make the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("is done")


def open_task(page: Page, reference: str, task: str, queue: str | None = None) -> None:
    """From the Tasks page (or a team's queue), open the task on this case."""
    page.get_by_role("link", name="Tasks", exact=True).click()
    if queue:
        page.get_by_role("link", name=queue).click()
    row = page.get_by_role("row").filter(has_text=reference)
    row.get_by_role("link", name=task).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(task)


def next_task(page: Page, task: str) -> None:
    """The banner after a task offers the next one on the case."""
    page.locator(".govuk-notification-banner--success").get_by_role("link", name=task).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(task)


def open_case(
    page: Page, reference: str, purpose: str = "Working on this case", search_purpose: str = "Finding a case to work on"
) -> None:
    page.get_by_role("link", name="Search cases").click()
    fill(page, "Case reference", reference)
    choose(page, "Why are you searching?", search_purpose)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=reference).click()
    if "/purpose" in page.url:
        choose(page, f"Why do you need to see case {reference}?", purpose)
        page.get_by_role("button", name="Continue to the case").click()
    expect(page.locator(".govuk-caption-l")).to_have_text(reference)


def open_tab(page: Page, name: str) -> None:
    """On the case page, show one of its sections (GOV.UK tabs)."""
    page.get_by_role("tab", name=name, exact=True).click()
    expect(page.get_by_role("tab", name=name, exact=True)).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name=name, exact=True)).to_be_visible()


def record_event(page: Page, event: str, details: str = "", certificate: dict | None = None) -> None:
    page.get_by_role("button", name="Record an event").click()
    choose(page, "What has happened?", event)
    if details:
        fill(page, "Details (optional)", details)
    if certificate:
        choose(page, "Request purpose on the certificate", certificate["purpose"])
        fill(page, "Certificate text", certificate["text"])
    page.get_by_role("button", name="Record the event").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Event recorded")


def enter_referral(page: Page, referral: dict) -> str:
    """The Workflow team enters a referral as ACRO sent it; returns the case reference."""
    page.get_by_role("link", name="New referral").click()
    fill(page, "Family name", referral["family_name"])
    fill(page, "Given names", referral["given_names"])
    fill_date(page, "Date of birth", *referral["date_of_birth"])
    fill(page, "Nationality", referral["nationality"])
    if referral.get("pnc_id"):
        fill(page, "PNC ID", referral["pnc_id"])
    for number, alias in enumerate(referral.get("aliases", []), 1):
        if number > 1:
            page.get_by_role("button", name="Add another alias").click()
        fill(page, f"Alias {number}", alias)
    for number, doc in enumerate(referral.get("documents", []), 1):
        if number > 1:
            page.get_by_role("button", name="Add another document").click()
        page.locator(f"#doc-{number - 1}-type").fill(doc[0])
        page.locator(f"#doc-{number - 1}-number").fill(doc[1])
        page.locator(f"#doc-{number - 1}-country").fill(doc[2])
    for number, conviction in enumerate(referral["convictions"], 1):
        if number > 1:
            page.get_by_role("button", name="Add another conviction").click()
        page.locator(f"#conv-{number - 1}-country").fill(conviction["country"])
        page.locator(f"#conv-{number - 1}-offence").fill(conviction["offence"])
        date_group = page.get_by_role("group", name="Date of conviction").nth(number - 1)
        for part, value in zip(("Day", "Month", "Year"), conviction["date"], strict=False):
            date_group.get_by_label(part).fill(value)
        page.locator(f"#conv-{number - 1}-sentence").fill(conviction["sentence"])
    if referral.get("interpol"):
        fill(page, "Outcome of the i24/7 (Interpol) check", referral["interpol"])
    choose(page, "Reason for the request", referral["reason"])
    if referral.get("address"):
        fill(page, "Last known UK address", referral["address"])
    officer = page.get_by_role("group", name="The requesting police officer")
    officer.get_by_label("Name", exact=True).fill(referral["officer"][0])
    officer.get_by_label("Police force").fill(referral["officer"][1])
    officer.get_by_label("Email address").fill(referral["officer"][2])
    if referral.get("certificate"):
        choose(page, "Request purpose on the certificate", referral["certificate"]["purpose"])
        fill(page, "Certificate text", referral["certificate"]["text"])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check the referral before recording it")).to_be_visible()
    page.get_by_role("button", name="Record the referral").click()
    expect(page.get_by_role("heading", name="Referral recorded")).to_be_visible()
    text = page.locator(".govuk-panel__body").inner_text()
    return re.search(r"ACRO-\d{4}-\d{6}", text).group(0)
