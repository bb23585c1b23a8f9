"""The rule catalogue, the rule map and the diagrams as a BPMN modeler sees them."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.bundle import parse, read_dir
from engine.rules import cited, load_catalogue
from webapp.command import main

REPO = Path(__file__).resolve().parents[2]
SHARED_RULES = REPO.parent / "shared" / "docs" / "acro-rules.md"
ROUNDTRIP = REPO.parent / "shared" / "tools" / "modeler-roundtrip.mjs"
IN_CI = os.environ.get("CI") == "true"


def test_catalogue_has_every_rule_group():
    rules = load_catalogue(REPO / "docs" / "acro-rules.md")
    assert len(rules) == 37
    assert {r.split("-")[0] for r in rules} == {"INT", "WF", "CW", "LOC", "DET", "DEP", "NP", "FD"}


@pytest.mark.skipif(not SHARED_RULES.exists(), reason="the shared rule catalogue is not beside this checkout")
def test_project_catalogue_matches_the_shared_one():
    assert load_catalogue(REPO / "docs" / "acro-rules.md") == load_catalogue(SHARED_RULES)


def test_every_rule_is_modelled_by_some_element():
    bundle = parse(read_dir(REPO / "processes"))
    modelled = {rule for _, _, spec in bundle.flow_nodes() for rule in cited(spec.documentation)}
    assert set(load_catalogue(REPO / "docs" / "acro-rules.md")) - modelled == set()


def test_rule_map_is_up_to_date():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0, result.output
    assert (REPO / "docs" / "rule-map.md").read_text(encoding="utf-8") == result.output, (
        "docs/rule-map.md is stale: run `acro rules > docs/rule-map.md`"
    )


def _node_tools():
    if shutil.which("node") is None or not (REPO / "node_modules" / "bpmnlint").exists():
        if IN_CI:
            pytest.fail("node and the npm packages must be installed in CI (make setup)")
        pytest.skip("node or node_modules missing: run make setup")


def test_diagrams_pass_bpmnlint_recommended_rules():
    _node_tools()
    files = sorted(str(p) for p in (REPO / "processes").glob("*.bpmn"))
    result = subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "bpmnlint"), *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads((REPO / ".bpmnlintrc").read_text())["extends"] == "bpmnlint:recommended"


@pytest.mark.skipif(not ROUNDTRIP.exists(), reason="the shared modeler round-trip tool is not beside this checkout")
def test_a_modeler_opens_every_diagram_as_drawn_and_its_save_still_validates(tmp_path):
    _node_tools()
    files = sorted(str(p) for p in (REPO / "processes").glob("*.bpmn"))
    result = subprocess.run(
        ["node", str(ROUNDTRIP), str(tmp_path), *files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NODE_DEPS": str(REPO)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for dmn in (REPO / "processes").glob("*.dmn"):
        shutil.copy(dmn, tmp_path)
    saved = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert saved.exit_code == 0, saved.output
