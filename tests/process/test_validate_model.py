"""`acro validate` on small diagrams, each broken in one way an analyst used to Camunda might
break it: each problem names the file and the element, and says what to write instead."""

import pytest

from engine.validate import validate_files

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="http://bpmn.io/schema/bpmn">'
)


def diagram(body: str, process_attributes: str = "", before_process: str = "") -> str:
    return (
        f'{HEAD}{before_process}<bpmn:process id="p" isExecutable="true"{process_attributes}>{body}'
        "</bpmn:process></bpmn:definitions>"
    )


def user_task(task_id="t", attributes='camunda:candidateGroups="cc-casework"', extensions="") -> str:
    return (
        f'<bpmn:userTask id="{task_id}" name="Do it" {attributes}><bpmn:extensionElements>'
        '<camunda:properties><camunda:property name="case_stage" value="Doing" /></camunda:properties>'
        '<camunda:formData><camunda:formField id="x" label="X?" type="boolean" /></camunda:formData>'
        f"{extensions}</bpmn:extensionElements></bpmn:userTask>"
    )


def gateway_with(condition: str, variable_task: str | None = None) -> str:
    """start -> user task -> gateway -(condition)-> end_a, default -> end_b"""
    return (
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />'
        + (variable_task or user_task())
        + '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="g" />'
        '<bpmn:exclusiveGateway id="g" default="f4" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="a">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        '</bpmn:sequenceFlow><bpmn:sequenceFlow id="f4" sourceRef="g" targetRef="b" />'
        '<bpmn:endEvent id="a" /><bpmn:endEvent id="b" />'
    )


def straight(middle: str) -> str:
    """start -> middle (an element with id "t") -> end"""
    return (
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />'
        f'{middle}<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" /><bpmn:endEvent id="e" />'
    )


def problems(files: dict[str, str]) -> list[str]:
    return [str(p) for p in validate_files(files, None, None, main="p")]


def assert_refused(files, expected: str):
    found = problems(files)
    assert any(expected in p for p in found), "\n".join(found) or "(no problems)"


def test_a_sound_small_diagram_passes():
    assert problems({"p.bpmn": diagram(gateway_with("x == True"))}) == []


# --- JUEL and JavaScript where the engine evaluates Python ----------------------------------


@pytest.mark.parametrize(
    "condition, said",
    [
        ("x == true", "'true' is JUEL: write 'True' (expressions are Python)"),
        ("x != null", "'null' is JUEL: write 'None'"),
        ("x &amp;&amp; y", "'&&' is JUEL/JavaScript: write 'and'"),
        ("x || y", "'||' is JUEL/JavaScript: write 'or'"),
        ("!x", "'!' is JUEL/JavaScript: write 'not'"),
        ('x === "a"', "'===' is JUEL/JavaScript: write '=='"),
        ("x eq 1", "'eq' is JUEL: write '=='"),
    ],
)
def test_juel_and_javascript_in_a_condition_are_refused_with_the_python_to_write(condition, said):
    assert_refused({"p.bpmn": diagram(gateway_with(condition))}, "p.bpmn: f3 (line 1): condition of sequence flow f3: ")
    assert_refused({"p.bpmn": diagram(gateway_with(condition))}, said)


def test_a_condition_wrapped_as_juel_is_refused_with_the_bare_form_to_write():
    assert_refused(
        {"p.bpmn": diagram(gateway_with("${x == True}"))},
        "p.bpmn: f3: condition '${x == True}' is written as a JUEL expression: conditions are Python; "
        "write 'x == True' without ${...}",
    )
    assert_refused({"p.bpmn": diagram(gateway_with("#{x}"))}, "p.bpmn: f3: condition '#{x}' is written as a JUEL")


def test_a_condition_in_a_script_language_is_refused():
    body = gateway_with("x == True").replace(
        'xsi:type="bpmn:tFormalExpression">', 'xsi:type="bpmn:tFormalExpression" language="javascript">'
    )
    assert_refused({"p.bpmn": diagram(body)}, "p.bpmn: f3: a condition in the script language 'javascript' is not run")


def test_juel_in_a_due_date_is_refused():
    task = user_task(attributes="camunda:candidateGroups=\"cc-casework\" camunda:dueDate=\"${urgent ? 'P1D' : 'P5D'}\"")
    assert_refused(
        {"p.bpmn": diagram(straight(task))}, "user task t: \"urgent ? 'P1D' : 'P5D'\": JUEL's 'a ? b : c': write"
    )


def test_juel_in_an_assignee_is_refused():
    task = user_task(attributes='camunda:candidateGroups="cc-casework" camunda:assignee="${empty owner}"')
    assert_refused({"p.bpmn": diagram(straight(task))}, "user task t: 'empty owner': 'empty' is JUEL")


def test_juel_in_a_timer_is_refused():
    timer = (
        '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration '
        'xsi:type="bpmn:tFormalExpression">${late == true}</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>"
    )
    assert_refused({"p.bpmn": diagram(straight(timer))}, "timer on t: 'late == true': 'true' is JUEL")


def test_juel_in_a_refuse_when_condition_is_refused():
    field = (
        '<camunda:formData><camunda:formField id="y" label="Y?" type="boolean"><camunda:properties>'
        '<camunda:property id="refuse_when" value="y == false" /><camunda:property id="refuse_message" value="No" />'
        "</camunda:properties></camunda:formField></camunda:formData>"
    )
    assert_refused(
        {"p.bpmn": diagram(straight(user_task(extensions=field)))},
        "p.bpmn: t: field y: refuse_when: 'y == false': 'false' is JUEL: write 'False'",
    )


# --- unbounded expressions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "condition, said",
    [
        ("x ** y &gt; 1", "a power's exponent must be a whole number up to 64"),
        ("2 ** 4000000 &gt; x", "a power's exponent must be a whole number up to 64"),
        ('"%999999999d" % x == ""', "% formatting is not allowed"),
        ('f"{x:999999999}" == ""', "format widths and specs in f-strings are not allowed"),
        ('"a" * x == ""', "a text or list may be repeated only a number of times written in the expression"),
        ("len([a for a in x for b in x]) &gt; 1", "a comprehension inside (or over two 'for's of) another"),
        ("len([[a for a in x] for b in x]) &gt; 1", "a comprehension inside (or over two 'for's of) another"),
    ],
)
def test_an_expression_whose_cost_has_no_bound_is_refused(condition, said):
    assert_refused({"p.bpmn": diagram(gateway_with(condition))}, said)


# --- constructs the engine ignores ------------------------------------------------------


@pytest.mark.parametrize(
    "attributes, extensions, said",
    [
        ('camunda:formKey="embedded:app:forms/x.html"', "", "camunda:formKey on userTask is ignored by this engine"),
        ('camunda:candidateUsers="alice"', "", "camunda:candidateUsers on userTask is ignored by this engine"),
        ('camunda:followUpDate="P1D"', "", "camunda:followUpDate on userTask is ignored"),
        ('camunda:asyncBefore="true"', "", "camunda:asyncBefore on userTask is ignored"),
        (
            "",
            '<camunda:taskListener class="org.example.Notify" event="create" />',
            "camunda:taskListener on userTask is ignored by this engine: listeners are not run",
        ),
        (
            "",
            '<camunda:executionListener expression="${x}" event="start" />',
            "camunda:executionListener on userTask is ignored",
        ),
        (
            "",
            '<camunda:inputOutput><camunda:inputParameter name="a">${b}</camunda:inputParameter></camunda:inputOutput>',
            "camunda:inputOutput on userTask is ignored",
        ),
    ],
)
def test_a_camunda_construct_on_a_user_task_that_the_engine_ignores_is_refused(attributes, extensions, said):
    task = user_task(attributes=f'camunda:candidateGroups="cc-casework" {attributes}', extensions=extensions)
    assert_refused({"p.bpmn": diagram(straight(task))}, f"p.bpmn: t: {said}")


def test_a_connector_on_a_service_task_is_refused():
    task = (
        '<bpmn:serviceTask id="t" camunda:type="external" camunda:topic="x.y"><bpmn:extensionElements>'
        "<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>"
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )
    found = problems({"p.bpmn": diagram(straight(task))})
    assert "p.bpmn: t: camunda:connector on serviceTask is ignored by this engine: connectors are not run" in (
        " ".join(found)
    ), found
    assert len([p for p in found if "connectorId" in p]) == 0, "the connector's parts are not reported again"


def test_an_input_parameter_on_a_service_task_is_refused():
    task = (
        '<bpmn:serviceTask id="t" camunda:type="external" camunda:topic="x.y"><bpmn:extensionElements>'
        '<camunda:inputOutput><camunda:inputParameter name="a">${b}</camunda:inputParameter></camunda:inputOutput>'
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )
    assert_refused(
        {"p.bpmn": diagram(straight(task))},
        "p.bpmn: t: camunda:inputParameter on serviceTask is ignored by this engine: input parameters are not passed",
    )


def test_a_result_variable_on_a_business_rule_task_is_refused():
    task = '<bpmn:businessRuleTask id="t" camunda:decisionRef="d" camunda:resultVariable="answer" />'
    assert_refused(
        {"p.bpmn": diagram(straight(task)), "d.dmn": decision(["A"])},
        "p.bpmn: t: camunda:resultVariable on businessRuleTask is ignored by this engine",
    )


def test_a_variable_mapping_on_a_call_activity_other_than_all_is_refused():
    call = (
        '<bpmn:callActivity id="t" calledElement="q"><bpmn:extensionElements>'
        '<camunda:in source="a" target="b" /><camunda:out variables="all" /></bpmn:extensionElements>'
        "</bpmn:callActivity>"
    )
    called = (
        '<bpmn:process id="q" isExecutable="true"><bpmn:startEvent id="qs" />'
        '<bpmn:sequenceFlow id="qf" sourceRef="qs" targetRef="qe" /><bpmn:endEvent id="qe" /></bpmn:process>'
    )
    assert_refused(
        {"p.bpmn": diagram(straight(call), before_process=called)},
        "p.bpmn: t: camunda:in with {'source': 'a', 'target': 'b'} is ignored: every process variable goes into "
        'a called process and back out; say so with camunda:in variables="all"',
    )


# --- a gateway after a decision must handle every answer ----------------------------------


def decision(values: list[str]) -> str:
    rules = "".join(
        f'<rule id="r{i}"><inputEntry id="i{i}"><text>"{v}"</text></inputEntry>'
        f'<outputEntry id="o{i}"><text>"{v}"</text></outputEntry></rule>'
        for i, v in enumerate(values, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dd" name="D" namespace="x">'
        '<decision id="d" name="D"><decisionTable id="dt" hitPolicy="UNIQUE">'
        '<input id="in1" label="In"><inputExpression id="ie1" typeRef="string"><text>kind</text></inputExpression>'
        '</input><output id="out1" label="Answer" name="answer" typeRef="string" />'
        f"{rules}</decisionTable></decision></definitions>"
    )


def after_decision(default: bool) -> str:
    return (
        '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />'
        '<bpmn:businessRuleTask id="t" camunda:decisionRef="d" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="g" />'
        f'<bpmn:exclusiveGateway id="g"{" default=" + chr(34) + "fb" + chr(34) if default else ""} />'
        '<bpmn:sequenceFlow id="fa" sourceRef="g" targetRef="a"><bpmn:conditionExpression '
        'xsi:type="bpmn:tFormalExpression">answer == "A"</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="fb" sourceRef="g" targetRef="b">'
        + (
            ""
            if default
            else '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">answer == "B"</bpmn:conditionExpression>'
        )
        + '</bpmn:sequenceFlow><bpmn:endEvent id="a" /><bpmn:endEvent id="b" />'
    )


def test_a_decision_answer_no_flow_handles_is_refused():
    found = problems({"p.bpmn": diagram(after_decision(default=False)), "d.dmn": decision(["A", "B", "C"])})
    assert found == [
        "p.bpmn: g: no outgoing flow's condition handles answer = 'C' (rule r3 of decision 'd', decided by t), "
        "and the gateway has no default flow: add a flow for it, or make one flow the default"
    ]


def test_every_decision_answer_handled_or_a_default_flow_passes():
    assert problems({"p.bpmn": diagram(after_decision(default=False)), "d.dmn": decision(["A", "B"])}) == []
    assert problems({"p.bpmn": diagram(after_decision(default=True)), "d.dmn": decision(["A", "B", "C"])}) == []


# --- lanes and candidate groups ------------------------------------------------------------


def lane(lane_id: str, name: str, groups: str | None, *refs: str) -> str:
    properties = (
        f'<bpmn:extensionElements><camunda:properties><camunda:property name="candidateGroups" value="{groups}" />'
        "</camunda:properties></bpmn:extensionElements>"
        if groups is not None
        else ""
    )
    return (
        f'<bpmn:lane id="{lane_id}" name="{name}">{properties}'
        + "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in refs)
        + "</bpmn:lane>"
    )


def in_lanes(*lanes: str) -> str:
    return diagram(f'<bpmn:laneSet id="ls">{"".join(lanes)}</bpmn:laneSet>' + straight(user_task()))


def test_a_user_task_in_the_lane_of_its_group_passes():
    assert problems({"p.bpmn": in_lanes(lane("casework", "CC casework team", "cc-casework", "s", "t", "e"))}) == []


def test_a_user_task_whose_group_is_not_its_lanes_is_refused():
    assert_refused(
        {"p.bpmn": in_lanes(lane("director", "CC Director", "cc-director", "s", "t", "e"))},
        "p.bpmn: t: candidate group(s) cc-casework are not those of its lane 'CC Director' (cc-director): "
        "move the task to the right lane or change its groups",
    )


def test_a_lane_with_user_tasks_must_say_which_groups_it_stands_for():
    assert_refused(
        {"p.bpmn": in_lanes(lane("casework", "CC casework team", None, "s", "t", "e"))},
        "p.bpmn: casework: lane 'CC casework team' has user tasks but no extension property candidateGroups",
    )


def test_a_user_task_outside_every_lane_of_a_process_with_lanes_is_refused():
    assert_refused(
        {"p.bpmn": in_lanes(lane("system", "The system", "", "s", "e"))},
        "p.bpmn: t: user task is in no lane: put it in the lane of the people who do it",
    )


def test_a_nested_lane_takes_its_groups_from_the_lane_around_it():
    nested = (
        '<bpmn:lane id="casework" name="CC casework team"><bpmn:extensionElements><camunda:properties>'
        '<camunda:property name="candidateGroups" value="cc-casework, senior-caseworker" />'
        "</camunda:properties></bpmn:extensionElements>"
        "<bpmn:flowNodeRef>s</bpmn:flowNodeRef><bpmn:flowNodeRef>t</bpmn:flowNodeRef>"
        "<bpmn:flowNodeRef>e</bpmn:flowNodeRef>"
        '<bpmn:childLaneSet id="cls"><bpmn:lane id="owners" name="Case owners">'
        "<bpmn:flowNodeRef>t</bpmn:flowNodeRef></bpmn:lane></bpmn:childLaneSet></bpmn:lane>"
    )
    assert problems({"p.bpmn": in_lanes(nested)}) == []


# --- what a service task sets: its output parameters ----------------------------------------


def service_with_output(value: str) -> str:
    return (
        '<bpmn:serviceTask id="t" camunda:type="external" camunda:topic="x.y"><bpmn:extensionElements>'
        f'<camunda:inputOutput><camunda:outputParameter name="flag">{value}</camunda:outputParameter>'
        "</camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>"
    )


def test_a_declared_output_passes():
    assert problems({"p.bpmn": diagram(straight(service_with_output("${flag}")))}) == []


@pytest.mark.parametrize(
    "value, said",
    [
        ("yes", "service task t, output parameter 'flag': write an expression, ${flag} for the value the handler"),
        ("${flag == true}", "service task t, output parameter 'flag': 'flag == true': 'true' is JUEL: write 'True'"),
        ("${x ** y}", "service task t, output parameter 'flag': 'x ** y' is refused: a power's exponent"),
        ('<camunda:script scriptFormat="groovy">true</camunda:script>', "a script value is not run"),
    ],
)
def test_an_output_parameter_the_engine_cannot_run_is_refused(value, said):
    assert_refused({"p.bpmn": diagram(straight(service_with_output(value)))}, said)
