"""One referral driven two ways: through the service layer (persisting at every wait state),
and by the bare engine in memory with the same handlers and in-memory fakes.

Both take a scenario as ``casework.scenarios`` reads it (tasks with answers, messages,
waits) and do the same steps with the same data; ``same_route`` checks they visited the
same flow nodes, so the two figures measure the same work.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import select

from casework import bundles, forms, outbox, scenarios
from casework.models import User, UserTask
from casework.permissions import Actor
from casework.service import Casework
from engine import bundle as engine_bundle
from engine.clock import FakeClock
from engine.coverage import Coverage
from engine.instance import Engine, Instance
from handlers import load_all, registry

from .common import actor_for

INTAKE = Actor("acro-intake")


def load(path) -> dict:
    return scenarios.load(path)


def start_clock(scenario: dict) -> FakeClock:
    from datetime import datetime

    start = scenario.get("start")
    return FakeClock(datetime.fromisoformat(str(start)) if start else None)


def ensure_people(session, scenario: dict) -> None:
    """The users the steps act as, and name (a case owner), with their roles; as the scenario
    runner makes them (they sign in nowhere: no password)."""
    people = {}
    for step in scenario["steps"]:
        if "task" in step and step.get("as"):
            people.setdefault(step.get("user", step["as"]), step["as"])
    known = set(session.scalars(select(User.username)))
    for username, role in people.items():
        if username.lower() not in known:
            session.add(User(username=username.lower(), full_name=username.title(), roles=[role], password_hash="!"))
    session.commit()


def service_referral(service: Casework, clock: FakeClock, scenario: dict) -> str:
    """Drive one referral through the service layer, as ``acro scenario run`` does; return
    its reference. Each step is one unit of work that saves the case at its next wait state."""
    case = service.submit_referral(scenario["referral"], INTAKE, certificate=scenario.get("certificate"))
    reference = case.reference
    for step in scenario["steps"]:
        if "task" in step:
            case = service.case(reference)
            task_id = service.session.scalars(
                select(UserTask.id).where(UserTask.case_id == case.id, UserTask.bpmn_id == step["task"])
            ).first()
            if task_id is None:
                raise RuntimeError(f"{reference}: task {step['task']} is not ready")
            service.complete_task(
                reference, task_id, step.get("answers") or {}, actor_for(service.settings, step["as"], step.get("user"))
            )
        elif "message" in step:
            who = recorder(service, reference, step)
            service.deliver_message(reference, step["message"], step.get("payload"), who)
        elif "wait" in step:
            clock.advance(scenarios.duration(step["wait"]))
            service.fire_due_timers()
        elif "fire_timers" in step:
            service.fire_due_timers()
    return reference


_recorders: dict[str, Actor] = {}


def recorder(service: Casework, reference: str, step: dict) -> Actor:
    """Who records a message, as ``acro scenario run`` chooses: the step's role, or else the
    first role in a group the catch event names. Kept per message, so that the timed work
    holds no look-up the service itself does not make."""
    if step.get("as"):
        return actor_for(service.settings, step["as"], step.get("user"))
    name = step["message"]
    if name not in _recorders:
        role = scenarios.recording_role(service, reference, name)
        _recorders[name] = actor_for(service.settings, role) if role else INTAKE
    return _recorders[name]


def current_bundle(settings) -> engine_bundle.Bundle:
    return bundles.parsed(engine_bundle.read_dir(settings.processes_dir), engine_bundle.MAIN_PROCESS)


def bare_referral(bundle, scenario: dict, settings, render: bool = True) -> Instance:
    """The same referral on the bare engine in memory: the same handlers, given in-memory
    fakes (tests/fakes.py) instead of the database, the outbox and the document store.
    ``render``: the fake document store renders each PDF as the real one does."""
    from tests.fakes import FakeCaseStore, FakeDocuments, FakeMailer

    load_all()
    clock = start_clock(scenario)
    certificate = scenario.get("certificate")
    if certificate:
        certificate = {**certificate, "status": "held", "received_at": clock.now().isoformat()}
    store = FakeCaseStore(scenario["referral"], certificate=certificate)
    # as the real outbox: the configured parties and the officer this referral names
    mailer = FakeMailer(outbox.allowed_recipients(SimpleNamespace(referral=scenario["referral"]), settings.addresses))
    documents = FakeDocuments(store, clock, render=render)
    instance = Engine(clock).start(bundle, {"case_reference": store.reference})
    adapters = {
        "case_store": store,
        "mailer": mailer,
        "documents": documents,
        "clock": clock,
        "settings": settings.handler_settings(),
        "instance": instance,
    }

    def execute(task):
        return registry.run(task.topic, dict(task.data), **adapters, wording=task.properties)

    instance.run(execute)
    for step in scenario["steps"]:
        if "task" in step:
            ready = next((t for t in instance.ready_tasks() if t.bpmn_id == step["task"]), None)
            if ready is None:
                raise RuntimeError(f"bare engine: task {step['task']} is not ready")
            instance.complete_user_task(ready.id, forms.clean(ready.form, step.get("answers") or {}))
        elif "message" in step:
            payload = dict(step.get("payload") or {})
            payload.pop("certificate", None)
            instance.send_message(step["message"], payload)
        elif "wait" in step:
            clock.advance(scenarios.duration(step["wait"]))
            instance.fire_due_timers()
        elif "fire_timers" in step:
            instance.fire_due_timers()
        instance.run(execute)
    return instance


def visited(instance: Instance) -> set:
    coverage = Coverage(instance.bundle)
    coverage.add(instance.workflow)
    return coverage.nodes
