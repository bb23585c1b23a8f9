"""Every diagram shows who does what: a pool with a lane per party, every step in one, and the
lanes agree with the tasks' candidate groups (acro validate checks that)."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from webapp.command import main

REPO = Path(__file__).resolve().parents[2]
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
STEPS = {"startEvent", "endEvent", "intermediateCatchEvent", "userTask", "serviceTask", "businessRuleTask"}
STEPS |= {"task", "callActivity", "exclusiveGateway", "parallelGateway", "eventBasedGateway"}


@pytest.mark.parametrize("path", sorted((REPO / "processes").glob("*.bpmn")), ids=lambda p: p.stem)
def test_every_step_of_every_diagram_is_in_a_lane_of_its_pool(path):
    root = etree.parse(str(path)).getroot()
    [participant] = root.iter(f"{BPMN}participant")
    process = root.find(f"{BPMN}process")
    assert participant.get("processRef") == process.get("id")
    lanes = list(process.iter(f"{BPMN}lane"))
    assert lanes and all(lane.get("name") for lane in lanes)
    in_lanes = [ref.text for lane in lanes for ref in lane.iter(f"{BPMN}flowNodeRef")]
    steps = [node.get("id") for node in process if etree.QName(node).localname in STEPS]
    assert sorted(in_lanes) == sorted(steps), f"{path.name}: steps outside a lane, or in two"


def test_a_task_moved_to_another_party_s_lane_is_refused(tmp_path):
    copy = tmp_path / "processes"
    shutil.copytree(REPO / "processes", copy)
    path = copy / "first_actions.bpmn"
    text = path.read_text(encoding="utf-8")
    ref = "        <bpmn:flowNodeRef>consider_exclusion</bpmn:flowNodeRef>\n"
    assert text.count(ref) == 1
    text = text.replace(ref, "")
    lane = '<bpmn:lane id="Lane_first_actions_casework" name="CC casework team">\n'
    text = text.replace(lane, lane + ref)
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(copy)])
    assert result.exit_code == 1
    assert "consider_exclusion" in result.output and "CC casework team" in result.output, result.output
