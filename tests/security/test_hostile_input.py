"""Issue 12, point 8: no server error for huge integers (page numbers, document and incident
ids, years), NUL bytes (PostgreSQL cannot keep them) or control characters, on any page or
API endpoint; every channel refuses the same input with a clear message.

The first tests walk every route of the app's URL map with hostile values in the path, the
query string and the form or JSON body, signed in as different people: a new route is
covered without editing them. The rest check that the pages and the API refuse the same
input, and say why."""

import json

import pytest
from sqlalchemy import select

from casework.models import AccessLog, UserTask
from tests.security.routes import COMMON_FIELDS, HOSTILE, HUGE, concrete_routes, form_fields, hostile_path
from tests.web.pages import CSRF, DETENTION, TO_DETENTION, TO_POLICE, task_id, text
from webapp.db import db

PAGE_PEOPLE = (None, "workflow", "caseworker", "admin")
API_PEOPLE = ("wendy", "carl", "alex")
REFUSAL_WORDS = (
    "cannot be used",
    "must be",
    "not valid",
    "Not a valid",
    "real date",
    "not allowed",
    "Control characters",
    "Enter",
    "Select",
)


def no_server_error(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {text(response)[:300]}"
    if response.status_code == 400:
        # a refusal says what is wrong, in words: problem details with a detail, or a page
        if response.mimetype == "application/problem+json":
            assert response.get_json()["detail"].strip(), f"{where}: 400 without a reason"
        else:
            body = text(response)
            assert any(word in body for word in REFUSAL_WORDS), f"{where}: 400 without a reason: {body[:500]}"


def post(client, path, data):
    """A form sent as the browser sends it, with a CSRF token, even once the route walked
    before it has signed the client out."""
    token = None
    for source in ("/dashboard", "/sign-in"):
        found = CSRF.search(text(client.client.get(source)))
        if found:
            token = found.group(1)
            break
    return client.client.post(path, data={**data, "csrf_token": token})


def page_routes(app, world):
    return [r for r in concrete_routes(app, world) if not r.api and r.rule.endpoint != "static"]


@pytest.mark.parametrize("who", PAGE_PEOPLE, ids=[p or "nobody" for p in PAGE_PEOPLE])
def test_every_page_route_refuses_hostile_values_without_a_server_error(app, web, world, who):
    walked = 0
    for route in page_routes(app, world):
        client = web(who)  # signed in afresh each route: one route may be signing out
        fields = set(COMMON_FIELDS)
        if "GET" in route.methods:
            page = client.get(route.url)
            no_server_error(page, f"GET {route.url} as {who}")
            fields |= form_fields(text(page))
        for label, value in HOSTILE.items():
            where = f"{route.rule.rule} with a {label} as {who}"
            path = hostile_path(route, value)
            for method in route.methods:
                if path is not None:
                    response = client.get(path) if method == "GET" else post(client, path, {})
                    no_server_error(response, f"{method} path {where}")
                query = {field: value for field in fields}
                if method == "GET":
                    no_server_error(client.get(route.url, query_string=query), f"GET query {where}")
                else:
                    no_server_error(post(client, route.url, query), f"{method} form {where}")
                walked += 1
    assert walked > 200


def api_body(value):
    """A JSON body with the value wherever the API's endpoints read one."""
    return {
        "message": value,
        "payload": {"details": value, value: 1},
        "answers": {"x": value},
        "referral": {"subject": {"family_name": value, "date_of_birth": value}},
        "certificate": None,
    }


@pytest.mark.parametrize("who", API_PEOPLE)
def test_every_api_route_refuses_hostile_values_without_a_server_error(app, api, world, who):
    walked = 0
    for route in concrete_routes(app, world):
        if not route.api:
            continue
        for label, value in HOSTILE.items():
            where = f"{route.rule.rule} with a {label} as {who}"
            path = hostile_path(route, value)
            query = {field: value for field in COMMON_FIELDS}
            for method in route.methods:
                headers = {**api._headers(who, None), "X-Purpose": "Walking every route"}
                for url, kwargs in ((path, {}), (route.url, {"query_string": query})):
                    if url is None:
                        continue
                    response = api.client.open(url, method=method, headers=headers, **kwargs)
                    no_server_error(response, f"{method} {where}")
                if method != "GET":
                    response = api.client.open(
                        route.url,
                        method=method,
                        headers=headers,
                        data=json.dumps(api_body(value)),
                        content_type="application/json",
                    )
                    no_server_error(response, f"{method} body {where}")
                # the purpose header itself, with the value in it
                if "\r" not in value and "\n" not in value:
                    response = api.client.open(route.url, method=method, headers={**headers, "X-Purpose": value})
                    no_server_error(response, f"{method} X-Purpose {where}")
                walked += 1
    assert walked > 80


# -- every channel refuses the same input, and says why -----------------------------------
def test_a_huge_page_number_is_refused_by_the_pages_and_the_api(web, api, world):
    page = web("workflow").get(f"/tasks/queues/cc-workflow?page={HUGE}")
    assert page.status_code == 400 and "The page number must be a whole number from 1 to 100,000" in text(page)
    body = api.get(f"/cases?page={HUGE}", headers={"X-Purpose": "Paging"})
    assert body.status_code == 400 and "page" in body.get_json()["errors"]


def test_a_huge_document_or_incident_id_is_a_page_that_does_not_exist(web, api, world):
    caseworker = web("caseworker")
    caseworker.post(f"/cases/{world['b']}/purpose", {"purpose": "casework"})
    assert caseworker.get(f"/cases/{world['b']}/documents/{HUGE}").status_code == 404
    assert caseworker.get(f"/cases/{world['b']}/documents/2147483648").status_code == 404
    assert web("admin").post(f"/admin/incidents/{HUGE}/retry").status_code == 404
    response = api.get(f"/cases/{world['b']}/documents/document-{HUGE}", headers={"X-Purpose": "Reading"})
    assert response.status_code == 404


@pytest.mark.parametrize("year", [HUGE, "99999999999", "10000"])
def test_a_year_too_big_for_a_date_is_not_a_real_date(app, web, make_case, year):
    search = web("caseworker").get(f"/search?purpose=casework&dob-day=1&dob-month=1&dob-year={year}")
    assert search.status_code == 400 and "Date of birth must be a real date" in text(search)
    # a task's date answer: the police response form asks when the officer was contacted
    reference = make_case(TO_POLICE)
    url = f"/cases/{reference}/tasks/{task_id(app, reference, 'record_police_response')}"
    response = web("caseworker").post(
        url,
        {
            "officer_contacted_on-day": "6",
            "officer_contacted_on-month": "1",
            "officer_contacted_on-year": year,
            "pending_prosecution": "no",
            "police_continue_prosecution": "no",
        },
    )
    assert response.status_code == 400 and "must be a real date" in text(response)


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x07", "\x0c"], ids=["NUL", "ESC", "BEL", "form feed"])
def test_a_task_answer_with_a_control_character_is_refused_by_both_and_kept_on_the_page(
    app, web, api, make_case, character
):
    reference = make_case(TO_DETENTION)
    task = task_id(app, reference, "consider_detention")
    answers = {**DETENTION[2], "detention_reasons": f"Serving a sentence{character} at HMP Wandsworth"}
    page = web("caseworker").post(f"/cases/{reference}/tasks/{task}", answers)
    assert page.status_code == 400
    assert (
        "The answer to “What are the reasons for the detention decision?” has a character that cannot be "
        "used" in text(page)
    )
    assert "at HMP Wandsworth" in text(page)  # what was typed is kept
    response = api.post(f"/tasks/{task}/complete", {"answers": answers}, user="carl")
    assert response.status_code == 422 and "answers.detention_reasons" in response.get_json()["errors"]
    with app.app_context():
        assert db.session.get(UserTask, task) is not None  # nothing was done


def test_event_details_with_a_control_character_are_refused_by_both_and_kept_on_the_page(app, web, api, world):
    client = web("caseworker")
    client.post(f"/cases/{world['b']}/purpose", {"purpose": "casework"})
    typed = "Letter from the solicitor\x1b[2J"
    page = client.post(f"/cases/{world['b']}/events", {"event": "representations_received", "details": typed})
    assert page.status_code == 400
    assert "The details have a character that cannot be used" in text(page)
    assert "Letter from the solicitor" in text(page)  # what was typed is kept
    response = api.post(
        f"/cases/{world['b']}/messages",
        {"message": "representations_received", "payload": {"details": typed}},
        user="carl",
    )
    assert response.status_code == 422
    assert "Stage 1: awaiting response" in text(api.get(f"/cases/{world['b']}?purpose=Checking", user="carl"))


def test_a_purpose_with_a_control_character_is_refused_by_both(web, api, world):
    page = web("caseworker").post(f"/cases/{world['a']}/purpose", {"purpose": "other", "other": "Audit\x00"})
    assert page.status_code == 400 and "Your reason has a character that cannot be used" in text(page)
    response = api.get(f"/cases/{world['a']}", headers={"X-Purpose": "Audit\x1b"})
    assert response.status_code == 400 and "X-Purpose" in response.get_json()["errors"]


@pytest.mark.parametrize("field", ["name", "pnc_id", "reference"])
def test_a_search_term_with_a_control_character_is_refused_by_both(app, web, api, world, field):
    page = web("caseworker").get("/search", query_string={"purpose": "casework", field: "Kowal\x00ski"})
    assert page.status_code == 400 and "has a character that cannot be used" in text(page)
    response = api.get("/cases", query_string={"q": "Kowal\x00ski"}, headers={"X-Purpose": "Searching"})
    assert response.status_code == 400
    with app.app_context():
        assert not db.session.scalars(select(AccessLog).where(AccessLog.action == "search")).all()


@pytest.mark.parametrize("field", ["username", "password"])
def test_sign_in_fields_with_a_nul_are_refused_not_a_server_error(web, users, field):
    form = {"username": "caseworker", "password": "demo-caseworker-pass", field: "case\x00worker"}
    response = web().post("/sign-in", form)
    assert response.status_code == 400 and "has a character that cannot be used" in text(response)


def test_a_line_break_in_a_return_address_never_reaches_a_header(web, world):
    response = web("workflow").post(
        f"/cases/{world['a']}/tasks/{world['a_task']}/claim", {"next": "/tasks\r\nSet-Cookie: stolen=1"}
    )
    assert response.status_code == 302 and "stolen" not in response.headers.get("Location", "")
    assert "stolen" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("key", ["e", "form", "field", "page"])
def test_a_page_that_checks_its_own_form_still_has_its_query_string_checked(web, world, key):
    response = web("workflow").get(f"/cases/{world['a']}/tasks/{world['a_task']}", query_string={key: "x\x00"})
    assert response.status_code == 400 and "The web address has a character that cannot be used" in text(response)
