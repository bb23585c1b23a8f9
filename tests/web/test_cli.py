"""The `acro` commands an operator runs, through Flask's CLI runner."""

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from casework.models import Case, User, UserTask
from webapp.bootstrap import casework
from webapp.command import main
from webapp.db import db

REPO = Path(__file__).resolve().parents[2]


def test_demo_loads_a_user_per_role_and_referrals(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for role in (
        "CC Workflow team",
        "CC casework team / case owner",
        "Senior caseworker",
        "CC Director",
        "Administrator",
        "Process analyst",
    ):
        assert role in result.output
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 6
        cases = db.session.scalars(select(Case)).all()
        assert len(cases) == 3
        assert {t.bpmn_id for t in db.session.scalars(select(UserTask))} == {"check_certificate"}


def test_demo_is_refused_in_production(app, runner):
    app.config["ACRO_SETTINGS"].production = True
    result = runner.invoke(args=["demo"])
    assert result.exit_code != 0
    assert "not loaded when ACRO_ENV=production" in result.output


def test_users_create_hashes_the_password_and_refuses_duplicates(app, runner):
    args = [
        "users",
        "create",
        "Jo.Bloggs",
        "--name",
        "Jo Bloggs",
        "--role",
        "caseworker",
        "--role",
        "senior_caseworker",
        "--password",
        "correct horse battery",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert user.username == "jo.bloggs" and user.roles == ["caseworker", "senior_caseworker"]
        assert user.password_hash.startswith("scrypt:") and "correct horse" not in user.password_hash
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already a user jo.bloggs" in again.output
    short = runner.invoke(args=["users", "create", "x", "--name", "X", "--role", "director", "--password", "short"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output


def test_timers_fire_moves_only_cases_whose_timer_is_due(app, runner):
    clock = app.extensions["acro"]["clock"]
    result = runner.invoke(args=["timers", "fire"])
    assert result.exit_code == 0 and "fired timers on 0 case(s)" in result.output
    with app.app_context():
        from casework.demo import DEMO_REFERRALS
        from casework.permissions import Actor

        service = casework()
        db.session.add(User(username="carl", full_name="Carl", roles=["caseworker"], password_hash="!"))
        db.session.commit()
        case = service.submit_referral(
            DEMO_REFERRALS[0]["referral"], Actor("acro-intake"), certificate=DEMO_REFERRALS[0]["certificate"]
        )
        reference = case.reference
        workflow = Actor("w", frozenset({"cc-workflow"}))
        casework_ = Actor("carl", frozenset({"cc-casework"}))
        steps = [
            (
                "check_certificate",
                workflow,
                {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"},
            ),
            ("establish_whereabouts", casework_, {"whereabouts_known": "yes"}),
            ("allocate_case_owner", casework_, {"case_owner": "carl"}),
            (
                "consider_detention",
                casework_,
                {
                    "custody_status": "serving_sentence",
                    "sufficient_time": "no",
                    "suitable_for_detention": "yes",
                    "detention_reasons": "In prison",
                },
            ),
            ("check_offending_history", casework_, {"offences_on_pnc": "yes", "further_offending_overseas": "no"}),
            (
                "record_police_response",
                casework_,
                {
                    "officer_contacted_on": "2026-01-05",
                    "pending_prosecution": "no",
                    "police_continue_prosecution": "no",
                },
            ),
        ]
        for bpmn_id, actor, answers in steps:
            task = db.session.scalars(select(UserTask).where(UserTask.bpmn_id == bpmn_id)).one()
            service.complete_task(reference, task.id, answers, actor)
    clock.advance(timedelta(days=10, minutes=1))
    result = runner.invoke(args=["timers", "fire"])
    assert result.exit_code == 0, result.output
    assert f"fired timers on 1 case(s): {reference}" in result.output


def test_scenario_run_reports_coverage():
    files = [str(p) for p in sorted((REPO / "tests" / "scenarios").glob("left_uk_*.yaml"))]
    result = CliRunner().invoke(main, ["scenario", "run", *files, "--coverage"])
    assert "2 passed, 0 failed" in result.output
    assert "certificate_check: nodes" in result.output
    assert result.exit_code == 1  # two scenarios do not cover the whole process


def test_scenario_run_rejects_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nsteps: [{dance: true}]\nreferral: {}\n")
    result = CliRunner().invoke(main, ["scenario", "run", str(bad)])
    assert result.exit_code != 0
    assert "step 1 must be one of" in result.output


def test_health_check(app):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
