"""Each edge, real and fake: the contract tests run every check on both (``cases`` is
parametrised), so a fake that drifts from its adapter fails here."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from casework.models import ProcessVersion
from tests.contract.edges import FakeCases, RealCases
from tests.fakes import make_referral


@pytest.fixture
def session(database_url):
    engine = create_engine(database_url)
    with Session(engine) as session:
        session.add(ProcessVersion(digest="0" * 64, main_process="acro_referral", files={}))
        session.commit()
        yield session
    engine.dispose()


@pytest.fixture(params=["fake", "real"])
def cases(request):
    """``cases.store(referral, certificate=None)`` makes a case store; fake or real."""
    if request.param == "fake":
        return FakeCases()
    return RealCases(request.getfixturevalue("session"))


@pytest.fixture
def referral():
    return make_referral
