"""Instance state without the process spec.

SpiffWorkflow embeds the whole spec in every serialized instance. Here the spec is stored
once per version (see :mod:`engine.bundle`) and the instance state refers to it; loading
hands the converter the live spec objects instead of a copy of them.
"""

from __future__ import annotations

import functools
import json
from copy import deepcopy

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.task_spec import UserTaskConverter
from SpiffWorkflow.dmn.serializer.task_spec import BaseBusinessRuleTaskConverter

from .parser import AcroUserTask, DecisionTask, ExternalServiceTask, PassThroughTask

FORMAT = "acro-state-1"


class SpecFreeWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec = dct.pop("spec")
        subprocess_specs = dct.pop("subprocess_specs")
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        from uuid import UUID

        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class AcroUserTaskConverter(UserTaskConverter):
    # specs are never stored, but comparing two versions of a process (acro migrate) converts them
    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct.update(
            candidate_groups=spec.candidate_groups,
            candidate_users=spec.candidate_users,
            assignee=spec.assignee,
            due_date=spec.due_date,
            priority=spec.priority,
        )
        return dct


class ExternalServiceTaskConverter(BpmnTaskSpecConverter):
    def to_dict(self, spec):
        return {**self.get_default_attributes(spec), "topic": spec.topic, "output_parameters": spec.output_parameters}


def _config():
    config = deepcopy(CAMUNDA_CONFIG)
    config[BpmnWorkflow] = SpecFreeWorkflowConverter
    config[AcroUserTask] = AcroUserTaskConverter
    config[ExternalServiceTask] = ExternalServiceTaskConverter
    config[PassThroughTask] = BpmnTaskSpecConverter
    config[DecisionTask] = BaseBusinessRuleTaskConverter
    return config


@functools.cache
def _workflow_serializer() -> BpmnWorkflowSerializer:
    # one per process: its converters hold no state of a workflow, and building them (a deep
    # copy of SpiffWorkflow's configuration) for each Engine was 1% of a request's CPU
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_config()))


class StateSerializer:
    """Turns a workflow into JSON-ready state and back, given the spec it runs on."""

    def __init__(self):
        self._serializer = _workflow_serializer()

    @property
    def registry(self):
        return self._serializer.registry

    def dump(self, workflow) -> dict:
        return {"format": FORMAT, "workflow": self._serializer.to_dict(workflow)}

    def dumps(self, workflow) -> str:
        return json.dumps(self.dump(workflow), separators=(",", ":"))

    def load(self, state: dict, spec, subprocess_specs) -> BpmnWorkflow:
        if state.get("format") != FORMAT:
            raise ValueError(f"instance state format {state.get('format')!r} is not {FORMAT!r}")
        # from_dict consumes its input; a JSON round trip copies plain data faster than deepcopy
        dct = json.loads(json.dumps(state["workflow"]))
        dct["spec"] = spec
        dct["subprocess_specs"] = subprocess_specs
        return self._serializer.from_dict(dct)
