"""When the diagrams change, new cases start on the new version, running cases stay on theirs,
and `acro migrate` moves those that can move."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework.models import ProcessVersion
from casework.versions import migrate, plan
from tests.integration.world import World
from tests.people import CASEWORKER, WORKFLOW
from tests.referrals import submit

REPO = Path(__file__).resolve().parents[2]
CHECK = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}
# Haddad's certificate was requested for criminal proceedings: usable only through the PNC (WF-3)
CHECK_HADDAD = {"certificate_purpose": "criminal_proceedings", "offences_on_pnc": "yes"}


@pytest.fixture
def world(tmp_path, database_url):
    world = World(tmp_path, database_url)
    world.settings.processes_dir = tmp_path / "processes"
    shutil.copytree(REPO / "processes", world.settings.processes_dir)
    yield world
    world.close()


def edit(world, name, old, new):
    path = world.settings.processes_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_running_cases_stay_on_their_version_and_move_when_they_can(world):
    service = world.service()
    waiting_at_check = submit(service).reference
    waiting_at_whereabouts = submit(service, "haddad").reference
    service.complete_task(
        waiting_at_whereabouts,
        world.task(service, waiting_at_whereabouts, "check_certificate").id,
        CHECK_HADDAD,
        WORKFLOW,
    )
    # the analysts replace the first-actions process with a new one and re-word the certificate check
    edit(world, "first_actions.bpmn", '<bpmn:process id="first_actions"', '<bpmn:process id="first_steps"')
    edit(world, "first_actions.bpmn", 'processRef="first_actions"', 'processRef="first_steps"')
    edit(world, "acro_referral.bpmn", 'calledElement="first_actions"', 'calledElement="first_steps"')
    edit(
        world,
        "certificate_check.bpmn",
        'name="Check the certificate is disclosable"',
        'name="Check whether the certificate can be used"',
    )
    service = world.restart()
    new_case = submit(service, "ionescu").reference
    versions = service.session.scalar(select(func.count()).select_from(ProcessVersion))
    assert versions == 2
    assert service.case(new_case).process_version_id != service.case(waiting_at_check).process_version_id
    # the old case still runs on its own version
    assert world.task(service, waiting_at_whereabouts, "establish_whereabouts")

    plans = {p.reference: p for p in plan(service)}
    assert set(plans) == {waiting_at_check, waiting_at_whereabouts}
    assert plans[waiting_at_check].can_move and "check_certificate" in plans[waiting_at_check].changed
    assert not plans[waiting_at_whereabouts].can_move
    assert "process first_actions is no longer in the new version" in plans[waiting_at_whereabouts].reasons

    before = service.case(waiting_at_check).process_version_id
    assert migrate(service, CASEWORKER, dry_run=True)
    assert service.case(waiting_at_check).process_version_id == before  # a dry run moves nothing
    migrate(service, CASEWORKER)
    moved = service.case(waiting_at_check)
    assert moved.process_version_id == service.case(new_case).process_version_id
    task = world.task(service, waiting_at_check, "check_certificate")
    assert task.name == "Check whether the certificate can be used"
    service.complete_task(waiting_at_check, task.id, CHECK, WORKFLOW)
    assert world.task(service, waiting_at_check, "establish_whereabouts").process == "first_steps"
    assert plan(service)[0].reference == waiting_at_whereabouts
