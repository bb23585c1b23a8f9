"""Changes an analyst makes to a copy of processes/ alone, with no Python: each is one edit, and
the scenarios show every place the process uses it follows."""

import html
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.models import Case, Deadline, Document, Note, UserTask
from casework.scenarios import Runner, load

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "tests" / "scenarios"


@pytest.fixture
def processes(tmp_path):
    copy = tmp_path / "processes"
    shutil.copytree(REPO / "processes", copy)
    return copy


def edit_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_stage1_period_changes_in_one_edit_and_timer_deadline_and_notice_follow(processes):
    """DEP-3: one DMN output drives the timer, the deadline on the case and the notice."""
    edit_once(processes / "stage1_response_period.dmn", '<text>"P20D"</text>', '<text>"P28D"</text>')
    scenario = load(SCENARIOS / "located_at_once_stage1_deported.yaml")
    stage1 = [i for i, step in enumerate(scenario["steps"]) if step.get("task") == "record_police_response"][0] + 1
    owner = {"task": "consider_deportation", "as": "caseworker", "user": "carl"}
    # no representations: the timer alone decides when the decision may be made
    scenario["steps"] = scenario["steps"][:stage1] + [
        {"wait": "27d"},
        {**owner, "expect_not_ready": True},
        {"wait": "2d"},
        {"check": {"waiting_for": ["consider_deportation"], "visited": ["response_period_ended"]}},
    ]
    scenario["expect"] = {}
    seen = {}

    def inspect(session, result):
        case = session.scalars(select(Case)).one()
        deadline = session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
        [notice] = session.scalars(select(Document).where(Document.case_id == case.id)).all()
        seen["deadline"] = deadline.due_at - case.created_at
        seen["notice"] = " ".join(page.extract_text() for page in PdfReader(notice.path).pages)

    runner = Runner(processes_dir=processes)
    try:
        result = runner.run(scenario, "P28D", inspect=inspect)
    finally:
        runner.close()
    assert result.passed, "\n".join(result.failures)
    assert seen["deadline"] == timedelta(days=28)
    assert "28 days from" in " ".join(seen["notice"].split())


def test_a_new_outcome_is_written_in_the_diagram_alone(processes):
    """An outcome is the element's case_outcome property: renaming one needs no Python."""
    edit_once(
        processes / "deportation.bpmn",
        '<camunda:property name="case_outcome" value="Deported" />',
        '<camunda:property name="case_outcome" value="Deported: removed from the UK" />',
    )
    scenario = load(SCENARIOS / "located_at_once_stage1_deported.yaml")
    scenario["expect"]["outcome"] = "Deported: removed from the UK"
    runner = Runner(processes_dir=processes)
    try:
        result = runner.run(scenario, "new outcome")
    finally:
        runner.close()
    assert result.passed, "\n".join(result.failures)


def _in_the_model(pattern: str, files: str) -> set[str]:
    found = set()
    for path in (REPO / "processes").glob(files):
        found |= set(re.findall(pattern, path.read_text(encoding="utf-8")))
    return {html.unescape(f) for f in found}


@pytest.mark.parametrize(
    "what, pattern, files, at_least",
    [
        # left the UK, wanted/missing, deported, not pursued
        ("outcome", r'name="case_outcome" value="([^"]+)"', "*.bpmn", 4),
        ("notice name", r'<text>"(Stage 1 [^"]+)"</text>', "*.dmn", 2),
        # the events a case can wait for are the diagrams' message catch events, read from there
        ("message name", r'<bpmn:message id="[^"]+" name="([^"]+)"', "*.bpmn", 4),
    ],
)
def test_nothing_the_model_says_is_written_in_the_code(what, pattern, files, at_least):
    names = _in_the_model(pattern, files)
    assert len(names) >= at_least, names
    for folder in ("engine", "casework", "webapp", "handlers", "adapters"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".html", ".js"):
                text = path.read_text(encoding="utf-8")
                assert not [n for n in names if n in text], f"{path} repeats a {what} of the model"


def test_a_notice_is_renamed_in_its_decision_table_alone(processes):
    """DEP-2: which notice is served, and its grounds, are the stage1_notice_type table's."""
    edit_once(
        processes / "stage1_notice_type.dmn",
        '<text>"Stage 1 Decision Notice"</text>',
        '<text>"Stage 1 Notice of Decision to Deport"</text>',
    )
    scenario = load(SCENARIOS / "detention_non_eea_located_at_once.yaml")
    scenario["expect"]["documents_exactly"] = ["Stage 1 Notice of Decision to Deport"]
    seen = {}

    def inspect(session, result):
        [notice] = session.scalars(select(Document)).all()
        seen["notice"] = " ".join(" ".join(page.extract_text() for page in PdfReader(notice.path).pages).split())

    runner = Runner(processes_dir=processes)
    try:
        result = runner.run(scenario, "renamed notice", inspect=inspect)
    finally:
        runner.close()
    assert result.passed, "\n".join(result.failures)
    assert "Stage 1 Notice of Decision to Deport" in seen["notice"] and "Immigration Act 1971" in seen["notice"]


def route_eea_cases_to_another_group(processes: Path) -> None:
    """The analyst's one edit: the routing table's EEA row gives the group cc-eea-casework."""
    edit_once(
        processes / "cc_team_routing.dmn",
        '<outputEntry id="LiteralExpression_cc_team_routing_1_2">\n          <text>"cc-casework"</text>',
        '<outputEntry id="LiteralExpression_cc_team_routing_1_2">\n          <text>"cc-eea-casework"</text>',
    )


def test_the_routing_table_decides_which_group_gets_the_team_s_tasks(processes):
    """WF-5: the cc_team_routing table gives the team's group; every CC casework task and the
    case owner's group follow it, with no Python and no other diagram edited."""
    route_eea_cases_to_another_group(processes)
    scenario = load(SCENARIOS / "located_at_once_stage1_deported.yaml")  # Piotr KOWALSKI, Polish: EEA
    certificate = [i for i, step in enumerate(scenario["steps"]) if step.get("task") == "check_certificate"][0]
    scenario["steps"] = scenario["steps"][: certificate + 1] + [{"check": {"waiting_for": ["establish_whereabouts"]}}]
    scenario["expect"] = {"team": "CC EEA casework team"}
    seen = {}

    def inspect(session, result):
        seen["groups"] = [task.candidate_groups for task in session.scalars(select(UserTask))]

    runner = Runner(processes_dir=processes)
    try:
        result = runner.run(scenario, "routed", inspect=inspect)
    finally:
        runner.close()
    assert result.passed, "\n".join(result.failures)
    assert seen["groups"] == [["cc-eea-casework"]]


def test_the_routing_table_decides_who_records_the_team_s_events(processes):
    """WF-5: the events the casework team records (representations received, deportation
    enforced) follow the group the routing table decides, like the team's tasks."""
    route_eea_cases_to_another_group(processes)
    scenario = load(SCENARIOS / "located_at_once_stage1_deported.yaml")  # EEA: the edited row
    runner = Runner(processes_dir=processes)
    # no one is in cc-casework any more: had an event kept that group, no role could record it
    runner.settings.role_groups = {
        **runner.settings.role_groups,
        "caseworker": ["cc-eea-casework"],
        "senior_caseworker": ["senior-caseworker"],
    }
    runner.settings.event_default_groups = ()
    try:
        result = runner.run(scenario, "routed events")
    finally:
        runner.close()
    assert result.passed, "\n".join(result.failures)


def test_a_restricted_section_is_a_named_step_whose_text_is_local_configuration():
    """WF-5, CW-5, NP-3: the step stands in the diagram; what to do there is the operator's."""
    scenario = load(SCENARIOS / "marker_ice_not_located_then_located.yaml")
    notes = {}

    def inspect(session, result):
        notes["text"] = [note.text for note in session.scalars(select(Note))]

    runner = Runner()
    runner.settings.restricted_steps = {"CW-5": "Copy the regional gatekeeper into the tasking email."}
    try:
        result = runner.run(scenario, "local steps", inspect=inspect)
    finally:
        runner.close()
    assert result.passed, "\n".join(result.failures)
    assert (
        "Follow the local ICE tasking and gatekeeper steps: Copy the regional gatekeeper into the tasking email."
        in notes["text"]
    )
    assert (
        "Follow the local steps before referral to a CC team: no local steps are configured for this "
        "restricted section (WF-5)." in notes["text"]
    )


def test_a_question_asked_only_sometimes_is_written_in_the_diagram_alone(processes):
    """An analyst makes "Is the FNO suitable for detention?" a question for a person at liberty
    only: one property on the form field, and every channel stops asking it of a prisoner."""
    edit_once(
        processes / "detention.bpmn",
        """<camunda:formField id="suitable_for_detention" label="Is the FNO suitable for detention?" type="boolean">
""",
        """<camunda:formField id="suitable_for_detention" label="Is the FNO suitable for detention?" type="boolean">
            <camunda:properties>
              <camunda:property id="asked_if" value="custody_status == &#34;at_liberty&#34;" />
            </camunda:properties>
""",
    )
    scenario = load(SCENARIOS / "located_at_once_stage1_deported.yaml")
    [detention] = [s for s in scenario["steps"] if s.get("task") == "consider_detention"]
    assert detention["answers"]["custody_status"] == "serving_sentence"
    runner = Runner(processes_dir=processes)
    try:
        refused = runner.run(scenario, "answered though not asked")
        del detention["answers"]["suitable_for_detention"]
        result = runner.run(scenario, "not asked")
    finally:
        runner.close()
    assert not refused.passed
    assert any(
        "suitable_for_detention" in failure
        and "is asked only when the answer to “Where is the FNO now?” is “At liberty”" in failure
        for failure in refused.failures
    ), refused.failures
    assert result.passed, "\n".join(result.failures)
