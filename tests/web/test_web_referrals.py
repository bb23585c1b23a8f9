"""The new-referral page: every INT-1 detail, repeating rows added without script, server
validation, and the certificate as text or PDF."""

import io

import pytest
from sqlalchemy import select

from casework.models import Case, Certificate, UserTask
from tests.web.pages import html, text, texts
from webapp.db import db

FULL = {
    "family_name": "Nowak",
    "given_names": "Anna Maria",
    "dob-day": "3",
    "dob-month": "2",
    "dob-year": "1991",
    "nationality": "Poland",
    "pnc_id": "21/998877k",
    "alias_rows": "2",
    "alias-0": "Ania Nowak",
    "alias-1": "A. Novak",
    "doc_rows": "1",
    "doc-0-type": "passport",
    "doc-0-number": "EB7654321",
    "doc-0-country": "Poland",
    "conv_rows": "2",
    "conv-0-country": "Poland",
    "conv-0-offence": "Burglary",
    "conv-0-date-day": "1",
    "conv-0-date-month": "6",
    "conv-0-date-year": "2016",
    "conv-0-sentence": "2 years",
    "conv-1-country": "",
    "conv-1-offence": "",
    "conv-1-sentence": "",
    "interpol_check_outcome": "No trace",
    "request_reason": "witness",
    "last_known_address": "1 High St\nLeeds",
    "received-day": "5",
    "received-month": "1",
    "received-year": "2026",
    "officer_name": "DC Jo Bloggs",
    "officer_force": "West Yorkshire Police",
    "officer_email": "jo.bloggs@wyp.example",
    "officer_phone": "0113 496 0000",
    "certificate_purpose": "immigration",
    "certificate_text": "Certificate 26/1",
    "action": "confirm",  # as the check page posts it: "Continue" (submit) shows that page first
}


def test_the_page_asks_for_every_int1_detail(web):
    response = web("workflow").get("/referrals/new")
    page = " ".join(html(response).text_content().split())
    for label in (
        "Family name",
        "Given names",
        "Date of birth",
        "Nationality",
        "PNC ID",
        "Alias 1",
        "Type of document",
        "Document number",
        "Issuing country",
        "Conviction 1",
        "Offence",
        "Date of conviction",
        "Sentence",
        "Outcome of the i24/7 (Interpol) check",
        "Victim",
        "Witness",
        "Arrest",
        "Last known UK address",
        "The requesting police officer",
        "Email address",
        "Telephone",
        "Request purpose on the certificate",
        "Certificate PDF",
    ):
        assert label in page, label
    assert 'enctype="multipart/form-data"' in text(response)


@pytest.mark.parametrize(
    "action, field, rows",
    [
        ("add-alias", "alias", 2),
        ("add-document", "doc", 2),
        ("add-conviction", "conv", 2),
    ],
)
def test_add_another_posts_back_with_one_more_row_and_keeps_what_was_typed(web, action, field, rows):
    client = web("workflow")
    response = client.post(
        "/referrals/new", {"family_name": "Nowak", "alias-0": "Ania", "conv-0-offence": "Theft", "action": action}
    )
    page = text(response)
    assert response.status_code == 200 and "govuk-error-summary" not in page
    assert f'name="{field}_rows" value="{rows}"' in page
    assert 'value="Nowak"' in page and 'value="Ania"' in page and "Theft</textarea>" in page
    assert f'id="{ {"alias": "alias-1", "doc": "doc-1-type", "conv": "conv-1-country"}[field] }"' in page


def test_a_full_referral_is_recorded_as_given(app, web):
    client = web("workflow")
    response = client.post("/referrals/new", FULL)
    assert response.status_code == 302
    reference = response.location.split("/")[2]
    recorded = text(client.get(response.location))
    assert "Referral recorded" in recorded and reference in recorded
    assert "Check the certificate is disclosable</a>" in recorded
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        assert case.referral == {
            "subject": {
                "family_name": "Nowak",
                "given_names": "Anna Maria",
                "aliases": ["Ania Nowak", "A. Novak"],
                "date_of_birth": "1991-02-03",
                "nationality": "Poland",
                "identity_documents": [{"type": "passport", "number": "EB7654321", "issuing_country": "Poland"}],
                "pnc_id": "21/998877K",
            },
            "convictions": [{"country": "Poland", "offence": "Burglary", "date": "2016-06-01", "sentence": "2 years"}],
            "interpol_check_outcome": "No trace",
            "officer": {
                "name": "DC Jo Bloggs",
                "force": "West Yorkshire Police",
                "email": "jo.bloggs@wyp.example",
                "phone": "0113 496 0000",
            },
            "request_reason": "witness",
            "last_known_address": "1 High St\nLeeds",
            "received_at": "2026-01-05",
        }
        certificate = db.session.scalars(select(Certificate).where(Certificate.case_id == case.id)).one()
        assert certificate.request_purpose == "Request for administrative purpose immigration/deportation"
        assert certificate.content == "Certificate 26/1" and certificate.file is None
        assert db.session.scalars(select(UserTask.bpmn_id).where(UserTask.case_id == case.id)).all() == [
            "check_certificate"
        ]


def test_absent_details_stay_absent(app, web):
    response = web("workflow").post("/referrals/new", {"given_names": "Omar", "action": "confirm"})
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        referral = case.referral
    assert referral["subject"] == {
        "family_name": None,
        "given_names": "Omar",
        "aliases": [],
        "date_of_birth": None,
        "nationality": None,
        "identity_documents": [],
        "pnc_id": None,
    }
    assert referral["convictions"] == [] and referral["officer"] == {
        "name": None,
        "force": None,
        "email": None,
        "phone": None,
    }
    with app.app_context():
        assert db.session.scalars(select(Certificate)).all() == []


def test_the_certificate_as_a_pdf(app, web):
    data = {
        **FULL,
        "certificate_text": "",
        "certificate_purpose": "other",
        "certificate_purpose_other": "Immigration enquiry",
        "certificate_file": (io.BytesIO(b"%PDF-1.7 the certificate"), "cert.pdf"),
    }
    response = web("workflow").post("/referrals/new", data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        certificate = db.session.scalars(select(Certificate)).one()
        assert certificate.file == b"%PDF-1.7 the certificate" and certificate.filename == "cert.pdf"
        assert certificate.request_purpose == "Immigration enquiry"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        (
            {"family_name": "", "given_names": "", "pnc_id": ""},
            "family_name",
            "Enter the subject&#39;s family name, given names or PNC ID",
        ),
        ({"dob-day": "31", "dob-month": "2"}, "dob-day", "Date of birth must be a real date"),
        ({"dob-year": "2999"}, "dob-day", "Date of birth must be in the past"),
        ({"pnc_id": "not a pnc id"}, "pnc_id", "Enter the PNC ID in the form 12/345678A"),
        ({"officer_email": "jo at wyp"}, "officer_email", "Enter one email address for the officer"),
        ({"officer_email": "a@x.example, b@y.example"}, "officer_email", "Enter one email address for the officer"),
        ({"officer_phone": "call me"}, "officer_phone", "Enter a telephone number"),
        ({"request_reason": "curiosity"}, "request_reason", "Select the reason for the request"),
        ({"conv-0-date-month": "13"}, "conv-0-date-day", "The conviction date must be a real date"),
        ({"certificate_purpose": ""}, "certificate_purpose", "Select the request purpose stated on the certificate"),
        ({"certificate_purpose": "other"}, "certificate_purpose_other", "Enter the request purpose"),
        ({"certificate_text": ""}, "certificate_text", "Enter the certificate&#39;s text or attach a PDF of it"),
    ],
)
def test_invalid_referrals_show_the_error_summary(app, web, changes, field, message):
    response = web("workflow").post("/referrals/new", {**FULL, **changes})
    page = text(response)
    assert response.status_code == 400, page[:300]
    assert "govuk-error-summary" in page and f'href="#{field}"' in page and message in page
    # a date's message belongs to its fieldset (dob-error), any other field's to the field
    assert f'id="{field.removesuffix("-day")}-error"' in page
    with app.app_context():
        assert db.session.scalars(select(Case)).all() == []


def test_a_certificate_file_that_is_not_a_pdf_is_refused(web):
    data = {**FULL, "certificate_text": "", "certificate_file": (io.BytesIO(b"<html>"), "cert.pdf")}
    response = web("workflow").post("/referrals/new", data, content_type="multipart/form-data")
    assert response.status_code == 400 and "The certificate file must be a PDF" in text(response)


def hidden_inputs(response) -> dict:
    """The check page's form, as it would post it back."""
    return {
        e.get("name"): e.get("value") or ""
        for e in html(response).xpath("//form[@id='referral']//input[@type='hidden']")
        if e.get("name") != "csrf_token"
    }


def test_continue_shows_the_answers_to_check_and_records_nothing(app, web):
    response = web("workflow").post("/referrals/new", {**FULL, "action": "submit"})
    assert response.status_code == 200
    assert texts(response, "//h1") == ["Check the referral before recording it"]
    rows = dict(
        zip(
            texts(response, "//dt[contains(@class, 'govuk-summary-list__key')]"),
            texts(response, "//dd[contains(@class, 'govuk-summary-list__value')]"),
            strict=True,
        )
    )
    assert rows["Family name"] == "Nowak" and rows["Date of birth"] == "3 February 1991"
    assert rows["Alias 1"] == "Ania Nowak" and rows["Alias 2"] == "A. Novak"
    assert rows["Document 1"] == "passport, EB7654321, issued by Poland"
    assert rows["Conviction 1"] == "Burglary; Poland; 1 June 2016; 2 years"
    assert rows["Reason for the request"] == "Witness" and rows["Certificate PDF"] == "Not provided"
    # one Change per row, each taking the page back at its own box
    changes = html(response).xpath("//dd[contains(@class, 'govuk-summary-list__actions')]/button")
    assert len(changes) == len(rows)
    assert {b.get("value") for b in changes} >= {"change-family_name", "change-alias-1", "change-conv-0-country"}
    with app.app_context():
        assert db.session.scalars(select(Case)).all() == []


def test_the_check_page_records_exactly_what_was_checked(app, web):
    client = web("workflow")
    check = client.post("/referrals/new", {**FULL, "action": "submit"})
    response = client.post("/referrals/new", {**hidden_inputs(check), "action": "confirm"})
    assert response.status_code == 302
    with app.app_context():
        case = db.session.scalars(select(Case)).one()
        assert case.referral["subject"]["aliases"] == ["Ania Nowak", "A. Novak"]
        assert case.referral["convictions"][0]["offence"] == "Burglary"
        assert db.session.scalars(select(Certificate)).one().content == "Certificate 26/1"


def test_change_goes_back_to_the_page_at_that_box_with_everything_typed(web):
    client = web("workflow")
    check = client.post("/referrals/new", {**FULL, "action": "submit"})
    response = client.post("/referrals/new", {**hidden_inputs(check), "action": "change-officer_email"})
    assert response.status_code == 200
    page = html(response)
    assert page.xpath("//input[@id='officer_email']/@value") == ["jo.bloggs@wyp.example"]
    assert page.xpath("//input[@id='alias-1']/@value") == ["A. Novak"]
    assert page.xpath("//*[@autofocus]/@id") == ["officer_email"]


@pytest.mark.parametrize(
    "action, aliases",
    [
        ("remove-alias-0", ["A. Novak"]),
        ("remove-alias-1", ["Ania Nowak"]),
        ("remove-alias-7", ["Ania Nowak", "A. Novak"]),
    ],
)
def test_remove_drops_that_row_without_javascript(web, action, aliases):
    response = web("workflow").post("/referrals/new", {**FULL, "action": action})
    assert response.status_code == 200 and "govuk-error-summary" not in text(response)
    page = html(response)
    assert page.xpath("//input[starts-with(@id, 'alias-')]/@value") == aliases
    assert page.xpath("//input[@name='alias_rows']/@value") == [str(len(aliases))]
    assert texts(response, "//button[starts-with(@value, 'remove-alias-')]") == [
        f"Remove alias {n}" for n in range(1, len(aliases) + 1)
    ]


def test_removing_the_only_row_leaves_an_empty_one(web):
    response = web("workflow").post("/referrals/new", {**FULL, "doc_rows": "1", "action": "remove-document-0"})
    page = html(response)
    assert page.xpath("//input[@id='doc-0-type']/@value") in ([], [""])
    assert page.xpath("//input[@name='doc_rows']/@value") == ["1"]


def test_enter_in_a_box_continues_and_never_adds_a_row(web):
    """A browser submits a form on Enter with its first submit button."""
    page = html(web("workflow").get("/referrals/new"))
    first = page.xpath("//form[@enctype='multipart/form-data']//button[@type='submit']")[0]
    assert (first.get("name"), first.get("value")) == ("action", "submit")


def test_the_chosen_pdf_is_kept_through_add_another_and_the_check_page(app, web):
    client = web("workflow")
    pdf = b"%PDF-1.7 the certificate"
    data = {**FULL, "certificate_text": "", "action": "add-alias"}
    response = client.post(
        "/referrals/new",
        {**data, "certificate_file": (io.BytesIO(pdf), "cert.pdf")},
        content_type="multipart/form-data",
    )
    page = html(response)
    assert page.xpath("//input[@name='certificate_filename_kept']/@value") == ["cert.pdf"]
    assert "PDF chosen: cert.pdf" in " ".join(page.text_content().split())
    kept = {e.get("name"): e.get("value") for e in page.xpath("//input[@type='hidden']") if "kept" in e.get("name")}
    check = client.post("/referrals/new", {**data, **kept, "action": "submit"})
    assert texts(check, "//dt[normalize-space()='Certificate PDF']/following-sibling::dd[1]") == ["cert.pdf (24 Bytes)"]
    assert client.post("/referrals/new", {**hidden_inputs(check), "action": "confirm"}).status_code == 302
    with app.app_context():
        certificate = db.session.scalars(select(Certificate)).one()
        assert (certificate.file, certificate.filename) == (pdf, "cert.pdf")


def test_the_chosen_pdf_can_be_removed(web):
    kept = {"certificate_file_kept": "JVBERi0xLjc=", "certificate_filename_kept": "cert.pdf"}
    response = web("workflow").post("/referrals/new", {**FULL, **kept, "action": "remove-file"})
    page = html(response)
    assert page.xpath("//input[@name='certificate_file_kept']") == []
    assert page.xpath("//*[@autofocus]/@id") == []  # a file input is focused by the fragment


def test_a_kept_pdf_that_is_not_base64_says_so(web):
    kept = {"certificate_file_kept": "not base64!", "certificate_filename_kept": "cert.pdf"}
    response = web("workflow").post("/referrals/new", {**FULL, **kept, "action": "confirm"})
    assert response.status_code == 400
    assert "The PDF chosen earlier could not be kept: choose it again" in text(response)
