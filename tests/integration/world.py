"""A world for service-layer tests: a database, a clock and a sender that outlive any one
service (a "process"), so a test can stop and start the system in between."""

from __future__ import annotations

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from casework import bootstrap, bundles
from casework.config import Settings
from casework.models import User, UserTask
from casework.scenarios import RecordingSender
from engine.clock import FakeClock
from tests.people import add_users


class World:
    def __init__(self, tmp_path, database_url):
        self.settings = Settings.from_env({"ACRO_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "test"})
        self.engine = create_engine(database_url)
        self.clock = FakeClock()
        self.sender = RecordingSender()
        self.session = None

    def service(self):
        if self.session is not None:
            self.session.close()
        self.session = Session(self.engine)
        if self.session.scalars(select(User)).first() is None:
            add_users(self.session, ["wendy", "walter", "carl", "alex"])
        return bootstrap.build(self.session, self.settings, self.clock, self.sender)

    def restart(self):
        """Forget everything held in memory, as a stopped and started process would."""
        bundles._parsed.clear()
        return self.service()

    def task(self, service, reference, bpmn_id):
        case = service.case(reference)
        return service.session.scalars(
            select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == bpmn_id)
        ).one()

    def close(self):
        if self.session is not None:
            self.session.close()
        self.engine.dispose()
