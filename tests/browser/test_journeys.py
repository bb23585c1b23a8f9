"""Referrals carried to an outcome in the browser, clicking as a person would: the Workflow
team enters the referral and checks the certificate, the case owner works the case, the
Director decides where deportation is not pursued."""

from playwright.sync_api import expect

from tests.browser.steps import (
    choose,
    decide,
    enter_referral,
    expect_stage,
    fill,
    fill_date,
    next_task,
    open_case,
    open_tab,
    open_task,
    record_event,
    save,
)

IMMIGRATION = "Request for administrative purpose immigration/deportation"

KOWALSKI = {
    "family_name": "Kowalski",
    "given_names": "Piotr Jan",
    "date_of_birth": ("12", "4", "1988"),
    "nationality": "Poland",
    "pnc_id": "12/345678A",
    "aliases": ["Peter Kowal", "Piotr Kowal"],
    "documents": [("passport", "EA1234567", "Poland")],
    "convictions": [
        {"country": "Poland", "offence": "Robbery", "date": ("1", "6", "2015"), "sentence": "4 years' imprisonment"},
        {
            "country": "Germany",
            "offence": "Assault occasioning bodily harm",
            "date": ("11", "2", "2018"),
            "sentence": "18 months' imprisonment",
        },
    ],
    "interpol": "No trace on i24/7",
    "reason": "Arrest",
    "address": "14 Acacia Road, London E1 2AB",
    "officer": ("DC Sarah Hughes", "Metropolitan Police", "sarah.hughes@met.police.example"),
    "certificate": {"purpose": IMMIGRATION, "text": "ACRO certificate 26/0001: robbery (Poland), assault (Germany)"},
}

HADDAD = {
    "family_name": "Haddad",
    "given_names": "Omar",
    "date_of_birth": ("30", "11", "1979"),
    "nationality": "Lebanon",
    "convictions": [
        {
            "country": "France",
            "offence": "Drug trafficking",
            "date": ("19", "9", "2012"),
            "sentence": "6 years' imprisonment",
        }
    ],
    "reason": "Arrest",
    "officer": ("PC Tom Reid", "West Midlands Police", "tom.reid@wmp.police.example"),
    "certificate": {"purpose": "Criminal proceedings", "text": "ACRO certificate 26/0098 (criminal proceedings)"},
}


def first_actions_located_at_once(page, reference, stages=False):
    """The case owner's first steps for an FNO in prison, up to the Stage 1 notice; with
    ``stages``, the stage each task page shows is checked (11.3), and a future date refused (11.5)."""

    def at(stage):
        if stages:
            expect_stage(page, stage)

    open_task(page, reference, "Establish the FNO's whereabouts", queue="CC casework team queue")
    at("CC casework: first actions")
    choose(page, "Are the FNO's whereabouts known?", "Yes")
    fill(page, "What is the FNO's current address? (optional)", "HMP Wandsworth")
    save(page)
    next_task(page, "Allocate a case owner")
    at("FNO located: case owner to be allocated")
    page.get_by_label("Who is the case owner?", exact=True).select_option("caseworker")
    save(page)
    # LOC-2: detention is considered before anything that can wait
    next_task(page, "Consider detention")
    at("Detention considered")
    choose(page, "Where is the FNO now?", "Serving a prison sentence")
    choose(page, "Is there sufficient time to respond before release?", "Yes")
    choose(page, "Is the FNO suitable for detention?", "Yes")
    fill(page, "What are the reasons for the detention decision?", "Serving 30 months at HMP Wandsworth.")
    decide(page)
    next_task(page, "Check the offending history can be used")
    at("FNO located: offending history checked")
    choose(page, "Is the full offending history referred by ACRO on the PNC print?", "Yes")
    choose(page, "Is there evidence the FNO left the UK and offended overseas since?", "No")
    save(page)
    next_task(page, "Record the police response")
    at("FNO located: police contacted")
    choose(page, "Is a UK prosecution pending?", "No")
    if stages:
        fill_date(page, "When was the investigating officer contacted?", "6", "1", "2099")
        page.get_by_role("button", name="Save and complete task").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "When was the investigating officer contacted? must be today or in the past"
        )
    fill_date(page, "When was the investigating officer contacted?", "6", "1", "2026")
    save(page)


def consider_deportation(page, reference, decision):
    open_task(page, reference, "Consider deportation")
    fill(page, "Which foreign convictions were considered?", "Robbery (Poland, 2015); assault (Germany, 2018).")
    fill(page, "What UK convictions does the FNO have?", "Theft (2025).")
    fill(page, "What UK law-enforcement activity is outstanding?", "None.")
    choose(page, "What is the decision?", decision)
    fill(page, "What are the reasons for the decision?", "Serious, repeated offending.")
    choose(page, "Is the FNO's address known?", "Yes")
    choose(page, "Does the FNO have an in-country right of appeal?", "No")
    decide(page)


def test_disclosable_located_at_once_stage1_deportation_enforced(visit):
    page = visit.page
    visit.sign_in("workflow")
    reference = enter_referral(page, KOWALSKI)
    page.get_by_role("link", name="Check the certificate is disclosable").click()
    expect_stage(page, "CC Workflow: certificate check")
    choose(page, "What was the certificate requested for?", IMMIGRATION)
    choose(page, "Do the offences appear on the PNC?", "No")
    save(page)
    visit.sign_out()

    # 11.3: the stage at every wait state, from the model, never the one before
    visit.sign_in("caseworker")
    first_actions_located_at_once(page, reference, stages=True)
    open_case(page, reference)
    expect_stage(page, "Stage 1: awaiting response")
    record_event(page, "Representations received", "Representations received from the FNO's solicitors.")
    expect_stage(page, "Deportation decision")
    consider_deportation(page, reference, "Pursue deportation")
    open_case(page, reference)
    expect_stage(page, "Deportation ordered: awaiting removal")
    record_event(page, "Deportation enforced", "Removed to Poland on 2 March 2026.")
    expect_stage(page, "Concluded")

    summary = page.locator(".govuk-summary-list").first
    expect(summary).to_contain_text("Deported")
    expect(page.locator(".govuk-tag").first).to_have_text("Closed")
    open_tab(page, "Documents")
    expect(page.get_by_role("link", name="Stage 1 Liability to Deportation Notice")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Stage 1 Liability to Deportation Notice").click()
    assert download.value.suggested_filename.endswith(".pdf")
    open_tab(page, "Emails")
    expect(page.locator("#emails table")).to_contain_text("Post-deportation notice")
    open_tab(page, "Process")
    expect(page.locator("[data-diagram-ready]").first).to_be_visible()
    assert visit.foreign == []


def test_non_disclosable_then_disclosable_not_pursued_with_the_director(visit):
    page = visit.page
    visit.sign_in("workflow")
    reference = enter_referral(page, HADDAD)
    page.get_by_role("link", name="Check the certificate is disclosable").click()
    choose(page, "What was the certificate requested for?", "Criminal proceedings")
    choose(page, "Do the offences appear on the PNC?", "No")
    save(page)

    # WF-2: noted, destroyed, and the case waits for a disclosable certificate
    open_case(page, reference)
    expect(page.locator("body")).to_contain_text("destroyed, disclosable certificate awaited")
    expect(page.get_by_text("Awaiting disclosable certificate").first).to_be_visible()
    record_event(
        page,
        "Disclosable certificate received",
        certificate={"purpose": IMMIGRATION, "text": "ACRO certificate 26/0099 (immigration)"},
    )
    page.get_by_role("link", name="Check the certificate is disclosable").click()
    choose(page, "What was the certificate requested for?", IMMIGRATION)
    choose(page, "Do the offences appear on the PNC?", "No")
    save(page)
    visit.sign_out()

    visit.sign_in("caseworker")
    first_actions_located_at_once(page, reference)
    open_case(page, reference)
    record_event(page, "Representations received")
    consider_deportation(page, reference, "Do not pursue deportation")
    visit.sign_out()

    visit.sign_in("director")
    open_task(page, reference, "Decide on the submission", queue="CC Director queue")
    choose(page, "Do you agree that deportation should not be pursued?", "Yes")
    fill(page, "What are your comments?", "Agreed: the public interest does not require deportation.")
    decide(page)
    visit.sign_out()

    visit.sign_in("caseworker")
    open_task(page, reference, "Consider a referral to Removals Casework")
    choose(page, "Refer the case to Removals Casework for administrative removal?", "No")
    choose(page, "Are you satisfied that the person resides lawfully in the UK?", "Yes")
    fill(page, "What are the reasons?", "Settled status confirmed.")
    save(page)
    open_case(page, reference)
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Deportation not pursued")
    expect(page.locator(".govuk-tag").first).to_have_text("Closed")
    assert visit.foreign == []
