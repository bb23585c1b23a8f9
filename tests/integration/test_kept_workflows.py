"""A case's workflow is kept in the process between its steps (casework/restored.py): a step
after a step, or after a page that only read it, restores nothing; a state changed elsewhere
is restored from the database."""

from __future__ import annotations

from sqlalchemy import select

from casework.models import UserTask
from engine.instance import Engine
from tests.people import actor_of_role
from tests.web.pages import CERTIFICATE_OK, LOCATED
from webapp.bootstrap import casework
from webapp.db import db


def _complete(app, reference, step):
    bpmn_id, role, answers = step
    service = casework()
    case = service.case(reference)
    task = db.session.scalars(select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == bpmn_id)).one()
    service.complete_task(reference, task.id, answers, actor_of_role(role, app.config["ACRO_SETTINGS"].role_groups))


def test_steps_and_reads_restore_nothing_and_a_state_changed_elsewhere_is_restored(app, make_case, monkeypatch):
    reference = make_case()
    restored = []
    real = Engine.restore

    def counted(self, bundle, state):
        restored.append(state)
        return real(self, bundle, state)

    monkeypatch.setattr(Engine, "restore", counted)
    with app.app_context():
        _complete(app, reference, CERTIFICATE_OK)  # the workflow the referral's step saved
        service = casework()
        case = service.case(reference)
        instance = service.instance(case)  # a page reads it ...
        assert instance.ready_tasks()[0].bpmn_id == "establish_whereabouts"
        service.put_back(case, instance)  # ... and gives it back
        assert restored == []

        # another process moved the case on: what is kept no longer matches, so it is restored
        case = service.case(reference)
        changed = dict(case.instance_state)
        changed["edited elsewhere"] = True
        case.instance_state = changed
        db.session.commit()
        _complete(app, reference, LOCATED)
        assert len(restored) == 1
        assert casework().case(reference).stage == "FNO located: case owner to be allocated"
