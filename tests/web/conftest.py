"""The pages' own fixture: two cases at known points, for the page-by-page tests."""
import pytest

from webapp.db import db


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
