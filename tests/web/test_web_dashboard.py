"""The dashboard: cases per stage, overdue deadlines and tasks, dormant wanted/missing cases."""

from datetime import timedelta

from sqlalchemy import select

from casework.models import Case
from tests.web.pages import CERTIFICATE_OK, NOT_FOUND, TO_STAGE1, deliver, deported, html, task_id, text, texts
from webapp.db import db


def test_cases_per_stage_and_closed_outcomes(web, make_case):
    make_case()
    make_case(index=1)
    make_case(TO_STAGE1)
    page = text(web("director").get("/dashboard"))
    assert "3 open or dormant cases" in page
    assert "CC Workflow: certificate check" in page and "Stage 1: awaiting response" in page
    assert "No closed cases" in page


def test_overdue_deadlines_and_tasks(app, web, make_case):
    reference = make_case(TO_STAGE1)
    make_case()
    client = web("senior")
    page = text(client.get("/dashboard"))
    assert "No deadline is overdue" in page and "No task is overdue" in page
    app.extensions["acro"]["clock"].advance(timedelta(days=21))
    page = text(client.get("/dashboard"))
    assert "Stage 1 response" in page and reference in page
    assert "Check the certificate is disclosable" in page


def test_dormant_wanted_missing_cases(app, web, make_case):
    reference = make_case([CERTIFICATE_OK, NOT_FOUND])
    client = web("caseworker")
    client.post(
        f"/cases/{reference}/tasks/{task_id(app, reference, 'record_nbtc_result')}",
        {"left_uk": "no"},
    )
    client.post(
        f"/cases/{reference}/tasks/{task_id(app, reference, 'record_ice_outcome')}", {"ice_outcome": "not_located"}
    )
    page = text(client.get("/dashboard"))
    dormant = page.split("Dormant cases: wanted/missing", 1)[1]
    # the case, not the person: the dashboard asks no purpose (FD-1), the case page does
    assert reference in dormant and "KOWALSKI" not in dormant
    admin = text(web("admin").get("/dashboard")).split("Dormant cases: wanted/missing", 1)[1]
    assert reference in admin and "KOWALSKI" not in admin
    # CW-6, CW-7: once located the case is open again and leaves the dormant list
    client.post(f"/cases/{reference}/purpose", {"purpose": "casework"})
    client.post(f"/cases/{reference}/events", {"event": "fno_located"})
    after = text(client.get("/dashboard")).split("Dormant cases: wanted/missing", 1)[1]
    assert reference not in after and "No dormant cases." in after


def test_each_count_links_to_the_cases_it_counts(app, web, make_case):
    at_check = [make_case(), make_case(index=1)]
    at_stage1 = make_case(TO_STAGE1)
    client = web("director")
    dashboard = client.get("/dashboard")
    links = {
        " ".join(a.text_content().split()): a.get("href") for a in html(dashboard).xpath("//main//td//a | //main//p/a")
    }
    assert links["1 cases at Stage 1: awaiting response"] == "/dashboard/cases?stage=Stage+1:+awaiting+response"
    listed = client.get(links["2 cases at CC Workflow: certificate check"])
    assert listed.status_code == 200
    assert sorted(texts(listed, "//tbody//td[1]")) == sorted(at_check)
    assert texts(client.get(links["1 cases at Stage 1: awaiting response"]), "//tbody//td[1]") == [at_stage1]
    everything = client.get(links["3 open or dormant cases"])
    assert sorted(texts(everything, "//tbody//td[1]")) == sorted([*at_check, at_stage1])
    # references only: no purpose is asked here, so no names (FD-1)
    assert "KOWALSKI" not in text(everything).upper()


def test_closed_outcome_counts_link_to_those_cases(app, web, make_case):
    closed = deported(app, make_case)
    make_case()
    client = web("senior")
    links = html(client.get("/dashboard")).xpath("//caption[contains(., 'Closed cases')]/..//a/@href")
    with app.app_context():
        outcome = db.session.scalars(select(Case.outcome).where(Case.reference == closed)).one()
    assert outcome and len(links) >= 1
    listed = client.get(links[0])
    assert texts(listed, "//h1") == [f"Closed cases: {outcome}"]
    assert texts(listed, "//tbody//td[1]") == [closed]


def test_a_deadline_met_is_no_longer_overdue(app, web, make_case):
    reference = make_case(TO_STAGE1)
    deliver(app, reference, "representations_received", "Family life")
    app.extensions["acro"]["clock"].advance(timedelta(days=21))
    page = text(web("senior").get("/dashboard"))
    assert "No deadline is overdue" in page


def test_a_stage_that_is_not_one_line_of_text_is_refused(web):
    client = web("director")
    assert client.get("/dashboard/cases?stage=a%00b").status_code == 400
    assert client.get("/dashboard/cases?outcome=" + "x" * 201).status_code == 400
