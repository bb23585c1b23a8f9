"""The dashboard: cases per stage, overdue deadlines and tasks, dormant wanted/missing cases."""

from datetime import timedelta

from tests.web.pages import CERTIFICATE_OK, NOT_FOUND, TO_STAGE1, task_id, text


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
