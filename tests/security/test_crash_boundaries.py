"""Issue 12, point 12: recovery after a crash is certain, not likely. A process killed at each
boundary of the background work (after a step's commit and before its job is queued, after an
email is claimed and before it is sent, in the middle of a handler) leaves the case where the
sweeps (``requeue_stale``, the outbox's lease) pick it up again within a bounded time, and
nothing is lost or done twice.

A kill is simulated by raising ``Killed`` at the boundary: it is a BaseException, as the end
of a process is to the code that was running, so no ``except Exception`` handles it; what the
dead process had not committed is then thrown away with its session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from casework import bootstrap
from casework.models import Case, Document, Email, Incident, UserTask
from casework.permissions import Actor
from handlers import registry
from tests.referrals import persona
from webapp.db import db

INTAKE = Actor("acro-intake", frozenset({"cc-workflow"}), frozenset({"workflow"}))
WORKFLOW = Actor("wendy", frozenset({"cc-workflow"}), frozenset({"workflow"}))
DISCLOSABLE = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}


class Killed(BaseException):
    """The process ends here."""


class Queue:
    """The broker as the service layer sees it: keeps the jobs; ``dead`` loses them by killing
    the process that hands them over."""

    def __init__(self):
        self.jobs: list[str] = []
        self.dead = False

    def continue_case(self, reference: str, on_behalf_of: str) -> None:
        if self.dead:
            raise Killed("after the commit, before the job reached the broker")
        self.jobs.append(reference)

    def dispatch_outbox(self) -> None:
        pass

    def run_scenarios(self, run_id: int) -> None:
        pass


class Sender:
    """The relay: ``kill_next`` kills the worker after it claimed the email, before sending."""

    def __init__(self):
        self.sent = []
        self.kill_next = 0
        self.kill_always: set[str] = set()  # Message-IDs whose sending kills the worker every time

    def send(self, message) -> None:
        if self.kill_next or message["Message-ID"] in self.kill_always:
            self.kill_next = max(0, self.kill_next - 1)
            raise Killed("after claiming the email, before the relay had it")
        self.sent.append(message)


@pytest.fixture
def background(app):
    """A web process and a worker on the app's database with a queue, sharing the app's clock."""
    settings = app.config["ACRO_SETTINGS"]
    clock = app.extensions["acro"]["clock"]
    queue, sender = Queue(), Sender()

    def service():
        return bootstrap.build(db.session, settings, clock, sender, queue=queue)

    def die():
        """What a killed process leaves: what it committed, nothing else."""
        db.session.rollback()
        db.session.remove()

    def run_queued():
        """The worker takes the queued jobs."""
        while queue.jobs:
            service().continue_case(queue.jobs.pop(0))

    with app.app_context():
        yield service, queue, sender, clock, settings, die, run_queued


def submit(service) -> str:
    item = persona("kowalski")
    return service().submit_referral(item["referral"], INTAKE, item["certificate"], channel="system").reference


def certificate_checked(service, run_queued) -> str:
    """A case past its certificate check, its next service tasks queued for the worker."""
    reference = submit(service)
    run_queued()
    case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
    task = db.session.scalars(select(UserTask).where(UserTask.case_id == case.id)).one()
    service().complete_task(reference, task.id, DISCLOSABLE, WORKFLOW)
    return reference


def ready_tasks(reference) -> list[str]:
    case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
    return sorted(db.session.scalars(select(UserTask.bpmn_id).where(UserTask.case_id == case.id)))


def test_a_step_committed_but_never_queued_is_queued_again_by_the_sweep_within_its_bound(background):
    service, queue, _sender, clock, settings, die, run_queued = background
    queue.dead = True
    with pytest.raises(Killed):
        submit(service)
    die()
    queue.dead = False
    [reference] = db.session.scalars(select(Case.reference)).all()
    assert queue.jobs == [] and ready_tasks(reference) == []

    # not before its time: a job that is merely slow is not queued twice at once
    clock.advance(timedelta(seconds=settings.requeue_after - 1))
    assert service().requeue_stale() == []
    # the sweep runs every beat: within requeue_after + beat_seconds of the crash it is queued
    clock.advance(timedelta(seconds=1 + settings.beat_seconds))
    assert service().requeue_stale() == [reference]
    run_queued()
    assert ready_tasks(reference) == ["check_certificate"]
    assert db.session.scalars(select(Case.pending_since).where(Case.reference == reference)).one() is None
    clock.advance(timedelta(seconds=settings.requeue_after + settings.beat_seconds))
    assert service().requeue_stale() == []


def test_a_worker_killed_in_the_middle_of_a_handler_leaves_the_case_for_the_sweep(background, monkeypatch):
    service, queue, _sender, clock, settings, die, run_queued = background
    reference = certificate_checked(service, run_queued)
    assert queue.jobs == [reference]

    # the first handler does its work (rows, a PDF, an email in the outbox), then the worker dies
    real_run = registry.run
    topics = []

    def dies_after_the_first_handler(topic, data, **adapters):
        real_run(topic, data, **adapters)
        topics.append(topic)
        raise Killed(f"in the middle of the step, after {topic}")

    monkeypatch.setattr(registry, "run", dies_after_the_first_handler)
    with pytest.raises(Killed):
        run_queued()
    die()
    monkeypatch.setattr(registry, "run", real_run)
    assert topics and queue.jobs == []
    case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
    assert case.pending_since is not None and ready_tasks(reference) == []
    assert db.session.scalars(select(Email)).all() == [] and db.session.scalars(select(Document)).all() == []

    clock.advance(timedelta(seconds=settings.requeue_after + settings.beat_seconds))
    assert service().requeue_stale() == [reference]
    run_queued()
    assert ready_tasks(reference) == ["establish_whereabouts"]
    # each email and document once: the dead worker's half of the step left nothing behind
    kinds = [e.kind for e in db.session.scalars(select(Email).order_by(Email.id))]
    assert len(kinds) == len(set(kinds)) and kinds
    assert db.session.scalars(select(Incident)).all() == []


def test_an_email_claimed_by_a_worker_that_died_is_sent_once_after_its_lease(background):
    service, _queue, sender, clock, settings, die, run_queued = background
    certificate_checked(service, run_queued)
    run_queued()
    waiting = [e.message_id for e in db.session.scalars(select(Email).where(Email.sent_at.is_(None)))]
    assert waiting

    sender.kill_next = 1
    with pytest.raises(Killed):
        service().dispatch_outbox()
    die()
    [claimed] = db.session.scalars(select(Email.message_id).where(Email.sending_since.is_not(None))).all()
    # the others go at once; the claimed one waits for its lease, so no two workers send it
    sent, failed = service().dispatch_outbox()
    assert (sent, failed) == (len(waiting) - 1, 0)
    assert claimed not in [m["Message-ID"] for m in sender.sent]
    # within the lease and a beat it goes, once, with its own Message-ID
    clock.advance(timedelta(seconds=settings.outbox_lease + settings.beat_seconds))
    assert service().dispatch_outbox() == (1, 0)
    ids = [m["Message-ID"] for m in sender.sent]
    assert sorted(ids) == sorted(waiting) and len(ids) == len(set(ids))
    # the lapsed claim is on record as a failed attempt, closed when the email went
    [incident] = db.session.scalars(select(Incident)).all()
    assert "its claim lapsed" in incident.error and incident.resolved_at is not None


def test_an_email_whose_workers_keep_dying_waits_for_an_operator_with_an_incident(background):
    """Each lapsed claim is an attempt that failed, with an incident that says so: after the
    last one the email waits for an operator, who sees it, rather than sitting unsent with
    nobody told; the case's other emails go as usual."""
    service, _queue, sender, clock, settings, die, run_queued = background
    certificate_checked(service, run_queued)
    run_queued()
    emails = [e.message_id for e in db.session.scalars(select(Email).order_by(Email.id))]
    poison = emails[0]
    sender.kill_always.add(poison)
    for _ in range(settings.max_attempts + 2):
        try:
            service().dispatch_outbox()
        except Killed:
            pass
        die()
        clock.advance(timedelta(hours=5))  # past the lease and every backoff
    email = db.session.scalars(select(Email).where(Email.message_id == poison)).one()
    assert (email.sent_at, email.sending_since, email.attempts) == (None, None, settings.max_attempts)
    incident = db.session.scalars(select(Incident).where(Incident.email_id == email.id)).one()
    assert incident.resolved_at is None and incident.next_retry_at is None
    assert "the worker sending it stopped before it was marked sent" in incident.error
    assert sorted(m["Message-ID"] for m in sender.sent) == sorted(emails[1:])

    # an operator retries it once the relay problem is found: it goes, once
    sender.kill_always.clear()
    service().retry_incident(incident.id, Actor("alex", frozenset(), frozenset({"admin"})))
    assert service().dispatch_outbox() == (1, 0)
    assert sorted(m["Message-ID"] for m in sender.sent) == sorted(emails)
