"""A CamundaParser that keeps what the engine needs and refuses what it cannot run safely.

SpiffWorkflow's CamundaParser drops candidate groups, assignee, due date, priority and the
service-task topic, reads forms only when a formKey is present, passes timer text and DMN
cells to Python ``eval``. This parser keeps those attributes on the task specs, turns FEEL
cells and ISO timer literals into safe expressions, and refuses the rest at load time with
the file and element id.
"""

from __future__ import annotations

import re

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator, full_tag
from SpiffWorkflow.bpmn.parser.task_parsers import ConditionalGatewayParser
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent,
    EndEvent,
    ExclusiveGateway,
    InclusiveGateway,
    IntermediateCatchEvent,
    NoneTask,
    ScriptTask,
    ServiceTask,
    StartEvent,
)
from SpiffWorkflow.camunda.parser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaBoundaryEventParser,
    CamundaEndEventParser,
    CamundaIntermediateCatchEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.camunda.parser.task_spec import (
    CAMUNDA_MODEL_NS,
    BusinessRuleTaskParser,
    CamundaTaskParser,
    UserTaskParser,
)
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.dmn.specs.model import InputEntry, OutputEntry

from . import feel
from .expressions import ExpressionError, check, unwrap

_ISO_TIMER = re.compile(
    r"^(R\d*/)?(P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)$"
)


def _refuse(message, node, filename):
    error = ValidationException(message, node=node, file_name=filename)
    error.line_number = getattr(node, "sourceline", "") or ""
    return error


def timer_expression(text: str) -> str:
    """Timer text as Camunda Modeler writes it (``P10D``, ``${period}``) as a safe expression."""
    text = (text or "").strip()
    if _ISO_TIMER.match(text):
        return repr(text)
    return check(unwrap(text))


def due_date_expression(text: str | None) -> str | None:
    """camunda:dueDate: an ISO duration or date-time literal, or ``${expression}``."""
    if not text:
        return None
    return timer_expression(text)


# --- task specs ----------------------------------------------------------------------------


# user-task properties (camunda:properties) that say what the task's page shows
SHOWS = "shows"  # element ids of earlier steps the decision rests on, spaces or commas between
SHOWS_CERTIFICATE = "shows_certificate"  # "yes": the certificate being decided on


class AcroUserTask(UserTask):
    """A user task that remembers who may do it, when it is due and how urgent it is."""

    @property
    def shows(self) -> list[str]:
        value = (getattr(self, "extensions", None) or {}).get(SHOWS) or ""
        return [part for part in value.replace(",", " ").split() if part]

    @property
    def shows_certificate(self) -> bool:
        return ((getattr(self, "extensions", None) or {}).get(SHOWS_CERTIFICATE) or "").strip().lower() == "yes"

    def __init__(
        self,
        wf_spec,
        name,
        form,
        candidate_groups=None,
        candidate_users=None,
        assignee=None,
        due_date=None,
        priority=None,
        **kwargs,
    ):
        super().__init__(wf_spec, name, form, **kwargs)
        self.candidate_groups = candidate_groups or []
        self.candidate_users = candidate_users or []
        self.assignee = assignee
        self.due_date = due_date
        self.priority = priority


class PassThroughTask(NoneTask):
    """A plain task (no type, as the Modeler draws one first): a named step that does nothing
    the engine must wait for, such as the stand-in for a restricted section of the guidance.
    SpiffWorkflow makes it manual, which would stall a case on a step nobody is shown; Camunda
    passes through it, and so does this engine."""

    def __init__(self, wf_spec, bpmn_id, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class ExternalServiceTask(ServiceTask):
    """A service task done by the handler registered for its topic (Camunda external task)."""

    def __init__(self, wf_spec, name, topic=None, **kwargs):
        super().__init__(wf_spec, name, **kwargs)
        self.topic = topic


class DecisionTask(BusinessRuleTask):
    """A business rule task that fails loudly when its table gives no single answer."""

    def _run_hook(self, my_task):
        table = self.dmnEngine.decision_table
        matched = self.dmnEngine.decide(my_task)
        if not matched:
            inputs = {i.expression: my_task.data.get(i.expression, "(not set)") for i in table.inputs}
            raise WorkflowTaskException(
                f"decision table {table.id!r}: no rule matches the inputs {inputs}", task=my_task
            )
        return super()._run_hook(my_task)


class StrictDMNEngine(DMNEngine):
    """UNIQUE means unique: two matching rows are an error, not 'the first one wins'."""

    def decide(self, task):
        if self.decision_table.hit_policy != "UNIQUE":
            return super().decide(task)
        rules = [rule for rule in self.decision_table.rules if self._DMNEngine__check_rule(rule, task)]
        if len(rules) > 1:
            rows = ", ".join(str(rule.row_number) for rule in rules)
            raise WorkflowTaskException(
                f"decision table {self.decision_table.id!r} has hit policy UNIQUE but rows {rows} all match", task=task
            )
        return rules


# --- parsers -------------------------------------------------------------------------------


def _camunda(node, name):
    return node.get(f"{{{CAMUNDA_MODEL_NS}}}{name}")


def _split(value):
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class AcroUserTaskParser(UserTaskParser):
    def create_task(self):
        node = self.node
        due = _camunda(node, "dueDate")
        try:
            due = due_date_expression(due)
            assignee = _camunda(node, "assignee")
            if assignee and unwrap(assignee) != assignee:
                check(assignee)
            # a group may be decided by the process (``${cc_team_group}``, WF-5's routing table)
            for group in _split(_camunda(node, "candidateGroups")):
                if unwrap(group) != group:
                    check(group)
        except ExpressionError as exc:
            raise _refuse(f"user task {self.bpmn_id}: {exc}", node, self.filename) from None
        priority = _camunda(node, "priority")
        try:
            priority = int(unwrap(priority)) if priority else None
        except ValueError:
            raise _refuse(
                f"user task {self.bpmn_id}: priority {priority!r} is not a whole number", node, self.filename
            ) from None
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            form=self.get_form(),
            candidate_groups=_split(_camunda(node, "candidateGroups")),
            candidate_users=_split(_camunda(node, "candidateUsers")),
            assignee=_camunda(node, "assignee"),
            due_date=due,
            priority=priority,
            **self.bpmn_attributes,
        )

    def get_form(self):
        # Camunda Modeler writes generated task forms as formData without a formKey; the
        # base parser only reads the fields when a formKey is present.
        key = _camunda(self.node, "formKey")
        if key is None:
            self.node.set(f"{{{CAMUNDA_MODEL_NS}}}formKey", "")
            try:
                form = super().get_form()
            finally:
                del self.node.attrib[f"{{{CAMUNDA_MODEL_NS}}}formKey"]
            form.key = None
            return form
        return super().get_form()


class ExternalTaskParser(CamundaTaskParser):
    def create_task(self):
        topic = _camunda(self.node, "topic")
        kind = _camunda(self.node, "type")
        if kind != "external" or not topic:
            raise _refuse(
                f"service task {self.bpmn_id}: set Implementation to 'External' with a topic "
                f'(camunda:type="external" camunda:topic="..."); other implementations '
                f"are not run by this engine",
                self.node,
                self.filename,
            )
        return self.spec_class(self.spec, self.bpmn_id, topic=topic, **self.bpmn_attributes)


class RefusedScriptTaskParser(CamundaTaskParser):
    def create_task(self):
        raise _refuse(
            f"script task {self.bpmn_id}: scripts are not run by this engine; put the "
            f"logic in a DMN table or a service task",
            self.node,
            self.filename,
        )


class SafeGatewayParser(ConditionalGatewayParser):
    def parse_condition(self, sequence_flow):
        text = super().parse_condition(sequence_flow)
        if text is None:
            return None
        try:
            return check(text)
        except ExpressionError as exc:
            raise _refuse(
                f"condition of sequence flow {sequence_flow.get('id')}: {exc}", sequence_flow, self.filename
            ) from None


class DecisionTaskParser(BusinessRuleTaskParser):
    def create_task(self):
        decision_ref = _camunda(self.node, "decisionRef")
        if not decision_ref:
            raise _refuse(
                f"business rule task {self.bpmn_id}: no decision reference (camunda:decisionRef)",
                self.node,
                self.filename,
            )
        if decision_ref not in self.process_parser.parser.dmn_parsers:
            known = ", ".join(sorted(self.process_parser.parser.dmn_parsers)) or "none"
            raise _refuse(
                f"business rule task {self.bpmn_id}: decision {decision_ref!r} is not "
                f"in any DMN file (known decisions: {known})",
                self.node,
                self.filename,
            )
        return DecisionTask(
            self.spec,
            self.bpmn_id,
            dmnEngine=self.process_parser.parser.get_engine(decision_ref, self.node),
            **self.bpmn_attributes,
        )


class _SafeTimerMixin:
    def parse_timer_event(self, event):
        definition = super().parse_timer_event(event)
        try:
            definition.expression = timer_expression(definition.expression)
        except ExpressionError as exc:
            raise _refuse(f"timer on {self.bpmn_id}: {exc}", self.node, self.filename) from None
        return definition


class _PropertiesMixin:
    """Events keep their camunda:properties as tasks do (the base event parsers drop them), so
    an analyst can put what a case records, such as its outcome, on an end or catch event."""

    parse_extensions = CamundaTaskParser.parse_extensions


class AcroEndEventParser(_PropertiesMixin, CamundaEndEventParser):
    pass


class SafeStartEventParser(_SafeTimerMixin, CamundaStartEventParser):
    pass


class SafeCatchEventParser(_PropertiesMixin, _SafeTimerMixin, CamundaIntermediateCatchEventParser):
    # SpiffWorkflow reads Camunda properties on tasks only; a message catch event's describe the
    # event to the people who record it (engine.bundle.MessageEvent)
    pass


class SafeBoundaryEventParser(_SafeTimerMixin, CamundaBoundaryEventParser):
    pass


class SafeDMNParser(DMNParser):
    """Translates FEEL cells at load; refuses forms it cannot run, naming file, row, column."""

    def _parse_input(self, input_element):
        parsed = super()._parse_input(input_element)
        try:
            if not parsed.expression:
                raise ExpressionError("the input has no expression")
            check(parsed.expression)
        except ExpressionError as exc:
            raise _refuse(
                f"decision {self.bpmn_id}, input {input_element.get('id')}: {exc}", input_element, self.filename
            ) from None
        return parsed

    def _parse_input_output_element(self, decision_table, element, cls, idx):
        entry = super()._parse_input_output_element(decision_table, element, cls, idx)
        try:
            if cls is InputEntry:
                entry.lhs = [feel.input_entry(entry.text)]
            elif cls is OutputEntry:
                entry.text = feel.output_entry(entry.text)
        except ExpressionError as exc:
            rule = element.getparent()
            raise _refuse(
                f"decision {self.bpmn_id}, rule {rule.get('id')}, cell {element.get('id')}: {exc}",
                element,
                self.filename,
            ) from None
        return entry


class AcroParser(CamundaParser):
    """The project's parser: Camunda 7 dialect, XSD validation on, safe expressions only."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (AcroUserTaskParser, AcroUserTask),
        full_tag("serviceTask"): (ExternalTaskParser, ExternalServiceTask),
        full_tag("task"): (CamundaTaskParser, PassThroughTask),
        full_tag("scriptTask"): (RefusedScriptTaskParser, ScriptTask),
        full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
        full_tag("exclusiveGateway"): (SafeGatewayParser, ExclusiveGateway),
        full_tag("inclusiveGateway"): (SafeGatewayParser, InclusiveGateway),
        full_tag("startEvent"): (SafeStartEventParser, StartEvent),
        full_tag("intermediateCatchEvent"): (SafeCatchEventParser, IntermediateCatchEvent),
        full_tag("boundaryEvent"): (SafeBoundaryEventParser, BoundaryEvent),
        full_tag("endEvent"): (AcroEndEventParser, EndEvent),
    }

    def __init__(self, validate_xsd: bool = True):
        super().__init__(validator=BpmnValidator() if validate_xsd else None)

    def add_dmn_xml(self, node, filename=None):
        before = set(self.dmn_parsers)
        super().add_dmn_xml(node, filename)
        for decision_id in set(self.dmn_parsers) - before:
            base = self.dmn_parsers[decision_id]
            safe = SafeDMNParser(self, base.node, base.nsmap, filename=filename)
            self.dmn_parsers[decision_id] = safe
            self.dmn_parsers_by_name[safe.get_name()] = safe
            safe.parse()  # refuse bad cells now, not when the table first runs

    def get_engine(self, decision_ref, node):
        dmn_parser = self.dmn_parsers[decision_ref]
        if dmn_parser.decision is None:
            dmn_parser.parse()
        return StrictDMNEngine(dmn_parser.decision.decisionTables[0])
