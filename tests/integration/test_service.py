"""The service layer on a real database: persistence at wait states, restarts, incidents,
certificate destruction, the audit trail and the ready-task table."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from casework.errors import Conflict, Forbidden, InvalidAnswers, NotFound
from casework.models import AuditEntry, Certificate, Email, Incident, ProcessVersion, Timer, UserTask
from casework.permissions import SYSTEM, Actor
from tests.people import CASEWORKER, WORKFLOW, actor
from tests.referrals import submit


def check_certificate(service, world, reference, purpose="immigration_deportation"):
    """The CC Workflow team's answer to the certificate check (WF-1, WF-2)."""
    service.complete_task(
        reference,
        world.task(service, reference, "check_certificate").id,
        {"certificate_purpose": purpose, "offences_on_pnc": "no"},
        WORKFLOW,
    )


def test_a_new_referral_waits_for_the_workflow_team(world):
    service = world.service()
    case = submit(service)
    assert case.reference.startswith("ACRO-2026-")
    [task] = service.session.scalars(select(UserTask).where(UserTask.case_id == case.id)).all()
    assert (task.bpmn_id, task.group, task.due_at.replace(tzinfo=None)) == (
        "check_certificate",
        "cc-workflow",
        (world.clock.now() + timedelta(days=2)).replace(tzinfo=None),
    )
    assert [f["id"] for f in task.form["fields"]] == [
        "certificate_purpose",
        "certificate_purpose_details",
        "offences_on_pnc",
    ]


def test_each_process_version_is_stored_once_and_not_copied_into_instances(world):
    service = world.service()
    first, second = submit(service), submit(service, "haddad")
    assert service.session.scalar(select(func.count()).select_from(ProcessVersion)) == 1
    assert first.process_version_id == second.process_version_id
    state = json.dumps(first.instance_state)
    assert "task_specs" not in state and "subprocess_specs" not in state
    assert len(state) < 16_000


def test_every_instance_continues_from_its_last_wait_state_after_a_restart(world):
    service = world.service()
    reference = submit(service).reference
    check_certificate(service, world, reference)
    service.complete_task(
        reference, world.task(service, reference, "establish_whereabouts").id, {"whereabouts_known": "no"}, CASEWORKER
    )
    service = world.restart()
    task = world.task(service, reference, "record_nbtc_result")
    service.complete_task(reference, task.id, {"left_uk": "yes", "offences_most_serious": "no"}, CASEWORKER)
    case = service.case(reference)
    assert (case.state, case.outcome) == ("closed", "ACRO overseas conviction – left UK before deport action")


def test_timers_are_stored_and_fire_after_a_restart(world):
    service = world.service()
    reference = submit(service).reference
    answers = [
        ("check_certificate", WORKFLOW, {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}),
        ("establish_whereabouts", CASEWORKER, {"whereabouts_known": "yes"}),
        ("allocate_case_owner", CASEWORKER, {"case_owner": "carl"}),
        (
            "consider_detention",
            CASEWORKER,
            {
                "custody_status": "serving_sentence",
                "sufficient_time": "yes",
                "suitable_for_detention": "yes",
                "detention_reasons": "In prison.",
            },
        ),
        ("check_offending_history", CASEWORKER, {"offences_on_pnc": "yes", "further_offending_overseas": "no"}),
        (
            "record_police_response",
            CASEWORKER,
            {"officer_contacted_on": "2026-01-05", "pending_prosecution": "no"},
        ),
    ]
    for bpmn_id, who, data in answers:
        service.complete_task(reference, world.task(service, reference, bpmn_id).id, data, who)
    [timer] = service.session.scalars(select(Timer)).all()
    assert timer.due_at.replace(tzinfo=None) == (world.clock.now() + timedelta(days=20)).replace(tzinfo=None)
    world.clock.advance(timedelta(days=20))
    service = world.restart()
    assert service.fire_due_timers() == []
    world.clock.advance(timedelta(minutes=1))
    assert service.fire_due_timers() == [reference]
    assert world.task(service, reference, "consider_deportation").assignee == "carl"
    assert service.session.scalars(select(Timer)).all() == []


def test_invalid_answers_are_refused_field_by_field_and_nothing_moves(world):
    service = world.service()
    reference = submit(service).reference
    task = world.task(service, reference, "check_certificate")
    with pytest.raises(InvalidAnswers) as refused:
        service.complete_task(
            reference, task.id, {"certificate_purpose": "because", "offences_on_pnc": "perhaps"}, WORKFLOW
        )
    assert set(refused.value.messages) == {"certificate_purpose", "offences_on_pnc"}
    assert world.task(service, reference, "check_certificate").id == task.id


def test_only_the_tasks_group_may_do_it_and_a_claimed_task_is_the_claimants(world):
    service = world.service()
    reference = submit(service).reference
    task = world.task(service, reference, "check_certificate")
    with pytest.raises(Forbidden):
        service.complete_task(reference, task.id, {}, CASEWORKER)
    service.claim_task(reference, task.id, WORKFLOW)
    other = Actor("walter", frozenset({"cc-workflow"}), frozenset({"workflow"}))
    with pytest.raises(Conflict, match="assigned to wendy"):
        service.complete_task(reference, task.id, {"certificate_purpose": "other", "offences_on_pnc": "yes"}, other)


def test_a_task_done_twice_is_refused(world):
    service = world.service()
    reference = submit(service).reference
    task_id = world.task(service, reference, "check_certificate").id
    answers = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}
    service.complete_task(reference, task_id, answers, WORKFLOW)
    with pytest.raises(Conflict, match="already done by wendy at") as conflict:
        service.complete_task(reference, task_id, answers, WORKFLOW)
    assert conflict.value.by == "wendy" and conflict.value.at is not None
    with pytest.raises(NotFound, match="no task"):
        service.complete_task(reference, "00000000-0000-0000-0000-000000000000", answers, WORKFLOW)


def test_a_message_for_a_case_not_waiting_for_it_is_a_clear_error(world):
    service = world.service()
    reference = submit(service).reference
    with pytest.raises(Conflict, match="is not waiting for 'fno_located'; it waits for no message"):
        service.deliver_message(reference, "fno_located", {}, CASEWORKER)
    with pytest.raises(NotFound):
        service.deliver_message("ACRO-1999-000001", "fno_located", {}, CASEWORKER)


def test_who_records_a_message_and_what_comes_with_it_are_the_catch_events(world):
    service = world.service()
    reference = submit(service).reference
    # fno_located's catch event names the casework team; certificate_received's the Workflow team
    with pytest.raises(Forbidden, match="not in a group that records 'FNO located'"):
        service.deliver_message(reference, "fno_located", {}, SYSTEM)
    with pytest.raises(Forbidden, match="not in a group that records 'Disclosable certificate received'"):
        service.deliver_message(reference, "certificate_received", {}, CASEWORKER)
    with pytest.raises(InvalidAnswers) as refused:
        service.deliver_message(reference, "no_such_message", {}, CASEWORKER)
    assert refused.value.messages == {"message": ["'no_such_message' is not an event this case's process knows"]}
    with pytest.raises(InvalidAnswers) as refused:
        service.deliver_message(reference, "certificate_received", {}, WORKFLOW)
    assert refused.value.messages == {
        "certificate": ["'Disclosable certificate received' needs the certificate that came"]
    }


def test_destroying_a_non_disclosable_certificate_leaves_only_the_fact(world):
    service = world.service()
    reference = submit(service, "haddad").reference
    case = service.case(reference)
    # as if an old integration had copied the content into the process variables
    instance = service.instance(case)
    instance.workflow.get_tasks()[-1].data["certificate_text"] = "Drug trafficking (France, 2012)"
    case.instance_state = service.engine.dump(instance)
    service.session.commit()
    check_certificate(service, world, reference, purpose="criminal_proceedings")
    [certificate] = service.session.scalars(select(Certificate)).all()
    assert (certificate.status, certificate.content, certificate.request_purpose) == ("destroyed", None, None)
    assert "Drug trafficking" not in json.dumps(service.case(reference).instance_state)
    actions = [a.task_bpmn_id for a in service.session.scalars(select(AuditEntry))]
    assert "destroy_certificate" in actions
    audit_text = json.dumps([a.details for a in service.session.scalars(select(AuditEntry))])
    assert "Drug trafficking" not in audit_text


def test_a_failing_handler_leaves_the_case_at_that_step_with_an_incident_and_a_retry_goes_on(world, monkeypatch):
    service = world.service()
    reference = submit(service).reference
    registry = service.registry
    real = registry.run
    calls = []

    def flaky(topic, data, **adapters):
        if topic == "pnc-bureau.request-check" and not calls:
            calls.append(topic)
            adapters["case_store"].add_note("half-done work that must not survive")
            raise ConnectionError("PNC Bureau mailbox unreachable")
        return real(topic, data, **adapters)

    monkeypatch.setattr(registry, "run", flaky)
    check_certificate(service, world, reference)
    [incident] = service.session.scalars(select(Incident)).all()
    assert (incident.task_bpmn_id, incident.topic) == ("request_pnc_check", "pnc-bureau.request-check")
    assert "unreachable" in incident.error
    case = service.case(reference)
    assert service.session.scalars(select(UserTask).where(UserTask.case_id == case.id)).all() == []
    from casework.models import Note

    assert not [n for n in service.session.scalars(select(Note)) if "half-done" in n.text]
    # the earlier steps of the same transaction (the case record) were kept
    assert case.subject_id is not None
    service = world.restart()
    service.retry_incident(incident.id, actor("alex"))
    assert world.task(service, reference, "establish_whereabouts")
    assert service.session.get(Incident, incident.id).resolved_at is not None


def test_a_handler_setting_a_variable_its_service_task_does_not_declare_is_an_incident(world, monkeypatch):
    service = world.service()
    reference = submit(service).reference
    registry = service.registry
    real = registry.run

    def undeclared(topic, data, **adapters):
        result = real(topic, data, **adapters)
        if topic == "case-record.create-paper-file":
            adapters["case_store"].add_note("work whose result the diagram cannot hold")
            return {**(result or {}), "paper_file_location": "basement"}
        return result

    monkeypatch.setattr(registry, "run", undeclared)
    check_certificate(service, world, reference)
    [incident] = service.session.scalars(select(Incident)).all()
    assert (incident.task_bpmn_id, incident.topic) == ("create_paper_file", "case-record.create-paper-file")
    assert "sets paper_file_location, which service task create_paper_file does not declare" in incident.error
    from casework.models import Note

    # the handler's work is rolled back with it, so a retry does not do it twice
    assert not [n for n in service.session.scalars(select(Note)) if "cannot hold" in n.text]


def test_the_audit_trail_names_who_did_each_step_and_what_changed(world):
    service = world.service()
    reference = submit(service).reference
    check_certificate(service, world, reference)
    entries = service.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    done = next(e for e in entries if e.task_bpmn_id == "check_certificate" and e.action == "task completed")
    assert done.actor == "wendy"
    assert done.details["changed"]["certificate_purpose"] == "immigration_deportation"
    decision = next(e for e in entries if e.task_bpmn_id == "decide_disclosability")
    assert (decision.actor, decision.details["changed"]["certificate_disclosable"]) == ("system", True)
    assert [e.action for e in entries][0] == "referral received"


def test_emails_leave_only_after_the_step_commits(world):
    service = world.service()
    reference = submit(service).reference
    check_certificate(service, world, reference)
    emails = service.session.scalars(select(Email)).all()
    assert emails and all(e.sent_at is not None for e in emails)
    assert sorted(m["Message-ID"] for m in world.sender.sent) == sorted(e.message_id for e in emails)
