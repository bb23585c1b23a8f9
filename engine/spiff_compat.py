"""Everything that leans on SpiffWorkflow 3.2's internals, in one place.

SpiffWorkflow's public API does not say which catch events a workflow waits on, when a timer
is due, or how to make its timers read our clock. What we rely on for that is written here
only, and tests/engine/test_spiff_compat.py pins each behaviour, so an upgrade that changes
one fails there, by name, rather than somewhere in a case.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions import timer as _timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import IntermediateCatchEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState


def install_clock(datetime_class) -> None:
    """Timers read ``datetime.now`` in their own module: replace that name (once, at import of
    engine.clock) with a class whose ``now`` asks our clock."""
    _timer_module.datetime = datetime_class


def completed_tasks(workflow) -> list:
    """The top workflow's completed tasks (its subprocesses' included) that stand for BPMN
    elements, in the order they were done."""
    tasks = [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if getattr(t.task_spec, "bpmn_id", None)]
    tasks.sort(key=lambda t: t.last_state_change)
    return tasks


# a child the engine has committed to: not a branch it only predicted (MAYBE, LIKELY) or dropped
_CHOSEN = (
    TaskState.FUTURE | TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED | TaskState.ERROR
)


def taken_children(task) -> list:
    """The tasks a completed gateway went on to: its children in a state the engine chose."""
    return [child for child in task.children if child.state & _CHOSEN and getattr(child.task_spec, "bpmn_id", None)]


def waits(workflow):
    """(waiting task, event definition, the catch element it stands for), for every catch event
    the workflow waits on.

    An event-based gateway waits on behalf of the catch events after it: SpiffWorkflow moves
    their definitions onto the gateway as a MultipleEventDefinition, in the order of the
    gateway's outgoing flows.
    """
    for task in list(workflow.event_manager.tasks.values()):
        definition = task.task_spec.event_definition
        if isinstance(definition, MultipleEventDefinition):
            for index, child in enumerate(definition.event_definitions):
                yield task, child, task.task_spec.outputs[index]
        else:
            yield task, definition, task.task_spec


def catch_events(process_spec):
    """(event definition, catch element) of every catch event a process can wait on, the ones
    behind an event-based gateway included (see ``waits``)."""
    for task_spec in process_spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(definition, MultipleEventDefinition):
            for index, child in enumerate(definition.event_definitions):
                yield child, task_spec.outputs[index]
        elif definition is not None and getattr(task_spec, "bpmn_id", None):
            yield definition, task_spec


def is_catch_event(task_spec) -> bool:
    """An intermediate catch event (a place a case waits), boundary events not included."""
    return isinstance(task_spec, IntermediateCatchEvent)


def is_timer(definition) -> bool:
    return isinstance(definition, TimerEventDefinition)


def is_message(definition) -> bool:
    return isinstance(definition, MessageEventDefinition)


def message_name(spec) -> str | None:
    """The message a catch event waits for, or None for any other element. A catch event after
    an event-based gateway has lent its definition to the gateway (see ``waits``)."""
    definition = getattr(spec, "event_definition", None)
    for gateway in getattr(spec, "inputs", []):
        lent = getattr(gateway, "event_definition", None)
        if isinstance(lent, MultipleEventDefinition) and spec in gateway.outputs:
            definition = lent.event_definitions[gateway.outputs.index(spec)]
    return definition.name if is_message(definition) else None


def timer_due(task) -> datetime | None:
    """When a waiting timer fires: the absolute time SpiffWorkflow keeps in the task's internal data."""
    value = task._get_internal_data("event_value")
    return datetime.fromisoformat(value) if value else None


def message_event(name: str, payload: dict) -> BpmnEvent:
    """A message as the Camunda dialect's catch events expect it (the parser's own definition class)."""
    return BpmnEvent(MessageEventDefinition(name), payload={"payload": payload, "result_var": name})


def erase_data(workflow, keys) -> None:
    """Remove ``keys`` from the data of every task, every subprocess, and the payloads of
    delivered messages kept in tasks' internal data (WF-2 destruction reaches every copy)."""
    keys = set(keys)
    for wf in [workflow, *workflow.subprocesses.values()]:
        for key in keys & set(wf.data):
            del wf.data[key]
        for task in wf.tasks.values():
            for key in keys & set(task.data):
                del task.data[key]
            for value in task.internal_data.values():
                if isinstance(value, dict) and isinstance(value.get("payload"), dict):
                    for key in keys & set(value["payload"]):
                        del value["payload"][key]


def after_duration(now: datetime, text: str) -> datetime:
    """``now`` plus an ISO 8601 duration (``P5D``), as SpiffWorkflow's timers count it."""
    delta: timedelta = TimerEventDefinition.get_timedelta_from_start(TimerEventDefinition.parse_iso_duration(text), now)
    return now + delta
