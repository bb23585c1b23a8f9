"""The background worker (Celery): service tasks, emails, due timers and retries run here in
production, not in a web request. Start it with

    celery -A casework.worker worker --beat --loglevel=info

It needs no web app: it opens its own database sessions (casework/database.py). The embedded
mode needs none of this: without ACRO_BACKGROUND=celery everything runs inline.
"""

from __future__ import annotations

from celery import Celery

from engine.clock import SystemClock

from . import bootstrap
from .config import Settings
from .database import session_factory
from .errors import Conflict

settings = Settings.from_env()
celery = Celery("acro", broker=settings.broker_url)
celery.conf.update(
    task_acks_late=True,  # a task a killed worker was running is delivered again
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"visibility_timeout": 120},
    broker_connection_retry_on_startup=True,
    task_default_queue="acro",
    beat_schedule={
        name: {"task": f"acro.{name}", "schedule": settings.beat_seconds}
        for name in ("dispatch_outbox", "fire_due_timers", "retry_due_incidents", "requeue_stale")
    },
)


class _Wiring:
    """What each job is run with: made from the environment on first use in the worker process
    (never at import), or given by ``configure`` (tests)."""

    def __init__(self):
        self.settings = self.sessions = self.clock = self.sender = None

    def ready(self) -> _Wiring:
        if self.sessions is None:
            self.settings = self.settings or settings
            self.sessions = session_factory(self.settings.database_url)
            self.sender = self.sender or bootstrap.smtp_sender(self.settings)
            self.clock = self.clock or SystemClock()
        return self


_wiring = _Wiring()


def configure(*, settings=None, sessions=None, clock=None, sender=None) -> None:
    """Run the jobs on these instead of what the environment says (tests; None undoes it)."""
    _wiring.settings, _wiring.sessions, _wiring.clock, _wiring.sender = settings, sessions, clock, sender


def _run(method, *args):
    wiring = _wiring.ready()
    with wiring.sessions() as session:
        service = bootstrap.build(session, wiring.settings, wiring.clock, wiring.sender, queue=CeleryQueue())
        return method(service, *args)


@celery.task(name="acro.continue_case", bind=True, max_retries=5, default_retry_delay=5)
def continue_case(self, reference: str, on_behalf_of: str = "system"):
    try:
        _run(lambda service: service.continue_case(reference, on_behalf_of))
    except Conflict as exc:  # the case moved under us; the newer state is what counts
        raise self.retry(exc=exc) from exc


@celery.task(name="acro.dispatch_outbox")
def dispatch_outbox():
    return _run(lambda service: service.dispatch_outbox())


@celery.task(name="acro.fire_due_timers")
def fire_due_timers():
    return _run(lambda service: service.fire_due_timers())


@celery.task(name="acro.retry_due_incidents")
def retry_due_incidents():
    return _run(lambda service: service.retry_due_incidents())


@celery.task(name="acro.requeue_stale")
def requeue_stale():
    return _run(lambda service: service.requeue_stale())


@celery.task(name="acro.run_scenarios")
def run_scenarios(run_id: int):
    """A workbench run of the scenario suite against a draft (on a scratch database)."""
    from .workbench.runs import finish

    wiring = _wiring.ready()
    with wiring.sessions() as session:
        run = finish(session, run_id, wiring.settings, wiring.clock)
        return run.state if run is not None else None


class CeleryQueue:
    """What the service layer hands to the worker."""

    def continue_case(self, reference: str, on_behalf_of: str) -> None:
        continue_case.delay(reference, on_behalf_of)

    def dispatch_outbox(self) -> None:
        dispatch_outbox.delay()

    def run_scenarios(self, run_id: int) -> None:
        run_scenarios.delay(run_id)
