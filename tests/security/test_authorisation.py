"""Issue 12.1 (high): completing a task needs membership of its candidate groups, always;
reassigning a claimed task is for its holder, a supervisor of the team or an administrator; an
administrator reassigns but never decides outside their own groups. The same policy answers
the service, the pages, the API and the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.errors import Forbidden
from casework.models import UserTask
from tests.people import actor
from tests.web.pages import CERTIFICATE_OK, TO_DETENTION, task_id
from webapp.bootstrap import casework
from webapp.db import db

CHECK = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}


def _assignee(app, task):
    with app.app_context():
        return db.session.get(UserTask, task).assignee


def test_an_administrator_assigned_a_task_still_cannot_complete_it(app, make_case, web):
    reference = make_case()
    task = task_id(app, reference, "check_certificate")
    admin = web("admin")
    # an administrator manages the queue but is in no group: the task cannot be given to them
    assert admin.post(f"/cases/{reference}/tasks/{task}/assign", {"assignee": "admin"}).status_code == 302
    assert _assignee(app, task) is None
    with app.app_context():
        service = casework()
        with pytest.raises(Forbidden):
            service.assign_task(reference, task, actor("alex"), actor("alex"))
        # even if the row said so (an old assignment), completing needs the group
        db.session.get(UserTask, task).assignee = "admin"
        db.session.commit()
        with pytest.raises(Forbidden):
            service.complete_task(reference, task, CHECK, actor("admin"))
    page = admin.get(f"/cases/{reference}/tasks/{task}")
    assert page.status_code == 200 and 'name="certificate_purpose"' not in page.get_data(as_text=True)
    assert admin.post(f"/cases/{reference}/tasks/{task}", CHECK).status_code == 403
    with app.app_context():
        assert db.session.get(UserTask, task) is not None  # nothing was decided


def test_the_director_s_decision_cannot_be_made_by_an_administrator_through_the_api(app, api, make_case):
    reference = make_case()
    task = task_id(app, reference, "check_certificate")
    with app.app_context():
        db.session.get(UserTask, task).assignee = "alex"
        db.session.commit()
    response = api.post(f"/tasks/{task}/complete", {"answers": CHECK}, user="alex")
    assert response.status_code == 403 and "alex is not in that group" in response.get_json()["detail"]
    assert api.post(f"/tasks/{task}/claim", user="alex").status_code == 403


def test_a_team_member_cannot_take_a_colleague_s_claimed_task(app, make_case, web):
    reference = make_case([CERTIFICATE_OK])
    task = task_id(app, reference, "establish_whereabouts")
    base = f"/cases/{reference}/tasks/{task}"
    assert web("caseworker").post(f"{base}/claim").status_code == 302
    # cora is in the same team: she may neither assign it to herself nor to anyone
    with app.app_context():
        with pytest.raises(Forbidden):
            casework().assign_task(reference, task, actor("cora"), actor("cora"))
    assert _assignee(app, task) == "caseworker"


def test_the_holder_a_supervisor_and_an_administrator_may_reassign(app, make_case, web):
    reference = make_case([CERTIFICATE_OK])
    task = task_id(app, reference, "establish_whereabouts")
    base = f"/cases/{reference}/tasks/{task}"
    carl, senior, admin = web("caseworker"), web("senior"), web("admin")
    assert carl.post(f"{base}/claim").status_code == 302
    # the senior caseworker supervises the casework team
    assert senior.post(f"{base}/assign", {"assignee": "senior"}).status_code == 302
    assert _assignee(app, task) == "senior"
    # the holder gives it back
    assert senior.post(f"{base}/assign", {"assignee": "caseworker"}).status_code == 302
    assert _assignee(app, task) == "caseworker"
    # an administrator reassigns, within the team only
    assert admin.post(f"{base}/assign", {"assignee": "senior"}).status_code == 302
    assert _assignee(app, task) == "senior"
    admin.post(f"{base}/assign", {"assignee": "director"})
    assert _assignee(app, task) == "senior"
    # and releases it, but cannot decide it
    assert admin.post(f"{base}/release").status_code == 302
    assert _assignee(app, task) is None
    assert admin.post(base, {"whereabouts_known": "yes", "current_address": "HMP Leeds"}).status_code == 403


def test_a_team_member_may_not_release_a_colleague_s_task(app, make_case, web):
    reference = make_case([CERTIFICATE_OK])
    task = task_id(app, reference, "establish_whereabouts")
    with app.app_context():
        casework().claim_task(reference, task, actor("carl"))
        with pytest.raises(Forbidden):
            casework().release_task(reference, task, actor("cora"))
    assert _assignee(app, task) == "carl"


def test_the_command_line_asks_the_same_policy(app, make_case, runner):
    make_case(TO_DETENTION)
    # exporting a case's log and retrying an incident are an administrator's
    from casework.models import Case

    with app.app_context():
        reference = db.session.scalars(select(Case.reference)).first()
    refused = runner.invoke(args=["audit", "export", reference, "--as", "caseworker", "--purpose", "curiosity"])
    assert refused.exit_code != 0 and "only an administrator" in refused.output
    allowed = runner.invoke(args=["audit", "export", reference, "--as", "admin", "--purpose", "DPA request 12"])
    assert allowed.exit_code == 0, allowed.output
