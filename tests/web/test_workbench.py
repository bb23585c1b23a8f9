"""The analysts' workbench through the test client: who may use it, drafts saved and
validated, scenarios kept with a draft, the publishing gate, the publish and move logs,
comparing versions, a scenario made from a case, and the catalogue the modeler offers."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.exc import DatabaseError

from casework import bundles
from casework.models import AccessLog, AuditEntry, Case, CaseMove, ProcessDraft, ProcessPublication, ScenarioRun
from casework.scenarios import Runner, load
from casework.workbench import drafts, publishing, runs
from tests.web.pages import TO_STAGE1, text
from webapp.db import db

REPO = Path(__file__).resolve().parents[2]
DMN = "stage1_response_period.dmn"
OTHERS = ("workflow", "caseworker", "senior", "director", "admin")


@pytest.fixture
def folders(app, tmp_path):
    """The app's processes and scenario folders are copies: publishing writes into them."""
    settings = app.config["ACRO_SETTINGS"]
    settings.processes_dir = tmp_path / "processes"
    settings.scenarios_dir = tmp_path / "scenarios"
    shutil.copytree(REPO / "processes", settings.processes_dir)
    shutil.copytree(REPO / "tests" / "scenarios", settings.scenarios_dir)
    return settings


@pytest.fixture
def analyst(web, folders):
    return web("analyst")


def csrf_header(client):
    return {"X-CSRFToken": client.csrf("/processes")}


def new_draft(client) -> int:
    response = client.post("/processes/drafts", {"source": "current", "title": "Stage 1 periods"})
    assert response.status_code == 302
    return int(response.location.rsplit("/", 1)[1])


def put(client, draft_id, name, xml, revision=None, headers=None):
    return client.client.put(
        f"/processes/drafts/{draft_id}/xml/{name}",
        json={"xml": xml, "revision": revision},
        headers=headers if headers is not None else csrf_header(client),
    )


def fifteen_days(xml: str) -> str:
    assert xml.count('<text>"P20D"</text>') == 1
    # one cell: the timer, the deadline and the notice all read it (DEP-3)
    return xml.replace('<text>"P20D"</text>', '<text>"P15D"</text>')


def passed_run(app, draft_id):
    """A finished run of the draft as it is now, as the runner records one that passed with
    full coverage (the real runs are in tests/integration/test_workbench.py and the browser test)."""
    with app.app_context():
        draft = db.session.get(ProcessDraft, draft_id)
        run = ScenarioRun(
            draft_id=draft.id,
            digest=drafts.digest(draft),
            state="passed",
            requested_by="analyst",
            started_at=draft.updated_at,
            finished_at=draft.updated_at,
            results=[{"file": "a.yaml", "name": "A", "passed": True, "failures": []}],
            coverage={"complete": True, "nodes": [1, 1], "flows": [1, 1], "rules": [], "processes": {}},
        )
        db.session.add(run)
        db.session.commit()


WORKBENCH_PAGES = ("/processes", "/processes/moves", "/processes/compare", "/processes/catalogue.json")


@pytest.mark.parametrize("path", WORKBENCH_PAGES)
def test_only_analysts_see_the_workbench(web, folders, path):
    assert web("analyst").get(path).status_code == 200
    for role in OTHERS:
        assert web(role).get(path).status_code == 403, role
    response = web().get(path)
    assert response.status_code == 302 and "/sign-in" in response.location


def test_only_analysts_start_drafts_and_move_cases(web, folders):
    for role in OTHERS:
        client = web(role)
        assert client.post("/processes/drafts", {"source": "current"}).status_code == 403, role
        assert client.post("/processes/moves").status_code == 403, role
    assert "Processes" in text(web("analyst").get("/processes"))
    assert 'href="/processes"' not in text(web("caseworker").get("/dashboard"))


def test_a_draft_is_saved_as_it_is_and_its_problems_name_the_element(app, analyst):
    draft_id = new_draft(analyst)
    page = text(analyst.get(f"/processes/drafts/{draft_id}"))
    assert "No problems" in page and DMN in page
    xml = analyst.get(f"/processes/drafts/{draft_id}/xml/{DMN}")
    revision = xml.headers["X-Draft-Revision"]
    broken = xml.get_data(as_text=True).replace('<text>"P20D"</text>', '<text>"P15D" +</text>')
    response = put(analyst, draft_id, DMN, broken, revision)
    assert response.status_code == 200
    body = response.get_json()
    assert body["saved"] is True
    [problem] = body["problems"]
    assert problem["file"] == DMN and problem["element"] == "LiteralExpression_stage1_response_period_1_2"
    assert problem["href"].endswith(f"/files/{DMN}#element=LiteralExpression_stage1_response_period_1_2")
    # kept as written, and shown on the draft page as an error summary entry leading to the cell
    assert analyst.get(f"/processes/drafts/{draft_id}/xml/{DMN}").get_data(as_text=True) == broken
    page = text(analyst.get(f"/processes/drafts/{draft_id}"))
    assert "govuk-error-summary" in page and "#element=LiteralExpression_stage1_response_period_1_2" in page
    # a draft that does not validate cannot run
    response = analyst.post(f"/processes/drafts/{draft_id}/runs")
    assert response.status_code == 302 and response.location.endswith(f"/processes/drafts/{draft_id}")
    assert "fix it before running the scenarios" in text(analyst.get(response.location))
    with app.app_context():
        assert db.session.scalars(select(ScenarioRun)).all() == []
    fixed = put(analyst, draft_id, DMN, fifteen_days(xml.get_data(as_text=True)), body["revision"]).get_json()
    assert fixed["problems"] == [] and fixed["revision"] == body["revision"] + 1


def test_saving_needs_the_csrf_token_the_latest_revision_and_a_file_of_the_draft(analyst):
    draft_id = new_draft(analyst)
    xml = analyst.get(f"/processes/drafts/{draft_id}/xml/{DMN}").get_data(as_text=True)
    assert put(analyst, draft_id, DMN, xml, 1, headers={}).status_code == 400
    assert put(analyst, draft_id, DMN, fifteen_days(xml), 1).status_code == 200
    stale = put(analyst, draft_id, DMN, xml, 1)
    assert stale.status_code == 409 and "reload it" in stale.get_json()["errors"]["xml"][0]
    assert put(analyst, draft_id, "new.bpmn", xml, 2).status_code == 404
    empty = put(analyst, draft_id, DMN, "  ", 2)
    assert empty.status_code == 400 and "nothing was saved" in empty.get_json()["errors"]["xml"][0]


def test_scenarios_kept_with_a_draft_are_checked_and_can_be_withdrawn(app, analyst):
    draft_id = new_draft(analyst)
    url = f"/processes/drafts/{draft_id}/scenarios/located_at_once_stage1_deported.yaml"
    original = re.search(r"<textarea[^>]*>(.*?)</textarea>", text(analyst.get(url)), re.S).group(1)
    assert "wait: 19d" in original
    bad = analyst.post(url, {"text": "name: [unclosed"})
    assert bad.status_code == 400 and "not valid YAML" in text(bad)
    no_steps = analyst.post(url, {"text": "name: x\nreferral: referrals/kowalski.yaml\n"})
    assert no_steps.status_code == 400 and "needs a name, a referral, steps" in text(no_steps)
    changed = "name: Fourteen days\nreferral: referrals/kowalski.yaml\nsteps:\n  - wait: 14d\nexpect: {}\n"
    assert analyst.post(url, {"text": changed}).status_code == 302
    bad_name = analyst.post(f"/processes/drafts/{draft_id}/scenarios/new", {"name": "../x.yaml", "text": changed})
    assert bad_name.status_code == 400 and "ending .yaml" in text(bad_name)
    assert (
        analyst.post(f"/processes/drafts/{draft_id}/scenarios/new", {"name": "extra.yaml", "text": changed}).status_code
        == 302
    )
    assert analyst.post(f"/processes/drafts/{draft_id}/scenarios/detention_eea.yaml/withdraw").status_code == 302
    with app.app_context():
        kept = db.session.get(ProcessDraft, draft_id).scenarios
        rows = {
            row["file"]: row["origin"]
            for row in drafts.scenarios(db.session.get(ProcessDraft, draft_id), app.config["ACRO_SETTINGS"])
        }
    assert kept == {"located_at_once_stage1_deported.yaml": changed, "extra.yaml": changed, "detention_eea.yaml": None}
    assert rows["located_at_once_stage1_deported.yaml"] == "changed" and rows["extra.yaml"] == "draft"
    assert rows["detention_eea.yaml"] == "withdrawn" and rows["pending_prosecution_dropped.yaml"] == "suite"


def test_publishing_needs_a_current_passing_run_and_a_reason(app, analyst, folders):
    draft_id = new_draft(analyst)
    xml = analyst.get(f"/processes/drafts/{draft_id}/xml/{DMN}").get_data(as_text=True)
    put(analyst, draft_id, DMN, fifteen_days(xml), 1)
    page = text(analyst.get(f"/processes/drafts/{draft_id}/publish"))
    assert "the scenarios have not been run" in page and 'name="reason"' not in page
    passed_run(app, draft_id)
    # the draft changes after the run: the run no longer counts
    scenario = "name: x\nreferral: referrals/kowalski.yaml\nsteps:\n  - wait: 1d\nexpect: {}\n"
    analyst.post(f"/processes/drafts/{draft_id}/scenarios/new", {"name": "extra.yaml", "text": scenario})
    assert "changed since the scenarios were last run" in text(analyst.get(f"/processes/drafts/{draft_id}/publish"))
    refused = analyst.post(f"/processes/drafts/{draft_id}/publish", {"reason": "Because"})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(ProcessPublication)).all() == []
    passed_run(app, draft_id)
    page = text(analyst.get(f"/processes/drafts/{draft_id}/publish"))
    assert 'name="reason"' in page and "Rule_stage1_response_period_1" in page
    no_reason = analyst.post(f"/processes/drafts/{draft_id}/publish", {"reason": "  "})
    assert no_reason.status_code == 400 and "Enter why you are publishing this version" in text(no_reason)
    for role in OTHERS:
        assert web_post(analyst, role, app, f"/processes/drafts/{draft_id}/publish") == 403
    done = analyst.post(f"/processes/drafts/{draft_id}/publish", {"reason": "DEP-3 update"})
    assert done.status_code == 302 and done.location.endswith("/processes/moves")
    with app.app_context():
        [publication] = db.session.scalars(select(ProcessPublication)).all()
        version, _ = bundles.current(db.session, folders.processes_dir)
        assert version.id == publication.version_id and publication.reason == "DEP-3 update"
        assert publication.scenarios == {"extra.yaml": scenario}
        assert db.session.get(ProcessDraft, draft_id).status == "published"
    # written into the folders, so it can be committed; the folder matches: no warning
    assert '<text>"P15D"</text>' in (folders.processes_dir / DMN).read_text(encoding="utf-8")
    assert (folders.scenarios_dir / "extra.yaml").read_text(encoding="utf-8") == scenario
    assert "does not hold the version cases start on" not in text(analyst.get("/processes"))
    # a published draft is no longer edited
    assert put(analyst, draft_id, DMN, xml, None).status_code == 409
    # and the zip holds the version and its scenarios
    response = analyst.get(f"/processes/versions/{publication_digest(app)[:12]}/download")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert f"processes/{DMN}" in names and "tests/scenarios/extra.yaml" in names


def web_post(client, role, app, path):
    from tests.web.pages import Client

    other = Client(app.test_client()).sign_in(role)
    return other.post(path, {"reason": "x"}).status_code


def publication_digest(app):
    with app.app_context():
        publication = db.session.scalars(select(ProcessPublication)).one()
        return publication.version.digest


def test_the_workbench_warns_when_the_folder_differs_and_drafts_from_it(app, analyst, folders):
    draft_id = new_draft(analyst)
    xml = analyst.get(f"/processes/drafts/{draft_id}/xml/{DMN}").get_data(as_text=True)
    put(analyst, draft_id, DMN, fifteen_days(xml), 1)
    passed_run(app, draft_id)
    folders.publish_to_folder = False
    analyst.post(f"/processes/drafts/{draft_id}/publish", {"reason": "Offered as a zip"})
    page = text(analyst.get("/processes"))
    assert "does not hold the version cases start on" in page and "Start a draft from the folder" in page
    response = analyst.post("/processes/drafts", {"source": "folder"})
    with app.app_context():
        draft = db.session.get(ProcessDraft, int(response.location.rsplit("/", 1)[1]))
        assert '<text>"P20D"</text>' in draft.files[DMN]


def test_open_cases_move_to_the_published_version_and_each_move_is_logged(app, analyst, make_case, folders):
    waiting = make_case(TO_STAGE1, index=2)
    draft_id = new_draft(analyst)
    xml = analyst.get(f"/processes/drafts/{draft_id}/xml/{DMN}").get_data(as_text=True)
    put(analyst, draft_id, DMN, fifteen_days(xml), 1)
    passed_run(app, draft_id)
    analyst.post(f"/processes/drafts/{draft_id}/publish", {"reason": "DEP-3 update"})
    page = text(analyst.get("/processes/moves"))
    assert "Cases that can move (1)" in page and waiting in page
    assert analyst.post("/processes/moves").status_code == 302
    assert "Cases that can move (0)" in text(analyst.get("/processes/moves"))
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == waiting)).one()
        [move] = db.session.scalars(select(CaseMove)).all()
        assert move.case_id == case.id and move.moved_by == "analyst" and move.to_version_id == case.process_version_id
        assert db.session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "process version migrated")
        ).one()
        # the publish and move logs are append-only, like the audit trail
        for statement in ("UPDATE case_move SET moved_by = 'x'", "DELETE FROM process_publication"):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(sql(statement))
                db.session.commit()
            db.session.rollback()
    # the home page counts the open case on the new version
    assert re.search(r"New cases start here.*?>\s*1\s*<", text(analyst.get("/processes")), re.S)


def test_two_versions_side_by_side(app, analyst, folders):
    draft_id = new_draft(analyst)
    xml = analyst.get(f"/processes/drafts/{draft_id}/xml/{DMN}").get_data(as_text=True)
    put(analyst, draft_id, DMN, fifteen_days(xml), 1)
    passed_run(app, draft_id)
    analyst.post(f"/processes/drafts/{draft_id}/publish", {"reason": "DEP-3 update"})
    with app.app_context():
        publication = db.session.scalars(select(ProcessPublication)).one()
        before, after = publication.previous_version_id, publication.version_id
        digests = {v: db.session.get(type(publication.version), v).digest[:12] for v in (before, after)}
    page = text(analyst.get(f"/processes/compare?from={digests[before]}&to={digests[after]}"))
    assert "Rule_stage1_response_period_1" in page and "changed" in page
    assert "Before: &#34;serving_sentence&#34;; true; &#34;P20D&#34;" in page
    # the two tables side by side, the changed row tagged in both (and once in the list above them)
    assert "Before: decision table DecisionTable_stage1_response_period" in page
    assert "After: decision table DecisionTable_stage1_response_period" in page
    assert len(re.findall(r'govuk-tag govuk-tag--yellow">changed<', page)) == 3
    bad = analyst.get("/processes/compare?from=zzz&to=")
    assert bad.status_code == 400 and "Select the earlier version" in text(bad)
    assert analyst.get(f"/processes/versions/{digests[after]}").status_code == 200
    assert analyst.get("/processes/versions/0000000000ff").status_code == 404


def test_a_scenario_made_from_a_case_replays_it_without_its_personal_data(app, analyst, make_case, folders):
    reference = make_case(TO_STAGE1, index=0)
    draft_id = new_draft(analyst)
    missing = analyst.post(f"/processes/drafts/{draft_id}/from-case", {"reference": reference})
    assert missing.status_code == 400 and "Enter why you are using this case" in text(missing)
    unknown = analyst.post(
        f"/processes/drafts/{draft_id}/from-case", {"reference": "ACRO-1999-000001", "purpose": "Pin the Stage 1 route"}
    )
    assert unknown.status_code == 400 and "There is no case ACRO-1999-000001" in text(unknown)
    response = analyst.post(
        f"/processes/drafts/{draft_id}/from-case", {"reference": reference.lower(), "purpose": "Pin the Stage 1 route"}
    )
    assert response.status_code == 302
    name = response.location.rsplit("/", 1)[1]
    with app.app_context():
        scenario_text = db.session.get(ProcessDraft, draft_id).scenarios[name]
        logged = db.session.scalars(select(AccessLog).where(AccessLog.action == "export")).one()
        assert logged.actor == "analyst" and logged.purpose == "Pin the Stage 1 route"
    for personal in ("Kowalski", "Piotr", "EA1234567", "12/345678A", "Acacia", "sarah.hughes", "In prison"):
        assert personal not in scenario_text, personal
    scenario = yaml.safe_load(scenario_text)
    assert [s.get("task") for s in scenario["steps"] if "task" in s] == [step[0] for step in TO_STAGE1]
    assert scenario["expect"]["waiting_for"] == ["representations_received", "response_period_ended"]
    # it pins today's behaviour: it passes on today's process
    path = folders.scenarios_dir / name
    path.write_text(scenario_text, encoding="utf-8")
    runner = Runner(folders.processes_dir)
    try:
        result = runner.run(load(path), name)
    finally:
        runner.close()
    assert result.passed, result.failures


def test_the_catalogue_offers_every_topic_and_the_form_properties_the_code_reads(analyst, folders):
    from casework.workbench.catalogue import FORM_FIELD_PROPERTIES
    from handlers import load_all

    body = analyst.get("/processes/catalogue.json").get_json()
    [template] = body["elementTemplates"]
    topic = next(p for p in template["properties"] if p.get("label") == "Topic")
    assert sorted(c["value"] for c in topic["choices"]) == load_all().topics()
    assert any(r["id"] == "WF-1" and r["text"] for r in body["rules"])
    user_in_group = next(p for p in body["formFieldProperties"] if p["id"] == "user_in_group")
    assert "cc-casework" in user_in_group["choices"] and "process-analysts" not in user_in_group["choices"]
    read = set()
    for source in list((REPO / "webapp").rglob("*.py")) + list((REPO / "casework").rglob("*.py")):
        read |= set(re.findall(r'get\("properties"\) or \{\}\)\.get\("(\w+)"\)', source.read_text(encoding="utf-8")))
    assert read and read <= set(FORM_FIELD_PROPERTIES), read - set(FORM_FIELD_PROPERTIES)


def test_a_run_is_refused_twice_at_once_and_reports_its_outcome(app, analyst, folders, monkeypatch):
    draft_id = new_draft(analyst)
    submitted = []
    monkeypatch.setattr(runs, "submit", lambda settings, run_id, clock, queue=None: submitted.append(run_id))
    first = analyst.post(f"/processes/drafts/{draft_id}/runs")
    second = analyst.post(f"/processes/drafts/{draft_id}/runs")
    assert first.location == second.location and len(submitted) == 1
    page = text(analyst.get(first.location))
    assert "Running" in page and "a full run takes about a minute" in page
    status = analyst.get(first.location + ".json").get_json()
    assert status["state"] == "running"


def test_a_run_of_a_draft_that_changed_before_it_began_answers_for_nothing(app, folders):
    from casework.permissions import Actor
    from engine.clock import FakeClock

    with app.app_context():
        clock = FakeClock()
        draft = drafts.create(db.session, folders, Actor("analyst"), clock.now())
        run, _ = runs.start(db.session, draft, Actor("analyst"), folders, clock.now())
        drafts.save_scenario(
            db.session,
            draft,
            "extra.yaml",
            "name: x\nreferral: referrals/kowalski.yaml\nsteps: []\nexpect: {}\n",
            Actor("analyst"),
            clock.now(),
            folders,
        )
        runs.finish(db.session, run.id, folders, clock)
        run = db.session.get(ScenarioRun, run.id)
        assert run.state == "error" and "changed before the run began" in run.error and run.results == []


def test_the_run_records_results_and_coverage(app, folders):
    """finish() on a recorded run, with a suite of one scenario: stored, and not complete."""
    from casework.permissions import Actor
    from engine.clock import FakeClock

    suite = folders.scenarios_dir
    for path in suite.glob("*.yaml"):
        if path.name != "stage1_10_days_serving_without_sufficient_time.yaml":
            path.unlink()
    with app.app_context():
        clock = FakeClock()
        draft = drafts.create(db.session, folders, Actor("analyst"), clock.now())
        run, created = runs.start(db.session, draft, Actor("analyst"), folders, clock.now())
        assert created
        runs.finish(db.session, run.id, folders, clock)
        run = db.session.get(ScenarioRun, run.id)
        assert run.state == "failed"  # it passes, but one scenario covers too little to publish
        assert [r["passed"] for r in run.results] == [True]
        assert run.coverage["complete"] is False and run.coverage["nodes"][0] < run.coverage["nodes"][1]
        deportation = run.coverage["processes"]["deportation"]
        assert deportation["file"] == "deportation.bpmn" and "response_period_ended" in deportation["visited_nodes"]
        assert any(not r["covered"] for r in run.coverage["rules"])
        assert publishing.blockers(db.session, draft, folders) == [
            "the scenarios do not cover every step, flow and rule",
            "it is the same as the version cases start on now",
        ]
