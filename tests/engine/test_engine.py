"""The engine on a small diagram: parse, run, wait, persist, restore, time and messages."""

import json
from datetime import timedelta
from pathlib import Path

import pytest

from engine.bundle import parse, read_dir
from engine.clock import FakeClock
from engine.instance import Engine, NotWaiting
from engine.parser import UndeclaredOutput

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def bundle():
    return parse(read_dir(FIXTURES), main="mini")


@pytest.fixture
def clock():
    return FakeClock()


def act(task):
    """The mini.act handler: gives what the service task declares."""
    return {"acted": True}


def started(bundle, clock):
    instance = Engine(clock).start(bundle, {"owner": "alice"})
    instance.run(act)
    return instance


def test_user_task_keeps_camunda_attributes(bundle, clock):
    [task] = started(bundle, clock).ready_tasks()
    assert task.groups == ["cc-workflow", "senior-caseworker"]
    assert task.assignee == "alice"
    assert task.priority == 70
    assert task.due_at == clock.now() + timedelta(days=2)
    fields = {f["id"]: f for f in task.form["fields"]}
    assert fields["purpose"]["options"] == [
        {"id": "immigration", "name": "Immigration"},
        {"id": "other", "name": "Other"},
    ]
    assert "required" in fields["on_pnc"]["validation"]


def test_service_task_runs_its_topic_and_result_lands_in_data(bundle, clock):
    instance = started(bundle, clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "immigration", "on_pnc": False})
    seen = []
    instance.run(lambda task: seen.append(task.topic) or {"acted": True})
    assert seen == ["mini.act"]
    assert instance.data()["acted"] is True
    assert instance.data()["period"] == "P10D"
    # a fixed value from the diagram: the handler need not give it
    assert instance.data()["act_done"] is True


def test_a_handler_result_the_service_task_does_not_declare_is_refused(bundle, clock):
    instance = started(bundle, clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "immigration", "on_pnc": False})
    with pytest.raises(
        UndeclaredOutput, match=r"the handler for topic 'mini.act' sets surprise, which service task act"
    ):
        instance.run(lambda task: {"acted": True, "surprise": 1})
    assert "surprise" not in instance.data()
    assert [t.topic for t in instance.external_tasks()] == ["mini.act"], "the task stays to be retried"


def test_a_declared_output_the_handler_does_not_give_is_an_error(bundle, clock):
    instance = started(bundle, clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "immigration", "on_pnc": False})
    with pytest.raises(UndeclaredOutput, match=r"service task act .*from what the handler gave \(nothing\)"):
        instance.run(lambda task: None)


def test_handler_error_leaves_the_task_started(bundle, clock):
    instance = started(bundle, clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "immigration", "on_pnc": False})

    def fail(task):
        raise RuntimeError("mail relay down")

    with pytest.raises(RuntimeError):
        instance.run(fail)
    assert [t.topic for t in instance.external_tasks()] == ["mini.act"]
    instance.run(act)  # a retry completes it
    assert instance.external_tasks() == []


def test_timer_from_dmn_period_fires_only_when_due_and_survives_restore(bundle, clock):
    engine = Engine(clock)
    instance = started(bundle, clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "other", "on_pnc": True})
    instance.run(act)
    [timer] = instance.timers()
    assert timer.due_at == clock.now() + timedelta(days=20)
    state = json.loads(json.dumps(engine.dump(instance)))
    assert "spec" not in state["workflow"] and "subprocess_specs" not in state["workflow"]
    clock.advance(timedelta(days=19))
    restored = engine.restore(bundle, state)
    assert restored.fire_due_timers() == 0
    clock.advance(timedelta(days=1, seconds=1))
    assert restored.fire_due_timers() == 1
    restored.run(act)
    assert restored.waiting_messages() == ["go_on"]


def test_message_for_a_case_not_waiting_is_a_clear_error(bundle, clock):
    instance = started(bundle, clock)
    with pytest.raises(NotWaiting, match="not waiting for the message 'go_on'"):
        instance.send_message("go_on", {})


def test_message_is_delivered_with_its_payload(bundle, clock):
    instance = started(bundle, clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "immigration", "on_pnc": True})
    instance.run(act)
    clock.advance(timedelta(days=11))
    instance.fire_due_timers()
    instance.run(act)
    instance.send_message("go_on", {"where": "Leeds"})
    instance.run(act)
    assert instance.completed
    assert instance.workflow.last_task.data["go_on"] == {"where": "Leeds"}


def test_completing_a_task_twice_is_refused(bundle, clock):
    instance = started(bundle, clock)
    task_id = instance.ready_tasks()[0].id
    instance.complete_user_task(task_id, {"purpose": "immigration", "on_pnc": True})
    with pytest.raises(NotWaiting, match="not ready"):
        instance.complete_user_task(task_id, {"purpose": "immigration", "on_pnc": True})


def test_dmn_with_no_matching_rule_fails_loudly(bundle, clock):
    instance = started(bundle, clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "other", "on_pnc": None})
    with pytest.raises(Exception, match="no rule matches"):
        instance.run(act)


def test_erase_data_reaches_every_task(bundle, clock):
    instance = started(bundle, clock)
    instance.workflow.get_tasks()[0].data["certificate_text"] = "secret"
    instance.erase_data(["certificate_text"])
    assert all("certificate_text" not in t.data for t in instance.workflow.get_tasks())


@pytest.mark.parametrize("purpose, route", [("immigration", "Yes"), ("other", "No")])
def test_a_gateway_s_audit_names_the_route_it_took_by_its_flow_s_label(clock, purpose, route):
    files = read_dir(FIXTURES)
    files["mini.bpmn"] = (
        files["mini.bpmn"]
        .replace('<bpmn:sequenceFlow id="f4" sourceRef="gw"', '<bpmn:sequenceFlow id="f4" name="Yes" sourceRef="gw"')
        .replace('<bpmn:sequenceFlow id="f5" sourceRef="gw"', '<bpmn:sequenceFlow id="f5" name="No" sourceRef="gw"')
    )
    instance = started(parse(files, main="mini"), clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": purpose, "on_pnc": False})
    instance.run(act)
    [gateway] = [t for t in instance.completed_tasks() if t.bpmn_id == "gw"]
    assert (gateway.name, gateway.route) == ("OK?", route)
    assert {t.route for t in instance.completed_tasks() if t.bpmn_id != "gw"} == {None}


@pytest.mark.parametrize(
    "condition, reason",
    [
        ("${usable_typo == True}", "usable_typo"),  # a name no step sets
        ("${len(purpose * 50000) > 0}", "that long"),  # stopped at run time by its size
    ],
)
def test_a_condition_that_fails_at_run_time_says_where_and_why(clock, condition, reason):
    files = read_dir(FIXTURES)
    files["mini.bpmn"] = files["mini.bpmn"].replace("${usable == True}", condition)
    instance = started(parse(files, main="mini"), clock)
    instance.complete_user_task(instance.ready_tasks()[0].id, {"purpose": "immigration", "on_pnc": False})
    with pytest.raises(Exception) as failure:
        instance.run(act)
    assert "OK?" in str(failure.value) and reason in str(failure.value)
