"""Production mode: service tasks, emails and timers run in the Celery worker over a real
broker (Redis), not in the web request."""

import os
import time
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from adapters.smtp import SmtpSender
from casework import worker
from casework.config import Settings
from casework.database import session_factory
from casework.models import Email, UserTask
from casework.permissions import Actor
from engine.clock import FakeClock
from tests.people import WORKFLOW
from tests.referrals import persona
from webapp import create_app
from webapp.bootstrap import casework
from webapp.db import db

BROKER = os.environ.get("ACRO_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def production(tmp_path, database_url, smtp_server):
    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.ConnectionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis at {BROKER}")
    redis.Redis.from_url(BROKER).flushdb()
    settings = Settings.from_env(
        {
            "ACRO_INSTANCE_DIR": str(tmp_path),
            "SECRET_KEY": "test",
            "DATABASE_URL": database_url,
            "ACRO_BACKGROUND": "celery",
            "CELERY_BROKER_URL": BROKER,
        }
    )
    clock = FakeClock()
    app = create_app(
        {"TESTING": True, "ACRO_CLOCK": clock, "ACRO_SENDER": SmtpSender(smtp_server.host, smtp_server.port)},
        settings=settings,
    )
    worker.celery.conf.broker_url = BROKER
    sessions = session_factory(database_url)
    worker.configure(
        settings=settings,
        sessions=sessions,
        clock=clock,
        sender=SmtpSender(smtp_server.host, smtp_server.port),
    )
    yield app, clock
    worker.configure()
    sessions.kw["bind"].dispose()  # the worker's engine: its connections closed, not left to the GC
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def wait_for(app, condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            if condition():
                return
            db.session.remove()
        time.sleep(0.1)
    raise AssertionError("the worker did not get there in time")


def ready(bpmn_id):
    return lambda: db.session.scalars(select(UserTask).where(UserTask.bpmn_id == bpmn_id)).first() is not None


def test_service_tasks_and_emails_run_in_the_worker_not_the_request(production, smtp_server, report):
    app, clock = production
    item = persona("kowalski")
    with app.app_context():
        reference = casework().submit_referral(item["referral"], Actor("acro-intake"), item["certificate"]).reference
        case = casework().case(reference)
        # the request only queued the work: no handler has run, and nothing waits on a person
        # yet, so no wait state has named a stage
        assert case.pending_since is not None and case.stage is None
        assert db.session.scalars(select(UserTask)).all() == []
    with start_worker(worker.celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        wait_for(app, ready("check_certificate"))
        with app.app_context():
            task = db.session.scalars(select(UserTask)).one()
            casework().complete_task(
                reference,
                task.id,
                {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"},
                WORKFLOW,
            )
        wait_for(app, ready("establish_whereabouts"))
        wait_for(
            app,
            lambda: (
                all(e.sent_at for e in db.session.scalars(select(Email)))
                and db.session.scalars(select(Email)).first() is not None
            ),
        )
    with app.app_context():
        emails = db.session.scalars(select(Email)).all()
        case = casework().case(reference)
        assert case.pending_since is None and case.team == "CC EEA casework team"
        arrived = {m["message"]["Message-ID"] for m in smtp_server.messages}
        assert {e.message_id for e in emails} <= arrived
    report(f"worker: {len(emails)} email(s) sent by the worker for {reference}")


def test_a_queued_case_whose_worker_died_is_queued_again(production):
    app, clock = production
    item = persona("ionescu")
    with app.app_context():
        reference = casework().submit_referral(item["referral"], Actor("acro-intake"), item["certificate"]).reference
    redis.Redis.from_url(BROKER).flushdb()  # the queued job is lost, as if its worker died with it
    clock.advance(timedelta(minutes=2))
    with app.app_context():
        assert casework().requeue_stale() == [reference]
    with start_worker(worker.celery, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        wait_for(app, ready("check_certificate"))
