"""Dates that record what has happened (a form field's ``past_only`` property, set in the
Modeler) refuse a day after today, by the page and by the API in the same words: a departure in
2030 once closed a case."""

from casework import tokens
from tests.web.pages import TO_POLICE, task_id, text
from webapp.db import db

FUTURE = "When was the investigating officer contacted? must be today or in the past"
ANSWERS = {"pending_prosecution": "no", "police_continue_prosecution": "no"}


def test_a_future_date_is_refused_by_the_page_and_the_api_alike(app, web, api, api_tokens, make_case):
    reference = make_case(TO_POLICE)  # the case owner is `caseworker`
    task = task_id(app, reference, "record_police_response")
    with app.app_context():
        clock = app.extensions["acro"]["clock"]  # it stands at 5 January 2026
        api_tokens["caseworker"] = tokens.create_token(db.session, "caseworker", "tests", clock.now())[1]
        db.session.commit()
    page = web("caseworker").post(
        f"/cases/{reference}/tasks/{task}",
        {
            **ANSWERS,
            "officer_contacted_on-day": "6",
            "officer_contacted_on-month": "1",
            "officer_contacted_on-year": "2026",
        },
    )
    assert page.status_code == 400 and FUTURE in text(page)
    refused = api.post(
        f"/tasks/{task}/complete", {"answers": {**ANSWERS, "officer_contacted_on": "2030-01-01"}}, user="caseworker"
    )
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["errors"] == {"answers.officer_contacted_on": [FUTURE]}
    taken = api.post(
        f"/tasks/{task}/complete", {"answers": {**ANSWERS, "officer_contacted_on": "2026-01-05"}}, user="caseworker"
    )
    assert taken.status_code == 200, taken.get_json()
