"""The case page (after the purpose is given), its diagram and progress, recording an
event, and case search."""

import io
import json

import pytest
from sqlalchemy import select

from casework.models import AccessLog, Case, Certificate
from tests.web.pages import (
    CERTIFICATE_NOT_OK,
    CERTIFICATE_OK,
    NOT_FOUND,
    TO_STAGE1,
    deliver,
    deported,
    html,
    text,
    texts,
)
from webapp.db import db


def opened(client, reference, purpose="casework", other=""):
    client.post(f"/cases/{reference}/purpose", {"purpose": purpose, "other": other})
    return client


@pytest.mark.parametrize(
    "form, message",
    [
        ({}, "Select why you need to see this case"),
        ({"purpose": "other"}, "Enter why you need to see this case"),
        ({"purpose": "gossip"}, "Select why you need to see this case"),
    ],
)
def test_the_purpose_is_required(web, make_case, form, message):
    reference = make_case()
    response = web("caseworker").post(f"/cases/{reference}/purpose", form)
    assert response.status_code == 400 and message in text(response)
    # the question shows no personal data
    assert "Kowalski" not in text(response) and "KOWALSKI" not in text(response)


def test_the_purpose_holds_for_a_while_and_each_view_is_logged_with_it(app, web, make_case):
    reference = make_case()
    client = web("director")
    assert "/purpose" in client.get(f"/cases/{reference}").location
    response = client.post(
        f"/cases/{reference}/purpose?next=/cases/{reference}",
        {"purpose": "other", "other": "Preparing the monthly return"},
    )
    assert response.location == f"/cases/{reference}"
    assert client.get(f"/cases/{reference}").status_code == 200
    assert client.get(f"/cases/{reference}").status_code == 200
    with app.app_context():
        logged = db.session.scalars(select(AccessLog).where(AccessLog.actor == "director")).all()
    assert [(e.action, e.purpose) for e in logged] == [("view", "Preparing the monthly return")] * 2
    # a new session asks again
    other = web("director")
    assert "/purpose" in other.get(f"/cases/{reference}").location


def test_next_after_the_purpose_stays_on_the_case(web, make_case):
    reference = make_case()
    client = web("caseworker")
    response = client.post(f"/cases/{reference}/purpose?next=https://evil.example/", {"purpose": "casework"})
    assert response.location == f"/cases/{reference}"


def test_the_case_page_shows_every_referral_detail_and_not_provided_for_absent_ones(web, make_case):
    haddad = make_case(index=1)
    page = text(opened(web("workflow"), haddad).get(f"/cases/{haddad}"))
    for shown in (
        "Omar HADDAD",
        "30 November 1979",
        "Lebanon",
        "Drug trafficking",
        "France",
        "19 September 2012",
        "6 years&#39; imprisonment",
        "PC Tom Reid",
        "West Midlands Police",
        "0121 496 0002",
        "Arrest",
    ):
        assert shown in page, shown
    # INT-1: absent details are said to be absent
    for label in (
        "PNC identity check (PNC ID)",
        "i24/7 (Interpol) check outcome",
        "Officer’s email",
        "Last known UK address",
        "ID or passport details",
    ):
        row = page.split(label, 1)[1].split("</div>", 1)[0]
        assert "Not provided" in row, label
    assert "held, not yet checked" in page and "No marker requested" in page and "Not considered yet" in page


def test_a_criminal_proceedings_certificate_is_never_called_disclosable(web, make_case):
    """WF-3: it passed the check only because its offences are on the PNC."""
    on_pnc = (
        "check_certificate",
        "workflow",
        {"certificate_purpose": "criminal_proceedings", "offences_on_pnc": "yes"},
    )
    haddad = make_case([on_pnc], index=1)
    page = text(opened(web("caseworker"), haddad).get(f"/cases/{haddad}"))
    assert "Certificate: not disclosable: its convictions may be usable through the PNC" in page
    assert "Certificate: disclosable" not in page
    kowalski = make_case([CERTIFICATE_OK])
    assert "Certificate: disclosable" in text(opened(web("caseworker"), kowalski).get(f"/cases/{kowalski}"))


def test_the_case_page_at_stage1_shows_documents_deadlines_emails_timeline_and_diagram(web, make_case):
    reference = make_case(TO_STAGE1)
    page = text(opened(web("caseworker"), reference).get(f"/cases/{reference}"))
    assert "Stage 1: awaiting response" in page and "Serving a prison sentence" in page
    assert "disclosable" in page and "CC EEA casework team" in page and "HO-" + reference in page
    assert "Stage 1 Liability to Deportation Notice" in page and f"/cases/{reference}/documents/" in page
    assert "Stage 1 response" in page  # deadlines (once: test_each_deadline_appears_once)
    assert "PNC check request" in page and "pnc-bureau@police.example" in page  # emails
    assert "Task completed" in page and "Consider detention" in page  # timeline
    assert f'data-diagram-url="/cases/{reference}/diagrams/acro_referral.bpmn"' in page
    assert f'data-diagram-url="/cases/{reference}/diagrams/deportation.bpmn"' in page
    assert f'data-progress-url="/cases/{reference}/progress.json"' in page
    assert "representations received" in page  # what it waits for
    assert "Record an event" in page


def test_progress_and_the_diagram_of_the_case_s_own_version(web, make_case):
    reference = make_case(TO_STAGE1)
    client = web("caseworker")
    progress = client.get(f"/cases/{reference}/progress.json").get_json()
    main = progress["processes"]["acro_referral"]
    assert "deportation" in main["current"] and "check_certificate" in main["done"]
    assert progress["processes"]["deportation"]["current"] == [
        "representations_received",
        "response_period_ended",
    ] or set(progress["processes"]["deportation"]["current"]) >= {"representations_received"}
    assert main["flows"] and not progress["completed"]
    xml = client.get(f"/cases/{reference}/diagrams/deportation.bpmn")
    assert xml.mimetype == "application/xml" and b'<bpmn:process id="deportation"' in xml.data


def test_recording_representations_moves_the_case_on(app, web, make_case):
    reference = make_case(TO_STAGE1)
    client = opened(web("caseworker"), reference)
    page = text(client.get(f"/cases/{reference}/events"))
    assert "Representations received" in page and "Deportation enforced" not in page
    response = client.post(
        f"/cases/{reference}/events", {"event": "representations_received", "details": "From the FNO's solicitors"}
    )
    assert response.status_code == 302
    assert "Event recorded" in text(client.get(f"/cases/{reference}"))
    assert "Consider deportation" in text(client.get("/tasks"))


def test_an_event_must_be_chosen(web, make_case):
    reference = make_case(TO_STAGE1)
    client = opened(web("caseworker"), reference)
    response = client.post(f"/cases/{reference}/events", {"event": "deportation_enforced"})
    assert response.status_code == 400 and "Select the event that has happened" in text(response)


def test_a_case_waiting_for_nothing_has_no_event_to_record(web, make_case):
    reference = make_case()
    client = opened(web("workflow"), reference)
    response = client.get(f"/cases/{reference}/events")
    assert response.status_code == 302 and "not waiting for any event" in text(client.get(f"/cases/{reference}"))


def test_the_workflow_team_records_a_certificate_with_its_pdf(app, web, make_case):
    reference = make_case([CERTIFICATE_NOT_OK], index=1)
    client = opened(web("workflow"), reference)
    page = text(client.get(f"/cases/{reference}"))
    assert "destroyed, disclosable certificate awaited" in page and "Awaiting disclosable certificate" in page
    missing = client.post(f"/cases/{reference}/events", {"event": "certificate_received"})
    assert missing.status_code == 400
    assert "Select the request purpose" in text(missing) and "Enter the certificate" in text(missing)
    not_pdf = client.post(
        f"/cases/{reference}/events",
        {
            "event": "certificate_received",
            "certificate_purpose": "immigration",
            "certificate_file": (io.BytesIO(b"MZ not a pdf"), "cert.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert not_pdf.status_code == 400 and "must be a PDF" in text(not_pdf)
    response = client.post(
        f"/cases/{reference}/events",
        {
            "event": "certificate_received",
            "certificate_purpose": "immigration",
            "certificate_file": (io.BytesIO(b"%PDF-1.4 certificate"), "ACRO-26-0099.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        held = db.session.scalars(
            select(Certificate).where(Certificate.case_id == case.id, Certificate.status == "held")
        ).one()
        assert held.file == b"%PDF-1.4 certificate" and held.filename == "ACRO-26-0099.pdf"
        assert held.request_purpose == "Request for administrative purpose immigration/deportation"
    assert "Check the certificate is disclosable" in text(client.get(f"/cases/{reference}"))


def test_a_dormant_case_records_that_the_fno_is_located(app, web, make_case):
    reference = make_case([CERTIFICATE_OK, NOT_FOUND])
    from tests.web.pages import task_id

    client = web("caseworker")
    client.post(
        f"/cases/{reference}/tasks/{task_id(app, reference, 'record_nbtc_result')}",
        {"left_uk": "no"},
    )
    client.post(
        f"/cases/{reference}/tasks/{task_id(app, reference, 'record_ice_outcome')}", {"ice_outcome": "not_located"}
    )
    page = text(opened(client, reference).get(f"/cases/{reference}"))
    assert "Dormant" in page and "Wanted/missing marker requested" in page
    client.post(f"/cases/{reference}/events", {"event": "fno_located"})
    assert "Allocate a case owner" in text(client.get(f"/cases/{reference}"))


@pytest.mark.parametrize(
    "query, found",
    [
        ("name=kowalski", [0]),
        ("name=Peter+Kowal", [0]),  # an alias
        ("name=PIOTR", [0]),
        ("name=ionesco", [2]),  # alias of Maria Ionescu
        ("name=maria+ionescu", [2]),
        ("name=zzz", []),
        ("dob-day=12&dob-month=4&dob-year=1988", [0]),
        ("pnc_id=19%2F112233c", [2]),
        ("reference={1}", [1]),
        ("name=haddad&dob-day=30&dob-month=11&dob-year=1979", [1]),
        ("name=haddad&pnc_id=12%2F345678A", []),
    ],
)
def test_search_by_name_alias_date_of_birth_pnc_id_and_reference(web, make_case, query, found):
    references = [make_case([CERTIFICATE_OK]), make_case(index=1), make_case([CERTIFICATE_OK], index=2)]
    page = text(web("caseworker").get("/search?purpose=casework&" + query.format(*references))).split("</form>", 1)[1]
    for index, reference in enumerate(references):
        assert (reference in page) == (index in found), (query, reference)
    if not found:
        assert "No cases found" in page


def test_search_refuses_an_impossible_date(web, users):
    response = web("caseworker").get("/search?dob-day=31&dob-month=2&dob-year=1990&purpose=casework")
    assert response.status_code == 400 and "Date of birth must be a real date" in text(response)
    assert "No cases found" not in text(web("caseworker").get("/search"))


def test_json_progress_is_plain_data(web, make_case):
    reference = make_case()
    data = web("workflow").get(f"/cases/{reference}/progress.json").get_data(as_text=True)
    assert json.loads(data)["main"] == "acro_referral"


# -- 11.7 the case page in tabs; 11.3 deadlines once, and a concluded case ----------------------
TABS = ["Summary", "Decisions", "Documents", "Emails", "Timeline", "Process"]


def deadlines_of(response) -> list[str]:
    return texts(response, "//h2[@id='deadlines-heading']/following-sibling::*[1]//tbody/tr")


def test_the_case_page_is_in_tabs_each_a_section_of_the_page(web, make_case):
    reference = make_case(TO_STAGE1)
    response = opened(web("caseworker"), reference).get(f"/cases/{reference}")
    page = html(response)
    tabs = page.xpath("//div[@data-module='govuk-tabs']//a[contains(@class, 'govuk-tabs__tab')]")
    assert [t.text_content().strip() for t in tabs] == TABS
    # without JavaScript each tab is a link to its section, and every section is on the page
    for tab in tabs:
        panel = page.xpath(f"//div[contains(@class, 'govuk-tabs__panel')][@id='{tab.get('href')[1:]}']")
        assert len(panel) == 1 and panel[0].xpath(".//h2"), tab.get("href")
    assert page.xpath("//div[@id='documents']//a[contains(., 'Stage 1 Liability to Deportation Notice')]")
    assert page.xpath("//div[@id='process']//*[@data-diagram-url]")
    assert page.xpath("//div[@id='process']//button[@data-zoom='in']")


def test_each_deadline_appears_once(web, make_case):
    reference = make_case(TO_STAGE1)
    response = opened(web("caseworker"), reference).get(f"/cases/{reference}")
    rows = deadlines_of(response)
    assert len(rows) == 1 and rows[0].startswith("Stage 1 response"), rows


def test_a_deadline_met_is_no_longer_shown(app, web, make_case):
    reference = make_case(TO_STAGE1)
    deliver(app, reference, "representations_received", "From the FNO's solicitors")
    response = opened(web("caseworker"), reference).get(f"/cases/{reference}")
    assert not any("Stage 1 response" in row for row in deadlines_of(response))


def test_a_concluded_case_shows_its_outcome_and_nothing_it_no_longer_has(app, web, make_case):
    reference = deported(app, make_case)
    response = opened(web("caseworker"), reference).get(f"/cases/{reference}")
    assert texts(response, "//main//div[contains(@class, 'govuk-inset-text')]")[0] == (
        "This case is concluded. Outcome: Deported. Nothing more is due on it."
    )
    status = dict(
        zip(
            texts(response, "//h2[@id='certificate-heading']/following-sibling::dl[1]//dt"),
            texts(response, "//h2[@id='certificate-heading']/following-sibling::dl[1]//dd"),
            strict=True,
        )
    )
    assert status["Custody and detention"] == "None: the case is concluded"
    assert deadlines_of(response) == []
    assert texts(response, "//h2[@id='deadlines-heading']/following-sibling::p[1]") == ["None: the case is concluded."]
    # where the person was held is still in the decisions
    assert "Serving a prison sentence" in " ".join(texts(response, "//div[@id='decisions']"))
