"""Issue 12, point 7, and issue 11, point 8 (FD-1): personal data read through lists and
searches needs a purpose and is logged with who searched for what; each view of a case or a
document is logged with the purpose of that view (a reason stated for a task, or an hour
ago, does not carry over); a person can change their stated reason; an administrator sees no
personal data on task pages or in queues without a purpose."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework.models import AccessLog, Case
from engine.clock import FakeClock
from tests.web.pages import text
from webapp.db import db

KOWALSKI = "KOWALSKI"  # demo referral 0's family name, as pages show it


def log(app, **where):
    with app.app_context():
        query = select(AccessLog).order_by(AccessLog.id)
        for name, value in where.items():
            query = query.where(getattr(AccessLog, name) == value)
        return db.session.scalars(query).all()


def case_id(app, reference):
    with app.app_context():
        return db.session.scalars(select(Case.id).where(Case.reference == reference)).one()


# -- the API's case list and search ---------------------------------------------------------
def test_the_api_case_list_and_search_need_a_purpose(api, world):
    for query in ("", "?q=kowalski", "?state=open"):
        response = api.get(f"/cases{query}")
        assert response.status_code == 400, query
        assert "X-Purpose" in response.get_json()["errors"]


def test_an_api_search_is_logged_with_who_searched_for_what_why_and_what_was_shown(app, api, world):
    response = api.get("/cases?q=kowalski", user="carl", headers={"X-Purpose": "Enquiry from the police"})
    shown = [c["reference"] for c in response.get_json()["items"]]
    assert shown == [world["a"]]
    [search] = log(app, action="search")
    assert (search.actor, search.purpose, search.case_id) == ("carl", "Enquiry from the police", None)
    assert search.details["via"] == "api" and search.details["criteria"]["q"] == "kowalski"
    assert search.details["shown"] == shown
    # and the case's own log says it was shown in that search, so its export tells the subject
    [view] = log(app, action="view", case_id=case_id(app, world["a"]))
    assert (view.actor, view.purpose, view.details["search"]) == ("carl", "Enquiry from the police", search.id)


def test_an_api_list_without_a_search_is_logged_too_even_when_it_finds_nothing(app, api, world):
    api.get("/cases?page_size=5", headers={"X-Purpose": "Monthly return"})
    api.get("/cases?q=nobody-at-all", headers={"X-Purpose": "Enquiry"})
    listed, nothing = log(app, action="search")
    assert listed.details["what"] == "case list"
    assert sorted(listed.details["shown"]) == sorted([world["a"], world["b"]])
    assert nothing.details["criteria"]["q"] == "nobody-at-all" and nothing.details["shown"] == []


# -- the search page --------------------------------------------------------------------------
def test_the_search_page_asks_why_before_it_shows_anyone(app, web, world):
    page = web("caseworker").get("/search?name=kowalski")
    assert page.status_code == 400 and "Select why you need to search" in text(page)
    assert KOWALSKI not in text(page).split("</form>", 1)[1]
    assert log(app, action="search") == []


def test_a_search_on_the_page_is_logged_with_who_searched_for_what_and_why(app, web, world):
    client = web("caseworker")
    page = client.get(
        "/search", query_string={"name": "kowalski", "purpose": "other", "other": "Call from West Midlands Police"}
    )
    assert page.status_code == 200 and KOWALSKI in text(page)
    client.get("/search?name=zzz&purpose=enquiry")
    found, nothing = log(app, action="search")
    assert (found.actor, found.purpose) == ("caseworker", "Call from West Midlands Police")
    assert found.details == {"via": "web", "what": "search", "criteria": {"name": "kowalski"}, "shown": [world["a"]]}
    assert (nothing.purpose, nothing.details["shown"]) == ("Answering an enquiry about a person", [])
    [view] = log(app, action="view", case_id=case_id(app, world["a"]))
    assert view.details["search"] == found.id


# -- queues -------------------------------------------------------------------------------
def test_a_queue_that_shows_names_is_logged(app, web, world):
    page = web("workflow").get("/tasks/queues/cc-workflow")
    assert KOWALSKI in text(page)
    [listed] = log(app, action="search")
    assert listed.actor == "workflow" and listed.details["what"] == "queue" and listed.details["shown"] == [world["a"]]


def test_an_administrator_sees_no_names_in_queues(app, web, world):
    page = text(web("admin").get("/tasks/queues/cc-workflow"))
    assert world["a"] in page  # the work is there ...
    assert KOWALSKI not in page and ">Subject<" not in page  # ... not who it is about
    assert log(app, actor="admin") == []


# -- task pages -----------------------------------------------------------------------------
def test_an_administrator_sees_no_personal_data_on_a_task_page_and_nothing_is_logged(app, web, world):
    page = web("admin").get(f"/cases/{world['a']}/tasks/{world['a_task']}")
    assert page.status_code == 200
    body = text(page)
    assert world["a"] in body and "Assign to a colleague" in body
    for personal in (KOWALSKI, "12 April 1988", "Polish", "Date of birth", "Overseas convictions"):
        assert personal not in body, personal
    assert log(app, actor="admin") == []


def test_a_task_s_purpose_is_not_carried_to_the_case_s_documents(app, web, world):
    """A caseworker works on a task of a case that has a document (the Stage 1 notice), then
    downloads the document: it is not logged under the task (which may be long done by then);
    they are asked why."""
    from casework.models import UserTask
    from tests.people import actor_of_role
    from webapp.bootstrap import casework

    reference, document = world["b"], world["b_document"]
    with app.app_context():
        # the representations arrive: the deportation decision is the casework team's task now
        casework().deliver_message(
            reference,
            "representations_received",
            {},
            actor_of_role("caseworker", app.config["ACRO_SETTINGS"].role_groups),
        )
        task = db.session.scalars(select(UserTask.id).where(UserTask.case_id == case_id(app, reference))).first()
    assert task is not None
    client = web("caseworker")
    assert client.get(f"/cases/{reference}/tasks/{task}").status_code == 200
    download = client.get(f"/cases/{reference}/documents/{document}")
    assert download.status_code == 302 and "/purpose" in download.location
    assert log(app, action="export") == []
    [view] = log(app, actor="caseworker", action="view")
    assert view.purpose.startswith("Working on the task: ") and view.details["what"] == "task"


# -- each view with the purpose of that view -------------------------------------------------
@pytest.fixture
def wall_clock(app):
    clock = app.extensions["acro"]["session_clock"] = FakeClock()
    return clock


def test_each_view_and_download_is_logged_with_the_purpose_in_force_and_it_lapses(app, web, world, wall_clock):
    client = web("caseworker")
    case, document = f"/cases/{world['b']}", f"/cases/{world['b']}/documents/{world['b_document']}"
    client.post(f"{case}/purpose", {"purpose": "casework"})
    assert client.get(case).status_code == 200
    wall_clock.advance(timedelta(minutes=20))
    assert client.get(document).status_code == 200
    wall_clock.advance(timedelta(minutes=11))  # 31 minutes after it was stated: it has lapsed
    for path in (case, document):
        response = client.get(path)
        assert response.status_code == 302 and "/purpose" in response.location, path
    client.post(f"{case}/purpose", {"purpose": "other", "other": "Subject access request SAR-17"})
    assert client.get(document).status_code == 200
    logged = [
        (e.action, e.purpose, e.details.get("what"))
        for e in log(app, actor="caseworker")
        if e.action in ("view", "export")
    ]
    assert logged == [
        ("view", "Working on this case", "case"),
        ("export", "Working on this case", "document"),
        ("export", "Subject access request SAR-17", "document"),
    ]


def test_a_person_can_change_their_stated_reason(app, web, world, wall_clock):
    client = web("director")
    case = f"/cases/{world['a']}"
    client.post(f"{case}/purpose", {"purpose": "assurance"})
    page = text(client.get(case))
    assert "Quality assurance or audit" in page
    change = f"{case}/purpose?next={case}"
    assert f'href="{change}"' in page.replace("&amp;", "&").replace("%2F", "/")
    form = text(client.get(change))
    assert "Change why you need to see case" in form and 'value="assurance" checked' in form
    assert client.post(change, {"purpose": "enquiry"}).location == case
    assert "Answering an enquiry about this case" in text(client.get(case))
    assert [e.purpose for e in log(app, actor="director", action="view")] == [
        "Quality assurance or audit",
        "Answering an enquiry about this case",
    ]
