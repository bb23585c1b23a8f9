"""Checks on the diagrams' XML that parsing alone does not make: what Camunda Modeler lets an
analyst write that this engine would ignore or run differently, who does what (lanes), and
whether a gateway after a decision handles every answer the table can give.

Each check yields :class:`Problem`-shaped tuples (file, element id, message); ``validate``
turns them into problems.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .expressions import ExpressionError, evaluate, juel_advice
from .feel import output_entry

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
DMN_NS = "https://www.omg.org/spec/DMN/20191111/MODEL/"

_B = f"{{{BPMN_NS}}}"
_C = f"{{{CAMUNDA_NS}}}"

Found = tuple[str, str, str]  # file, element id, message

# camunda:* attributes the engine reads, by the BPMN element that carries them. Anything else
# in the camunda namespace is ignored by SpiffWorkflow and by this engine: refused, so an
# analyst does not rely on it.
HONOURED_ATTRIBUTES = {
    # the Modeler writes it on every new process; how long records are kept is the app's
    # business (docs/process.md, "How to change the process")
    "process": {"historyTimeToLive"},
    "userTask": {"candidateGroups", "assignee", "dueDate", "priority"},
    "serviceTask": {"type", "topic"},
    "businessRuleTask": {"decisionRef"},
    "multiInstanceLoopCharacteristics": {"collection", "elementVariable"},
}

# what to do instead, for the ignored constructs an analyst is most likely to reach for
ADVICE = {
    "formKey": "the task page is built from its form fields (camunda:formData): remove the form key",
    "formRef": "the task page is built from its form fields (camunda:formData): remove the form reference",
    "candidateUsers": "tasks are offered to groups: use camunda:candidateGroups (and camunda:assignee)",
    "followUpDate": "only the due date (camunda:dueDate) is kept on a task",
    "asyncBefore": "every step is saved in its own transaction already: remove it",
    "asyncAfter": "every step is saved in its own transaction already: remove it",
    "exclusive": "every step is saved in its own transaction already: remove it",
    "jobPriority": "use camunda:priority on a user task",
    "taskPriority": "use camunda:priority on a user task",
    "resultVariable": "a decision's outputs become process variables under their own names: remove it",
    "mapDecisionResult": "a decision's outputs become process variables under their own names: remove it",
    "initiator": "the person who entered the referral is in the audit trail: remove it",
    "executionListener": "listeners are not run: make the work a service task (or a property) in the diagram",
    "taskListener": "listeners are not run: make the work a service task (or a property) in the diagram",
    "connector": "connectors are not run: make it an external service task (camunda:type='external' and a topic)",
    "inputParameter": "input parameters are not passed: a handler reads the process variables as they are",
    "failedJobRetryTimeCycle": "a failed step is retried by the worker (max_attempts in configuration)",
    "field": "field injection is not run: a handler reads the process variables as they are",
    "script": "scripts are not run: put the logic in a DMN table or a gateway condition",
    "errorEventDefinition": "an external task's errors become incidents on the case: remove it",
    "potentialStarter": "who may start a case is configuration (referral groups): remove it",
    "candidateStarterGroups": "who may start a case is configuration (referral groups): remove it",
    "candidateStarterUsers": "who may start a case is configuration (referral groups): remove it",
}

# the extension elements of a user task's generated form (camunda:properties are read anywhere)
_FORM_ELEMENTS = {"formData", "formField", "validation", "constraint", "value"}

# lane property: the candidate groups a lane stands for, comma separated
LANE_GROUPS = "candidateGroups"


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _owner(element):
    """The BPMN element an extension element belongs to."""
    node = element.getparent()
    while node is not None and node.tag != f"{_B}extensionElements":
        node = node.getparent()
    return node.getparent() if node is not None else None


def _ignored(file, element, what, name) -> Found:
    advice = ADVICE.get(name)
    where = element.get("id") or _local(element.tag)
    return (file, where, f"{what} is ignored by this engine" + (f": {advice}" if advice else ": remove it"))


def ignored_constructs(node, file) -> Iterator[Found]:
    """camunda:* attributes and extension elements that SpiffWorkflow 3.2 and this engine do
    not act on, though the Modeler offers them and a Camunda user would expect them to work."""
    reported = set()
    for element in node.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        if element.tag.startswith(_B):
            honoured = HONOURED_ATTRIBUTES.get(tag, set())
            for attribute in element.attrib:
                if attribute.startswith(_C) and _local(attribute) not in honoured:
                    name = _local(attribute)
                    yield _ignored(file, element, f"camunda:{name} on {tag}", name)
            continue
        if not element.tag.startswith(_C):
            continue
        if element.getparent() in reported:
            reported.add(element)  # said of the construct it is part of
            continue
        owner = _owner(element)
        owner_tag = _local(owner.tag) if owner is not None else ""
        target = owner if owner is not None else element
        parent_tag = _local(element.getparent().tag)
        if tag in ("properties", "property"):
            continue
        if tag in _FORM_ELEMENTS and owner_tag == "userTask":
            continue
        if tag == "inputOutput" and owner_tag == "serviceTask":
            continue
        if tag == "outputParameter" and owner_tag == "serviceTask" and parent_tag == "inputOutput":
            kinds = [_local(child.tag) for child in element if isinstance(child.tag, str)]
            if kinds:
                reported.add(element)
                yield (
                    file,
                    target.get("id"),
                    f"output parameter {element.get('name')!r}: a {kinds[0]} value is not run; "
                    f"write an expression such as ${{{element.get('name')}}}",
                )
            continue
        reported.add(element)
        if tag in ("in", "out") and owner_tag == "callActivity":
            other = {k: v for k, v in element.attrib.items() if k != "variables"}
            if element.get("variables") != "all" or other:
                yield (
                    file,
                    target.get("id"),
                    f"camunda:{tag} with {dict(element.attrib)} is ignored: every process variable goes into "
                    f'a called process and back out; say so with camunda:{tag} variables="all" '
                    f"(Modeler: {'In' if tag == 'in' else 'Out'} mapping propagation, 'Propagate all variables')",
                )
            continue
        yield _ignored(file, target, f"camunda:{tag} on {owner_tag or 'the diagram'}", tag)


_WRAPPED = re.compile(r"^\s*[$#]\{(?P<inner>.*)\}\s*$", re.S)


def conditions(node, file) -> Iterator[Found]:
    """A condition is Python, written bare: ``${...}`` is JUEL's wrapper, and an analyst who sees
    it will write JUEL inside it; a script language is not run."""
    for flow in node.iter(f"{_B}sequenceFlow"):
        expression = flow.find(f"{_B}conditionExpression")
        if expression is None:
            continue
        if expression.get("language"):
            yield (
                file,
                flow.get("id"),
                f"a condition in the script language {expression.get('language')!r} is not run: write a "
                f"Python expression (Condition type 'Expression') such as left_uk == True",
            )
            continue
        text = (expression.text or "").strip()
        wrapped = _WRAPPED.match(text)
        if wrapped:
            inner = wrapped.group("inner").strip()
            advice = juel_advice(inner)
            suggestion = f"{inner!r}" if not advice else f"a Python expression ({advice})"
            yield (
                file,
                flow.get("id"),
                f"condition {text!r} is written as a JUEL expression: conditions are Python; write {suggestion} "
                f"without {text[text.index('{') - 1]}{{...}}",
            )


def _properties(element) -> dict[str, str]:
    found = {}
    for prop in element.iterfind(f"{_B}extensionElements/{_C}properties/{_C}property"):
        found[prop.get("name") or prop.get("id")] = prop.get("value") or ""
    return found


def _groups(text) -> list[str]:
    return [g.strip() for g in (text or "").split(",") if g.strip()]


def lanes(node, file) -> Iterator[Found]:
    """Each lane says, in its extension property ``candidateGroups``, which candidate groups it
    stands for; a user task in a lane is offered only to those groups, and in a process with
    lanes every user task is in one."""
    for process in node.iter(f"{_B}process"):
        lane_of: dict[str, object] = {}
        all_lanes = list(process.iter(f"{_B}lane"))
        if not all_lanes:
            continue
        for lane in all_lanes:
            for ref in lane.iterfind(f"{_B}flowNodeRef"):
                # the innermost lane wins: iter() visits a parent lane before its children
                lane_of[(ref.text or "").strip()] = lane
        for task in process.iter(f"{_B}userTask"):
            task_id = task.get("id")
            lane = lane_of.get(task_id)
            if lane is None:
                yield (file, task_id, "user task is in no lane: put it in the lane of the people who do it")
                continue
            stands_for = _lane_groups(lane)
            label = lane.get("name") or lane.get("id")
            if not stands_for:
                yield (
                    file,
                    lane.get("id"),
                    f"lane {label!r} has user tasks but no extension property {LANE_GROUPS} saying which "
                    f"candidate groups it stands for",
                )
                continue
            groups = _groups(task.get(f"{_C}candidateGroups"))
            outside = [g for g in groups if g not in stands_for]
            if outside:
                yield (
                    file,
                    task_id,
                    f"candidate group(s) {', '.join(outside)} are not those of its lane {label!r} "
                    f"({', '.join(stands_for)}): move the task to the right lane or change its groups",
                )


def _lane_groups(lane) -> list[str]:
    """A lane's own groups, else those of the lane it is part of."""
    node = lane
    while node is not None and _local(node.tag) in ("lane", "childLaneSet", "laneSet"):
        if _local(node.tag) == "lane":
            groups = _groups(_properties(node).get(LANE_GROUPS))
            if groups:
                return groups
        node = node.getparent()
    return []


def decision_rows(dmn_node) -> dict[str, list[dict]]:
    """decision id -> the outputs of each rule, as values (a rule whose output is computed
    from the inputs is left out: its values are not known before it runs)."""
    ns = {"d": dmn_node.nsmap.get(None) or DMN_NS}
    found = {}
    for decision in dmn_node.iterfind("d:decision", ns):
        table = decision.find("d:decisionTable", ns)
        if table is None:
            continue
        names = [o.get("name") for o in table.findall("d:output", ns)]
        rows = []
        for rule in table.findall("d:rule", ns):
            try:
                values = [
                    evaluate(output_entry(entry.findtext("d:text", namespaces=ns)), {})
                    for entry in rule.findall("d:outputEntry", ns)
                ]
            except ExpressionError:
                continue
            rows.append({"_rule": rule.get("id"), **dict(zip(names, values, strict=False))})
        found[decision.get("id")] = rows
    return found


def decision_outputs_handled(node, file, rows_by_decision) -> Iterator[Found]:
    """A gateway right after a business rule task, without a default flow, must have an
    outgoing condition true for every answer the table can give; otherwise a case with that
    answer has nowhere to go."""
    for process in node.iter(f"{_B}process"):
        by_id = {e.get("id"): e for e in process if isinstance(e.tag, str) and e.get("id")}
        flows = [e for e in process.iter(f"{_B}sequenceFlow")]
        for task in process.iter(f"{_B}businessRuleTask"):
            rows = rows_by_decision.get(task.get(f"{_C}decisionRef"))
            if not rows:
                continue
            for flow in flows:
                if flow.get("sourceRef") != task.get("id"):
                    continue
                gateway = by_id.get(flow.get("targetRef"))
                if gateway is None or _local(gateway.tag) not in ("exclusiveGateway", "inclusiveGateway"):
                    continue
                if gateway.get("default"):
                    continue
                outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
                if len(outgoing) < 2:
                    continue
                yield from _unhandled(file, task, gateway, outgoing, rows)


def _unhandled(file, task, gateway, outgoing, rows) -> Iterator[Found]:
    for row in rows:
        values = {k: v for k, v in row.items() if k != "_rule"}
        handled = False
        for flow in outgoing:
            expression = flow.find(f"{_B}conditionExpression")
            if expression is None:
                handled = True  # an unconditional flow always runs
                break
            try:
                if evaluate(_bare(expression.text), values) is True:
                    handled = True
                    break
            except ExpressionError:
                # the condition turns on something besides the decision: it may hold
                handled = True
                break
        if not handled:
            said = ", ".join(f"{k} = {v!r}" for k, v in values.items())
            yield (
                file,
                gateway.get("id"),
                f"no outgoing flow's condition handles {said} (rule {row['_rule']} of decision "
                f"{task.get(f'{_C}decisionRef')!r}, decided by {task.get('id')}), and the gateway has no "
                f"default flow: add a flow for it, or make one flow the default",
            )


def _bare(text) -> str:
    match = _WRAPPED.match(text or "")
    return match.group("inner") if match else (text or "")
