"""What engine/spiff_compat.py relies on in SpiffWorkflow 3.2's internals, pinned: if an upgrade
changes one of these, this file says which, before any case does."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module

from engine import spiff_compat
from engine.bundle import parse, read_dir
from engine.clock import FakeClock, using
from engine.instance import Engine

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def clock():
    return FakeClock()


def race(clock):
    instance = Engine(clock).start(parse(read_dir(FIXTURES / "race"), main="race"), {})
    instance.run(lambda task: None)
    return instance


def test_timers_read_the_clock_engine_clock_installs(clock):
    # engine.clock replaced the name the timer module reads its time from
    assert timer_module.datetime.__name__ == "_EngineDatetime"
    with using(clock):
        assert timer_module.datetime.now(clock.now().tzinfo) == clock.now()


def test_an_event_based_gateway_waits_for_its_catch_events_in_the_order_of_its_flows(clock):
    instance = race(clock)
    waits = list(spiff_compat.waits(instance.workflow))
    assert [element.bpmn_id for _, _, element in waits] == ["replied", "timed_out"]
    assert [spiff_compat.is_message(d) for _, d, _ in waits] == [True, False]
    assert [spiff_compat.is_timer(d) for _, d, _ in waits] == [False, True]
    # the waiting task is the gateway's, for both
    assert {task.task_spec.bpmn_id for task, _, _ in waits} == {"either"}


def test_a_timer_s_due_time_is_kept_absolute_and_survives_a_save(clock):
    instance = race(clock)
    [(task, _, _)] = [w for w in spiff_compat.waits(instance.workflow) if spiff_compat.is_timer(w[1])]
    assert spiff_compat.timer_due(task) == clock.now() + timedelta(days=10)
    engine = Engine(clock)
    restored = engine.restore(instance.bundle, json.loads(json.dumps(engine.dump(instance))))
    [(task, _, _)] = [w for w in spiff_compat.waits(restored.workflow) if spiff_compat.is_timer(w[1])]
    assert spiff_compat.timer_due(task) == clock.now() + timedelta(days=10)
    assert spiff_compat.after_duration(clock.now(), "P10D") == clock.now() + timedelta(days=10)


def test_a_message_s_payload_lands_under_its_name_and_erase_reaches_its_copies(clock):
    instance = race(clock)
    with using(clock):
        instance.workflow.send_event(spiff_compat.message_event("reply", {"secret": "x", "kept": "y"}))
        instance.workflow.do_engine_steps()
    assert instance.completed
    assert instance.workflow.last_task.data["reply"] == {"secret": "x", "kept": "y"}
    spiff_compat.erase_data(instance.workflow, ["reply", "secret"])
    for task in instance.workflow.get_tasks():
        assert "reply" not in task.data
        assert "secret" not in json.dumps(task.internal_data, default=str)


def test_completed_tasks_come_in_the_order_they_were_done(clock):
    instance = race(clock)
    clock.advance(timedelta(days=10, seconds=1))
    instance.fire_due_timers()
    instance.run(lambda task: None)
    done = [t.task_spec.bpmn_id for t in spiff_compat.completed_tasks(instance.workflow)]
    assert done.index("start") < done.index("either") < done.index("timed_out") < done.index("end_timed_out")
    assert "replied" not in done


def test_a_gateway_s_children_the_engine_chose_and_a_message_lent_to_an_event_based_gateway():
    """The decision record names a gateway's route by the child it went on to, and finds the
    message of a catch event whose definition its event-based gateway holds."""
    bundle = parse(read_dir(Path(__file__).resolve().parents[2] / "processes"))
    specs = {bpmn_id: spec for _, bpmn_id, spec in bundle.flow_nodes()}
    assert spiff_compat.message_name(specs["representations_received"]) == "representations_received"
    assert spiff_compat.message_name(specs["await_deportation"]) == "deportation_enforced"
    assert spiff_compat.message_name(specs["consider_deportation"]) is None
