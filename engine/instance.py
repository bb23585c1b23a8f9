"""Running one case's workflow: start it, run it until a person, a message or a timer is
needed, and say what it waits for. Saving is the caller's business."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.util.task import TaskState

from . import clock as engine_clock
from . import spiff_compat as compat
from .bundle import Bundle
from .expressions import SafeScriptEngine, evaluate, unwrap
from .forms import asked_fields, case_data_for
from .parser import AcroUserTask, DecisionTask, ExternalServiceTask
from .serializer import StateSerializer


class NotWaiting(LookupError):
    """A message or task that the instance is not waiting for."""


class AnswersRefused(ValueError):
    """Answers that a form field's ``refuse_when`` condition refuses, with its message per field."""

    def __init__(self, messages: dict[str, list[str]]):
        super().__init__(messages)
        self.messages = messages


# form-field properties an analyst sets in the Modeler: the answers are refused when the
# condition (over the process variables and the answers) is true, with the message beside it
REFUSE_WHEN, REFUSE_MESSAGE = "refuse_when", "refuse_message"

# element properties: what reaching a step records on the case (an outcome, a state)
CASE_OUTCOME, CASE_STATE, CASE_STAGE = "case_outcome", "case_state", "case_stage"
# a step standing for a section the public guidance withholds: its key in the local configuration
LOCAL_STEPS = "local_steps"
# a form field naming a person: the group they must belong to (a name, or ``${variable}``)
USER_IN_GROUP = "user_in_group"
CASE_STATES = ("open", "dormant", "closed")


def refusals(form, data: dict) -> dict[str, list[str]]:
    """What the form's ``refuse_when`` conditions say about ``data`` (variables and answers);
    a question that is not asked (``asked_if``) has no answer to refuse."""
    problems = {}
    asked = asked_fields(form_to_dict(form), data)
    for field in form.fields:
        if field.id not in asked:
            continue
        properties = {p.id: p.value for p in field.properties}
        condition = properties.get(REFUSE_WHEN)
        if condition and evaluate(condition, data) is True:
            problems[field.id] = [properties.get(REFUSE_MESSAGE) or f"This answer cannot be accepted ({condition})"]
    return problems


@dataclass
class ReadyTask:
    """A user task that a person can do now, with everything a task list needs."""

    id: str
    bpmn_id: str
    name: str
    process: str
    groups: list
    assignee: str | None
    due_at: datetime | None
    priority: int | None
    form: dict
    documentation: str | None


@dataclass
class ExternalTask:
    id: str
    bpmn_id: str
    name: str
    topic: str
    process: str
    data: dict
    # the element's extension properties: what the diagram says the step writes (its wording)
    properties: dict = dataclasses.field(default_factory=dict)
    spec: ExternalServiceTask = dataclasses.field(repr=False, compare=False, default=None)

    def process_variables(self, result: dict | None) -> dict:
        """The process variables the handler's ``result`` sets, as the service task's output
        parameters declare them; raises UndeclaredOutput for a result the diagram does not declare."""
        return self.spec.process_variables(result, self.data)


@dataclass
class CompletedTask:
    """A step the workflow has done, as the audit trail records it."""

    id: str
    bpmn_id: str
    name: str
    action: str
    changed: dict
    # a gateway's outgoing flow taken, by its label on the diagram ("No"); None elsewhere
    route: str | None = None
    properties: dict = dataclasses.field(default_factory=dict)


@dataclass
class Timer:
    task_id: str
    bpmn_id: str
    name: str
    due_at: datetime


def _resolved(value: str, data: dict, bpmn_id: str) -> str:
    """A group written as ``${variable}`` is the one the process decided (a routing table's
    output); a plain name is itself. A decided group that is missing or empty is a model error,
    never a task nobody can see."""
    if unwrap(value) == value:
        return value
    group = evaluate(value, data)
    if not isinstance(group, str) or not group.strip():
        raise ValueError(f"task {bpmn_id}: the group {value} is {group!r}; the process must decide it first")
    return group.strip()


def _people_resolved(form: dict, data: dict, bpmn_id: str) -> dict:
    """A field naming a person of a group (``user_in_group``) follows the group the process decided."""
    for field in form.get("fields", []):
        properties = field.get("properties") or {}
        if properties.get(USER_IN_GROUP):
            properties[USER_IN_GROUP] = _resolved(properties[USER_IN_GROUP], data, bpmn_id)
    return form


def form_to_dict(form, data: dict | None = None) -> dict:
    """The form as the diagram draws it; with the task's ``data``, also the process variables
    its ``asked_if`` conditions read (``case_data``), so that whoever shows or checks the
    form knows which questions are asked without restoring the workflow."""
    fields = []
    for field in form.fields:
        fields.append(
            {
                "id": field.id,
                "label": field.label or field.id,
                "type": field.type,
                "default": field.default_value,
                "properties": {p.id: p.value for p in field.properties},
                "validation": {v.name: v.config for v in field.validation},
                "options": [{"id": o.id, "name": o.name} for o in getattr(field, "options", [])],
            }
        )
    if data is None:
        return {"fields": fields}
    return {"fields": fields, "case_data": case_data_for(fields, data)}


def _resolve_due(expression, data, now):
    if not expression:
        return None
    value = evaluate(expression, data)
    if isinstance(value, datetime):
        return value
    text = str(value)
    if text.startswith("P"):
        return compat.after_duration(now, text)
    return datetime.fromisoformat(text)


class Instance:
    """One workflow and the bundle it runs on."""

    def __init__(self, bundle: Bundle, workflow: BpmnWorkflow, clock, restored_from: dict | None = None):
        self.bundle = bundle
        self.workflow = workflow
        self.clock = clock
        # the stored state this workflow was restored from (None for a new one): while it is
        # only read, it still is that state
        self.restored_from = restored_from

    # -- what it waits for -------------------------------------------------------------
    def _all_tasks(self, **filters):
        return self.workflow.get_tasks(**filters)

    def ready_tasks(self) -> list[ReadyTask]:
        now = self.clock.now()
        result = []
        for task in self._all_tasks(state=TaskState.READY, manual=True):
            spec = task.task_spec
            if not isinstance(spec, AcroUserTask):
                continue
            assignee = spec.assignee
            if assignee and unwrap(assignee) != assignee:
                assignee = evaluate(assignee, task.data) or None
            due_at = task.internal_data.get("due_at")
            if due_at is None:
                due = _resolve_due(spec.due_date, task.data, now)
                due_at = due.isoformat() if due else None
                task.internal_data["due_at"] = due_at
            result.append(
                ReadyTask(
                    id=str(task.id),
                    bpmn_id=spec.bpmn_id,
                    name=spec.bpmn_name or spec.bpmn_id,
                    process=task.workflow.spec.name,
                    groups=[_resolved(group, task.data, spec.bpmn_id) for group in spec.candidate_groups],
                    assignee=assignee,
                    due_at=datetime.fromisoformat(due_at) if due_at else None,
                    priority=spec.priority,
                    form=_people_resolved(form_to_dict(spec.form, task.data), task.data, spec.bpmn_id),
                    documentation=spec.documentation,
                )
            )
        return result

    def ready_task_ids(self) -> list[str]:
        """The ids of ``ready_tasks()``, without building each one's form."""
        return [
            str(task.id)
            for task in self._all_tasks(state=TaskState.READY, manual=True)
            if isinstance(task.task_spec, AcroUserTask)
        ]

    def external_tasks(self) -> list[ExternalTask]:
        return [
            ExternalTask(
                str(t.id),
                t.task_spec.bpmn_id,
                t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                t.task_spec.topic,
                t.workflow.spec.name,
                t.data,
                dict(getattr(t.task_spec, "extensions", None) or {}),
                t.task_spec,
            )
            for t in self._all_tasks(state=TaskState.STARTED)
            if isinstance(t.task_spec, ExternalServiceTask)
        ]

    def timers(self) -> list[Timer]:
        result = []
        for task, definition, element in compat.waits(self.workflow):
            if compat.is_timer(definition):
                due = compat.timer_due(task)
                if due is not None:
                    result.append(Timer(str(task.id), element.bpmn_id, element.bpmn_name or element.bpmn_id, due))
        return result

    def stage(self) -> str | None:
        """Where the case is, in its diagram's words: the ``case_stage`` property of what it
        waits on now (a ready user task first, then a catch event); None if none names one."""
        elements = [t.task_spec for t in self._all_tasks(state=TaskState.READY, manual=True)]
        elements += [element for _, _, element in compat.waits(self.workflow)]
        for element in elements:
            stage = (getattr(element, "extensions", None) or {}).get(CASE_STAGE)
            if stage:
                return stage
        return None

    def waiting_messages(self) -> list[str]:
        return sorted({d.name for _, d, _ in compat.waits(self.workflow) if compat.is_message(d)})

    def message_groups(self, name: str, groups: tuple[str, ...]) -> tuple[str, ...]:
        """Who may record message ``name``: its catch event's ``groups``, each written as
        ``${variable}`` resolved against the data of the task that waits for it (WF-5's routing
        table decides the casework team's group)."""
        for task, definition, element in compat.waits(self.workflow):
            if compat.is_message(definition) and definition.name == name:
                return tuple(_resolved(group, task.data, element.bpmn_id) for group in groups)
        # not waited for (the caller says so): as the process stands, or the plainly named ones
        # where it has not decided yet
        try:
            return tuple(_resolved(group, self.data(), name) for group in groups)
        except ValueError:
            return tuple(group for group in groups if unwrap(group) == group)

    def waiting_elements(self) -> list[str]:
        """The catch events (messages and timers) the case waits on, by element id."""
        return sorted(
            {e.bpmn_id for _, d, e in compat.waits(self.workflow) if compat.is_message(d) or compat.is_timer(d)}
        )

    def completed_task_ids(self) -> set[str]:
        return {str(t.id) for t in compat.completed_tasks(self.workflow)}

    def completed_tasks(self) -> list[CompletedTask]:
        """Every step done so far, oldest first, with the process variables each one changed."""
        result = []
        for task in compat.completed_tasks(self.workflow):
            spec = task.task_spec
            parent_data = task.parent.data if task.parent is not None else {}
            changed = {k: v for k, v in task.data.items() if parent_data.get(k, _MISSING) != v}
            result.append(
                CompletedTask(
                    str(task.id),
                    spec.bpmn_id,
                    spec.bpmn_name or spec.bpmn_id,
                    action_for(spec),
                    changed,
                    self._route(task) if isinstance(spec, ExclusiveGateway) else None,
                    dict(getattr(spec, "extensions", None) or {}),
                )
            )
        return result

    def _route(self, task) -> str | None:
        """The label of the flow a gateway took, as the diagram names it."""
        labels = {(f.process, f.source, f.target): f.name for f in self.bundle.flows}
        process = task.workflow.spec.name
        taken = compat.taken_children(task)
        names = [labels.get((process, task.task_spec.bpmn_id, child.task_spec.bpmn_id)) for child in taken]
        names = [n for n in names if n]
        return ", ".join(names) or None

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    # -- moving on ----------------------------------------------------------------------
    def run(self, execute: Callable[[ExternalTask], dict | None]) -> None:
        """Run engine steps and external tasks until only people, messages or timers remain.

        ``execute`` does one external task and returns the handler's result; the task's output
        parameters turn it into process variables. If either raises, the task stays started
        and the exception propagates.
        """
        with engine_clock.using(self.clock):
            while True:
                self.workflow.do_engine_steps()
                pending = self.external_tasks()
                if not pending:
                    return
                for external in pending:
                    task = self.workflow.get_task_from_id(_uuid(external.id))
                    task.data.update(external.process_variables(execute(external)))
                    task.complete()

    def task(self, task_id: str):
        task = self.workflow.get_task_from_id(_uuid(task_id))
        if task is None:
            raise NotWaiting(f"task {task_id} is not part of this case")
        return task

    def complete_user_task(self, task_id: str, data: dict) -> None:
        task = self.task(task_id)
        if task.state != TaskState.READY or not isinstance(task.task_spec, AcroUserTask):
            raise NotWaiting(
                f"task {task.task_spec.bpmn_name or task.task_spec.bpmn_id} is not ready "
                f"(it is {TaskState.get_name(task.state).lower()})"
            )
        refused = refusals(task.task_spec.form, {**task.data, **data})
        if refused:
            raise AnswersRefused(refused)
        task.data.update(data)
        with engine_clock.using(self.clock):
            task.run()

    def send_message(self, name: str, payload: dict | None = None) -> None:
        waiting = self.waiting_messages()
        if name not in waiting:
            raise NotWaiting(
                f"this case is not waiting for the message {name!r}"
                + (f" (it waits for: {', '.join(waiting)})" if waiting else "")
            )
        with engine_clock.using(self.clock):
            self.workflow.send_event(compat.message_event(name, payload or {}))

    def fire_due_timers(self) -> int:
        """Let every timer whose time has come fire; return how many did."""
        # SpiffWorkflow fires a timer once its time has passed, not at the instant itself
        due = [t for t in self.timers() if t.due_at < self.clock.now()]
        if due:
            with engine_clock.using(self.clock):
                self.workflow.refresh_timers()
        return len(due)

    def erase_data(self, keys) -> None:
        """Remove keys from the data of every task, in every subprocess (WF-2 destruction)."""
        compat.erase_data(self.workflow, keys)

    def data(self) -> dict:
        """The process variables as they stand at the newest task."""
        tasks = self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
        if tasks:
            return dict(tasks[-1].data)
        return dict(self.workflow.last_task.data if self.workflow.last_task else self.workflow.data)


_MISSING = object()


def action_for(spec) -> str:
    """What the audit trail calls a step of this kind."""
    if isinstance(spec, AcroUserTask):
        return "task completed"
    if isinstance(spec, ExternalServiceTask):
        return "system action"
    if isinstance(spec, DecisionTask):
        return "decision made"
    if isinstance(spec, ExclusiveGateway):
        return "route chosen"
    if isinstance(spec, CatchingEvent):
        return "event"
    return "step"


def _uuid(task_id):
    from uuid import UUID

    return UUID(str(task_id))


class Engine:
    """Starts and restores instances; knows nothing of databases or the web."""

    def __init__(self, clock=None):
        self.clock = clock or engine_clock.SystemClock()
        self.serializer = StateSerializer()

    def start(self, bundle: Bundle, data: dict) -> Instance:
        workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=SafeScriptEngine())
        workflow.get_tasks(state=TaskState.READY)[0].data.update(data)
        return Instance(bundle, workflow, self.clock)

    def restore(self, bundle: Bundle, state: dict) -> Instance:
        workflow = self.serializer.load(state, bundle.spec, bundle.subprocess_specs)
        workflow.script_engine = SafeScriptEngine()
        return Instance(bundle, workflow, self.clock, restored_from=state)

    def dump(self, instance: Instance) -> dict:
        return self.serializer.dump(instance.workflow)
