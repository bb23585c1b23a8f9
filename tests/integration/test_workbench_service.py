"""The workbench's loop through its service functions, on a real database: a draft changes
the Stage 1 period, the full scenario suite runs against it on a scratch database, it is
published, new referrals start on it and running cases move to it."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from casework import bundles
from casework.errors import Conflict
from casework.models import CaseMove, Deadline, ProcessDraft, ProcessPublication, ScenarioRun, UserTask
from casework.scenarios import Runner, load
from casework.versions import migrate, plan
from casework.workbench import drafts, publishing, runs
from tests.people import DEMO, INTAKE, actor, actor_of_role, add_users
from tests.web.pages import TO_STAGE1
from webapp.db import db

REPO = Path(__file__).resolve().parents[2]
ANALYST = actor("analyst")
DMN = "stage1_response_period.dmn"
LOCATED = "located_at_once_stage1_deported.yaml"


@pytest.fixture
def folders(app, tmp_path):
    """The app's processes and scenario folders are copies: publishing writes into them."""
    settings = app.config["ACRO_SETTINGS"]
    settings.processes_dir = tmp_path / "processes"
    settings.scenarios_dir = tmp_path / "scenarios"
    shutil.copytree(REPO / "processes", settings.processes_dir)
    shutil.copytree(REPO / "tests" / "scenarios", settings.scenarios_dir)
    return settings


def at_stage1(app, service, index=0) -> str:
    from casework.demo import DEMO_REFERRALS

    item = DEMO_REFERRALS[index]
    case = service.submit_referral(item["referral"], INTAKE, certificate=item["certificate"])
    for bpmn_id, role, answers in TO_STAGE1:
        task = service.session.scalars(
            select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == bpmn_id)
        ).one()
        service.complete_task(
            case.reference, task.id, answers, actor_of_role(role, app.config["ACRO_SETTINGS"].role_groups)
        )
    return case.reference


def test_a_draft_is_tested_published_and_running_cases_move_to_it(app, folders, report):
    from webapp.bootstrap import casework

    with app.app_context():
        add_users(db.session, DEMO)
        service = casework()
        clock = service.clock
        waiting = at_stage1(app, service)
        draft = drafts.create(db.session, folders, ANALYST, clock.now(), "Fifteen days")
        text = draft.files[DMN]
        changed = text.replace('<text>"P20D"</text>', '<text>"P15D"</text>')
        drafts.save_file(db.session, draft, DMN, changed, draft.revision, ANALYST, clock.now())
        assert drafts.problems(draft, folders) == []

        # the scenario that answers on day 19 of 20 fails against the draft...
        suite_file = folders.scenarios_dir / LOCATED
        folder = folders.scenarios_dir.parent / "draft-processes"
        folder.mkdir()
        for name, content in draft.files.items():
            (folder / name).write_text(content, encoding="utf-8")
        runner = Runner(folder)
        try:
            result = runner.run(load(suite_file), LOCATED)
        finally:
            runner.close()
        assert not result.passed and any("representations_received" in f for f in result.failures), result.failures

        # ...and, updated and kept with the draft, the whole suite passes with full coverage
        updated = suite_file.read_text(encoding="utf-8").replace("wait: 19d", "wait: 14d")
        drafts.save_scenario(db.session, draft, LOCATED, updated, ANALYST, clock.now(), folders)
        run, created = runs.start(db.session, draft, ANALYST, folders, clock.now())
        assert created
        runs.finish(db.session, run.id, folders, clock)
        run = db.session.get(ScenarioRun, run.id)
        assert run.state == "passed", [r for r in run.results if not r["passed"]] or run.error
        assert len(run.results) == len(list(folders.scenarios_dir.glob("*.yaml")))
        assert run.coverage["complete"] and run.coverage["nodes"][0] == run.coverage["nodes"][1]
        assert publishing.blockers(db.session, draft, folders) == []
        report(f"the full suite ({len(run.results)} scenarios) against a draft took {run.coverage['seconds']} s")

        publication = publishing.publish(db.session, draft, "DEP-3 update", ANALYST, folders, clock.now())
        assert publication.written_to == str(folders.processes_dir)
        assert db.session.get(ProcessDraft, draft.id).status == "published"
        with pytest.raises(Conflict):
            publishing.publish(db.session, draft, "again", ANALYST, folders, clock.now())

        # new cases start on it; running cases stay until moved
        service = casework()
        version, _ = bundles.current(db.session, folders.processes_dir)
        assert version.id == publication.version_id
        fresh = at_stage1(app, service, index=2)
        case = service.case(fresh)
        deadline = db.session.scalars(select(Deadline).where(Deadline.case_id == case.id)).one()
        assert deadline.due_at - clock.now() == timedelta(days=15)
        assert service.case(waiting).process_version_id == publication.previous_version_id

        [item] = plan(service)
        assert item.reference == waiting and item.can_move
        migrate(service, ANALYST)
        assert service.case(waiting).process_version_id == publication.version_id
        move = db.session.scalars(select(CaseMove)).one()
        assert (move.from_version_id, move.to_version_id, move.moved_by) == (
            publication.previous_version_id,
            publication.version_id,
            "analyst",
        )
        assert plan(service) == []
        assert db.session.scalars(select(ProcessPublication)).one().run_id == run.id
