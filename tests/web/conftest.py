import pytest

from webapp.db import db


# -- the caseworkers' pages -------------------------------------------------------------
@pytest.fixture
def web(app, users):
    """``web("caseworker")`` is a client signed in as that user; ``web()`` is nobody signed in."""
    from tests.web.pages import Client

    def make(username=None):
        client = Client(app.test_client())
        return client.sign_in(username) if username else client
    return make


@pytest.fixture
def make_case(app, users):
    """``make_case(steps, index=0)``: demo referral ``index`` submitted and taken through
    ``steps`` ([(task, role, answers)], through the service); returns the case reference."""
    from sqlalchemy import select

    from casework.demo import DEMO_REFERRALS
    from casework.models import UserTask
    from tests.people import INTAKE, actor_of_role
    from webapp.bootstrap import casework

    def make(steps=(), index=0):
        with app.app_context():
            service = casework()
            item = DEMO_REFERRALS[index]
            case = service.submit_referral(item["referral"], INTAKE, certificate=item["certificate"], channel="system")
            reference = case.reference
            for bpmn_id, role, answers in steps:
                task = db.session.scalars(select(UserTask).where(UserTask.case_id == case.id,
                                                                 UserTask.bpmn_id == bpmn_id)).one()
                service.complete_task(reference, task.id, answers,
                                      actor_of_role(role, app.config["ACRO_SETTINGS"].role_groups))
            return reference
    return make


@pytest.fixture
def world(app, make_case):
    """Case ``a`` waits for its certificate check (task ``a_task``); case ``b`` waits at
    Stage 1, with its notice (``b_document``)."""
    from sqlalchemy import select

    from casework.models import Case, Document
    from tests.web.pages import TO_STAGE1, task_id
    a = make_case()
    b = make_case(TO_STAGE1, index=2)
    with app.app_context():
        b_id = db.session.scalars(select(Case.id).where(Case.reference == b)).one()
        document = db.session.scalars(select(Document.id).where(Document.case_id == b_id)).first()
    return {"a": a, "b": b, "a_task": task_id(app, a, "check_certificate"), "b_document": document}
