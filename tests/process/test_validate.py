"""`acro validate` on the real diagrams, and on broken copies of them."""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from webapp.command import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / "processes"
    shutil.copytree(REPO / "processes", target)
    return target


def run(directory):
    return CliRunner().invoke(main, ["validate", str(directory)])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_project_diagrams_are_valid():
    result = run(REPO / "processes")
    assert result.exit_code == 0, result.output
    assert "12 files valid" in result.output


def test_a_condition_that_imports_a_module_is_refused(copy):
    edit(copy / "acro_referral.bpmn", "left_uk == True", "__import__('os').system('id') == 0")
    result = run(copy)
    assert result.exit_code == 1
    assert re.search(r"acro_referral\.bpmn: flow_\w+ \(line \d+\): .*imports are not allowed", result.output), (
        result.output
    )


def test_a_topic_without_a_handler_is_refused(copy):
    edit(copy / "certificate_check.bpmn", 'camunda:topic="certificate.destroy"', 'camunda:topic="certificate.shred"')
    result = run(copy)
    assert result.exit_code == 1
    assert (
        "certificate_check.bpmn: destroy_certificate: no handler is registered for topic 'certificate.shred'"
        in result.output
    )


def test_a_service_task_without_the_wording_its_email_needs_is_refused(copy):
    """The ICE tasking email says what the diagram says; a diagram that says nothing is refused
    before a case reaches the step, not as an incident when it does."""
    edit(
        copy / "first_actions.bpmn",
        '<camunda:property name="email_request" value="The subject below',
        '<camunda:property name="note" value="The subject below',
    )
    result = run(copy)
    assert result.exit_code == 1
    assert (
        "first_actions.bpmn: refer_to_ice: topic 'ice.refer-for-tasking' sends the text of the extension "
        "property 'email_request'" in result.output
    )


def test_an_unknown_rule_id_is_refused(copy):
    edit(copy / "detention.bpmn", "LOC-6, DET-4. The case owner records", "DET-1, DET-9. The case owner records")
    result = run(copy)
    assert result.exit_code == 1
    assert re.search(r"detention\.bpmn: \w+: cites rule DET-9, which is not in the rule catalogue", result.output)


def test_a_task_that_shows_an_element_that_does_not_exist_is_refused(copy):
    edit(copy / "detention.bpmn", 'value="record_police_response consider', 'value="record_police_reply consider')
    result = run(copy)
    assert result.exit_code == 1
    assert (
        "detention.bpmn: consider_detention: property shows names 'record_police_reply', which is no element "
        "of the process" in result.output
    )


def test_a_missing_dmn_decision_is_refused(copy):
    (copy / "detention_power.dmn").unlink()
    result = run(copy)
    assert result.exit_code == 1
    assert re.search(
        r"detention\.bpmn: decide_detention_power.*decision 'detention_power' is not in any DMN file", result.output
    ), result.output


def test_a_script_task_is_refused(copy):
    edit(copy / "acro_referral.bpmn", '<bpmn:serviceTask id="record_referral"', '<bpmn:scriptTask id="record_referral"')
    edit(copy / "acro_referral.bpmn", "</bpmn:serviceTask>", "<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>")
    result = run(copy)
    assert result.exit_code == 1
    assert "record_referral" in result.output and "scripts are not run by this engine" in result.output


def test_a_feel_cell_the_engine_cannot_run_is_refused(copy):
    edit(copy / "stage1_response_period.dmn", "<text>true</text>", '<text>date("2020-01-01")</text>')
    result = run(copy)
    assert result.exit_code == 1
    assert re.search(r"stage1_response_period\.dmn: \w+.*is not a FEEL literal this engine understands", result.output)


def test_an_invalid_timer_is_refused(copy):
    edit(copy / "deportation.bpmn", "${response_period}", "${open('x')}")
    result = run(copy)
    assert result.exit_code == 1
    assert "deportation.bpmn: response_period_ended" in result.output


def test_a_user_task_without_a_group_is_refused(copy):
    edit(copy / "not_pursued.bpmn", 'camunda:candidateGroups="cc-director"', "")
    result = run(copy)
    assert result.exit_code == 1
    assert "not_pursued.bpmn: director_decision: user task has no candidate group" in result.output


def test_xsd_errors_name_the_file(copy):
    edit(copy / "fno_located.bpmn", "<bpmn:process ", '<bpmn:process bogus="1" ')
    result = run(copy)
    assert result.exit_code == 1
    assert "fno_located.bpmn" in result.output


def test_a_refusal_without_its_message_or_with_an_unsafe_condition_is_refused(copy):
    text = (copy / "certificate_check.bpmn").read_text(encoding="utf-8")
    start = text.index('<camunda:property id="refuse_message"')
    (copy / "certificate_check.bpmn").write_text(text[:start] + text[text.index("/>", start) + 2 :], encoding="utf-8")
    edit(copy / "certificate_check.bpmn", "certificate_purpose != held_certificate_purpose", "open('x')")
    result = run(copy)
    assert result.exit_code == 1
    assert (
        "certificate_check.bpmn: check_certificate: field certificate_purpose: refuse_when needs a refuse_message"
        in (result.output)
    )
    assert re.search(
        r"check_certificate: field certificate_purpose: refuse_when: .*open\(\) is not an allowed", result.output
    )


@pytest.mark.parametrize(
    "old, new, missing",
    [
        ('<text>"not_detained","at_liberty"</text>', '<text>"not_detained"</text>', "Custody status = 'at_liberty'"),
        # row 2 then also says "with sufficient time": nothing is left for a prisoner without it
        (
            '<inputEntry id="UnaryTests_stage1_response_period_2_2">\n          <text>false</text>',
            '<inputEntry id="UnaryTests_stage1_response_period_2_2">\n          <text>true</text>',
            "Custody status = 'serving_sentence', If serving a sentence, is there sufficient time to respond "
            "before release? = False",
        ),
    ],
)
def test_a_table_must_cover_every_value_its_inputs_can_take(copy, old, new, missing):
    edit(copy / "stage1_response_period.dmn", old, new)
    result = run(copy)
    assert result.exit_code == 1
    assert f"stage1_response_period.dmn: DecisionTable_stage1_response_period: no rule matches {missing}" in (
        result.output
    )


def test_a_case_state_the_case_record_cannot_take_is_refused(copy):
    edit(
        copy / "deportation.bpmn",
        '<camunda:property name="case_state" value="closed" />',
        '<camunda:property name="case_state" value="archived" />',
    )
    result = run(copy)
    assert result.exit_code == 1
    assert "deportation.bpmn: deportation_enforced_end: case_state 'archived' is not one of open, dormant, closed" in (
        result.output
    )


@pytest.mark.parametrize(
    "condition, message",
    [
        ("custody_statuss == 'serving_sentence'", "reads 'custody_statuss', which no form field, decision output"),
        ("suitable_for_detention == True", "reads 'suitable_for_detention', asked later: put this field after it"),
        ("sufficient_time == True", "reads the field's own answer"),
        ("open('x') == 1", "open() is not an allowed function"),
    ],
)
def test_a_question_asked_on_a_condition_reads_only_what_the_model_sets(copy, condition, message):
    edit(copy / "detention.bpmn", 'value="custody_status == &#34;serving_sentence&#34;"', f'value="{condition}"')
    result = run(copy)
    assert result.exit_code == 1
    assert "detention.bpmn: consider_detention: field sufficient_time: asked_if: " in result.output
    assert message in result.output


def test_a_condition_may_read_a_decision_output_or_another_task_s_answer(copy):
    edit(
        copy / "detention.bpmn",
        'value="custody_status == &#34;serving_sentence&#34;"',
        'value="custody_status == &#34;serving_sentence&#34; and eea_national_decided != 1 or cc_team != &#34;&#34; '
        'or left_uk == True"',
    )
    result = run(copy)
    assert "cc_team" not in result.output and "left_uk" not in result.output
    assert "reads 'eea_national_decided'" in result.output


def test_check_answers_must_say_yes_or_no(copy):
    edit(
        copy / "detention.bpmn",
        '<camunda:property name="check_answers" value="yes" />',
        '<camunda:property name="check_answers" value="maybe" />',
    )
    result = run(copy)
    assert result.exit_code == 1
    assert "detention.bpmn: consider_detention: check_answers is 'maybe': write yes or no" in result.output
