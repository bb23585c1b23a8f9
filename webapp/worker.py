"""The background worker (Celery): service tasks, emails, due timers and retries run here in
production, not in a web request. Start it with

    celery -A webapp.worker worker --beat --loglevel=info

The embedded mode needs none of this: without ACRO_BACKGROUND=celery everything runs inline.
"""
from __future__ import annotations

from celery import Celery

from casework.config import Settings

settings = Settings.from_env()
celery = Celery("acro", broker=settings.broker_url)
celery.conf.update(
    task_acks_late=True,                  # a task a killed worker was running is delivered again
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

_app = None


def _flask_app():
    # built on first use in the worker process, never at import
    global _app
    if _app is None:
        from webapp import create_app
        _app = create_app()
    return _app


def _run(method, *args):
    from webapp.bootstrap import casework
    with _flask_app().app_context():
        return method(casework(), *args)


@celery.task(name="acro.continue_case", bind=True, max_retries=5, default_retry_delay=5)
def continue_case(self, reference: str, on_behalf_of: str = "system"):
    from casework.service import Conflict
    try:
        _run(lambda service: service.continue_case(reference, on_behalf_of))
    except Conflict as exc:  # the case moved under us; the newer state is what counts
        raise self.retry(exc=exc)


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
    from casework.models import db
    from casework.workbench.runs import finish
    app = _flask_app()
    with app.app_context():
        run = finish(db.session, run_id, app.config["ACRO_SETTINGS"], app.extensions["acro"]["clock"])
        return run.state if run is not None else None


class CeleryQueue:
    """What the service layer hands to the worker."""

    def continue_case(self, reference: str, on_behalf_of: str) -> None:
        continue_case.delay(reference, on_behalf_of)

    def dispatch_outbox(self) -> None:
        dispatch_outbox.delay()
