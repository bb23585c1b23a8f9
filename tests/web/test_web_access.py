"""Every page, for every role and for nobody signed in: allowed, refused (403), or sent to
sign in first. What a role may see follows from its candidate groups (ROLE_GROUPS)."""

import pytest
from sqlalchemy import select

from casework.models import AccessLog, UserTask
from tests.web.pages import text
from webapp.db import db

EVERYONE = (None, "workflow", "caseworker", "senior", "director", "admin", "analyst")
# analysts change the process, they do not work cases: they make a scenario from a case on the
# workbench (with its personal data replaced, the use logged), never on the case pages
CASE_VIEWERS = ("workflow", "caseworker", "senior", "director")

OK, REFUSED, SIGN_IN, PURPOSE, REDIRECT = "ok", "refused", "sign in", "purpose", "redirect"


def only(allowed, otherwise=REFUSED, anonymous=SIGN_IN, allowed_as=OK):
    return {role: (anonymous if role is None else allowed_as if role in allowed else otherwise) for role in EVERYONE}


ROUTES = {
    "/": {None: SIGN_IN, **{r: REDIRECT for r in EVERYONE[1:]}},
    "/sign-in": {None: OK, **{r: REDIRECT for r in EVERYONE[1:]}},
    "/tasks": only(EVERYONE[1:]),
    "/tasks/queues/cc-workflow": only(("workflow", "admin")),
    "/tasks/queues/cc-casework": only(("caseworker", "senior", "admin")),
    "/tasks/queues/senior-caseworker": only(("senior", "admin")),
    "/tasks/queues/cc-director": only(("director", "admin")),
    "/tasks/queues/no-such-team": only(()),
    "/cases/{a}/tasks/{a_task}": only(("workflow", "admin")),
    "/cases/{a}": only(CASE_VIEWERS, allowed_as=PURPOSE),
    "/cases/{a}/purpose": only(CASE_VIEWERS),
    "/cases/{a}/progress.json": only(CASE_VIEWERS),
    "/cases/{a}/diagrams/acro_referral.bpmn": only(CASE_VIEWERS),
    "/cases/{b}/documents/{b_document}": only(CASE_VIEWERS, allowed_as=PURPOSE),
    "/cases/{b}/events": only(CASE_VIEWERS, allowed_as=PURPOSE),
    "/search?name=kowalski&purpose=casework": only(CASE_VIEWERS),
    "/referrals/new": only(("workflow",)),
    "/referrals/{a}/recorded": only(("workflow",)),
    "/dashboard": only(EVERYONE[1:]),
    "/processes": only(("analyst",)),
    "/processes/moves": only(("analyst",)),
    "/processes/compare": only(("analyst",)),
    "/processes/catalogue.json": only(("analyst",)),
}


def check(response, expected, role, path):
    where = f"{path} as {role or 'nobody'}: {response.status_code} {response.location or ''}"
    if expected == OK:
        assert response.status_code == 200, where
    elif expected == REFUSED:
        assert response.status_code == 403, where
        assert "You cannot see this page" in text(response), where
    elif expected == SIGN_IN:
        assert response.status_code == 302 and "/sign-in" in response.location, where
    elif expected == PURPOSE:
        assert response.status_code == 302 and "/purpose" in response.location, where
    else:
        assert response.status_code == 302 and "/sign-in" not in response.location, where


@pytest.mark.parametrize("path", list(ROUTES))
def test_each_page_for_each_role(web, world, path):
    url = path.format(**world)
    for role, expected in ROUTES[path].items():
        check(web(role).get(url), expected, role, url)


def test_a_case_once_its_purpose_is_given_and_the_log_of_it(app, web, world):
    for role in CASE_VIEWERS:
        client = web(role)
        response = client.post(f"/cases/{world['a']}/purpose", {"purpose": "casework"})
        assert response.status_code == 302 and response.location.endswith(f"/cases/{world['a']}"), role
        assert client.get(f"/cases/{world['a']}").status_code == 200, role
    with app.app_context():
        logged = db.session.scalars(select(AccessLog).where(AccessLog.action == "view")).all()
    assert {(e.actor, e.purpose) for e in logged} >= {(r, "Working on this case") for r in CASE_VIEWERS}


def test_posting_a_purpose_is_refused_to_an_administrator_and_to_nobody(web, world):
    assert web("admin").post(f"/cases/{world['a']}/purpose", {"purpose": "casework"}).status_code == 403
    response = web().post(f"/cases/{world['a']}/purpose", {"purpose": "casework"})
    assert response.status_code == 302 and "/sign-in" in response.location


def test_documents_once_the_purpose_is_given_and_each_download_is_logged(app, web, world):
    url = f"/cases/{world['b']}/documents/{world['b_document']}"
    for role in CASE_VIEWERS:
        client = web(role)
        client.post(f"/cases/{world['b']}/purpose", {"purpose": "enquiry"})
        response = client.get(url)
        assert response.status_code == 200, role
        assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
        assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        exports = db.session.scalars(select(AccessLog).where(AccessLog.action == "export")).all()
    assert sorted(e.actor for e in exports) == sorted(CASE_VIEWERS)
    assert {e.purpose for e in exports} == {"Answering an enquiry about this case"}


def test_recording_an_event_is_for_the_team_that_waits_for_it(web, world):
    # case b waits for representations: the casework team records them, not the Workflow team
    expected = {"workflow": 403, "caseworker": 200, "senior": 200, "director": 403}
    for role, status in expected.items():
        client = web(role)
        client.post(f"/cases/{world['b']}/purpose", {"purpose": "casework"})
        assert client.get(f"/cases/{world['b']}/events").status_code == status, role
        if status == 403:
            response = client.post(f"/cases/{world['b']}/events", {"event": "representations_received"})
            assert response.status_code == 403, role


def test_claiming_is_for_the_task_s_team_only(app, web, world):
    url = f"/cases/{world['a']}/tasks/{world['a_task']}/claim"
    for role in ("caseworker", "senior", "director", "admin"):
        assert web(role).post(url).status_code == 403, role
    response = web().post(url)
    assert response.status_code == 302 and "/sign-in" in response.location
    assert web("workflow").post(url).status_code == 302
    with app.app_context():
        assert db.session.get(UserTask, world["a_task"]).assignee == "workflow"


def test_answering_a_task_is_for_its_team_only(app, web, world):
    url = f"/cases/{world['a']}/tasks/{world['a_task']}"
    answers = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}
    for role in ("caseworker", "senior", "director", "admin"):
        assert web(role).post(url, answers).status_code == 403, role
    assert web().post(url, answers).status_code == 302
    with app.app_context():
        assert db.session.get(UserTask, world["a_task"]) is not None  # nobody did it
    assert web("workflow").post(url, answers).status_code == 302
    with app.app_context():
        assert db.session.get(UserTask, world["a_task"]) is None


def test_entering_a_referral_is_for_the_workflow_team_only(web, users):
    data = {"family_name": "Nowak", "given_names": "Anna", "action": "confirm"}
    for role in ("caseworker", "senior", "director", "admin"):
        assert web(role).post("/referrals/new", data).status_code == 403, role
    response = web("workflow").post("/referrals/new", data)
    assert response.status_code == 302 and response.location.endswith("/recorded")


def test_releasing_is_for_the_assignee_or_an_administrator(app, web, world):
    base = f"/cases/{world['a']}/tasks/{world['a_task']}"
    web("workflow").post(f"{base}/claim")
    for role in ("caseworker", "director"):
        assert web(role).post(f"{base}/release").status_code == 403, role
    assert web("admin").post(f"{base}/release").status_code == 302
    with app.app_context():
        assert db.session.get(UserTask, world["a_task"]).assignee is None


def test_a_case_that_does_not_exist_is_a_404(web, world):
    client = web("caseworker")
    assert client.get("/cases/ACRO-1999-000999/purpose").status_code == 404
    assert client.get("/cases/ACRO-1999-000999/progress.json").status_code == 404
    assert client.get(f"/cases/{world['a']}/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get(f"/cases/{world['a']}/diagrams/no_such_process.bpmn").status_code == 404


def test_a_deactivated_user_is_signed_out_at_the_next_request(app, web, users):
    from casework.models import User

    client = web("caseworker")
    assert client.get("/tasks").status_code == 200
    with app.app_context():
        db.session.scalars(select(User).where(User.username == "caseworker")).one().active = False
        db.session.commit()
    response = client.get("/tasks")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_a_password_change_ends_other_sessions(app, web, users):
    from werkzeug.security import generate_password_hash

    from casework.models import User

    client = web("director")
    with app.app_context():
        db.session.scalars(
            select(User).where(User.username == "director")
        ).one().password_hash = generate_password_hash("a brand new password")
        db.session.commit()
    assert "/sign-in" in client.get("/tasks").location
