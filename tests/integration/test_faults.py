"""Faults: a mail relay that is down and comes back, handlers that keep failing, two people
completing the same task at once, and logs that must not be altered."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from adapters.smtp import SmtpSender
from casework import bootstrap
from casework.errors import Conflict, Forbidden
from casework.incidents import BACKOFF
from casework.models import AccessLog, AuditEntry, Email, Incident
from casework.permissions import Actor
from tests.mail import MailCatcher
from tests.network import free_port
from tests.people import CASEWORKER, WORKFLOW, actor
from tests.referrals import submit

CHECK = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}


def test_mail_relay_down_then_up_loses_and_repeats_nothing(world, report):
    port = free_port()
    world.sender = SmtpSender("127.0.0.1", port, timeout=2)
    service = world.service()
    reference = submit(service).reference
    service.complete_task(reference, world.task(service, reference, "check_certificate").id, CHECK, WORKFLOW)
    # the relay is down: the case goes on, the email waits in the outbox with an incident
    assert world.task(service, reference, "establish_whereabouts")
    [email] = service.session.scalars(select(Email)).all()
    [incident] = service.session.scalars(select(Incident)).all()
    assert email.sent_at is None and email.attempts == 1 and "ConnectionRefused" in email.last_error
    assert incident.topic == "email" and incident.resolved_at is None
    assert email.next_attempt_at == world.clock.now() + BACKOFF[0]
    assert service.dispatch_outbox() == (0, 0)  # not due yet: backoff
    world.clock.advance(BACKOFF[0] + timedelta(seconds=1))
    assert service.dispatch_outbox() == (0, 1)  # still down
    with MailCatcher(port) as relay:
        world.clock.advance(BACKOFF[1] + timedelta(seconds=1))
        assert service.dispatch_outbox() == (1, 0)
        assert service.dispatch_outbox() == (0, 0)
    service.session.refresh(email)
    service.session.refresh(incident)
    assert email.sent_at is not None and incident.resolved_at is not None
    report(f"relay outage: attempts {email.attempts}, emails received {len(relay.messages)}")
    assert len(relay.messages) == 1


def test_a_handler_that_keeps_failing_is_retried_with_backoff_then_left_to_an_operator(world, monkeypatch):
    world.settings.max_attempts = 3
    service = world.service()
    reference = submit(service).reference

    def broken(topic, data, **adapters):
        if topic == "pnc-bureau.request-check":
            raise TimeoutError("PNC Bureau gateway timed out")
        return real(topic, data, **adapters)

    real = service.registry.run
    monkeypatch.setattr(service.registry, "run", broken)
    service.complete_task(reference, world.task(service, reference, "check_certificate").id, CHECK, WORKFLOW)
    [incident] = service.session.scalars(select(Incident)).all()
    assert (incident.attempts, incident.next_retry_at) == (1, world.clock.now() + BACKOFF[0])
    assert service.retry_due_incidents() == 0
    world.clock.advance(BACKOFF[0])
    assert service.retry_due_incidents() == 1
    service.session.refresh(incident)
    assert (incident.attempts, incident.next_retry_at) == (2, world.clock.now() + BACKOFF[1])
    world.clock.advance(BACKOFF[1])
    service.retry_due_incidents()
    service.session.refresh(incident)
    assert incident.attempts == 3 and incident.next_retry_at is None  # the limit: an operator's turn
    monkeypatch.setattr(service.registry, "run", real)
    with pytest.raises(Forbidden):  # a caseworker is no operator
        service.retry_incident(incident.id, CASEWORKER)
    service.retry_incident(incident.id, actor("alex"))
    service.session.refresh(incident)
    assert incident.resolved_at is not None
    assert world.task(service, reference, "establish_whereabouts")


def test_two_people_completing_the_same_task_at_once_one_wins(world, report):
    service = world.service()
    reference = submit(service).reference
    task_id = world.task(service, reference, "check_certificate").id
    service.session.close()
    barrier = threading.Barrier(2)
    outcomes = {}
    people = [Actor(name, frozenset({"cc-workflow"})) for name in ("wendy", "walter")]

    def complete(actor):
        with Session(world.engine) as session:
            mine = bootstrap.build(session, world.settings, world.clock, world.sender)
            barrier.wait()
            try:
                mine.complete_task(reference, task_id, CHECK, actor)
                outcomes[actor.username] = "done"
            except Conflict as exc:
                outcomes[actor.username] = exc
            except OperationalError as exc:  # SQLite: the writer lock timed out
                outcomes[actor.username] = exc

    threads = [threading.Thread(target=complete, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [name for name, outcome in outcomes.items() if outcome == "done"]
    assert len(done) == 1, outcomes
    [loser] = [o for o in outcomes.values() if o != "done"]
    assert isinstance(loser, Conflict), loser
    report(f"concurrent completion: {outcomes}")
    service = world.service()
    completions = service.session.scalars(
        select(AuditEntry).where(AuditEntry.task_id == task_id, AuditEntry.action == "task completed")
    ).all()
    assert [c.actor for c in completions] == done


def test_two_people_claiming_at_once_one_wins_and_the_other_is_told_who(world):
    service = world.service()
    reference = submit(service).reference
    task_id = world.task(service, reference, "check_certificate").id
    service.claim_task(reference, task_id, WORKFLOW)
    other = Actor("walter", frozenset({"cc-workflow"}))
    with pytest.raises(Conflict, match="claimed by wendy at") as refused:
        service.claim_task(reference, task_id, other)
    assert refused.value.by == "wendy"


@pytest.mark.parametrize("statement", ["UPDATE {table} SET actor = 'someone else'", "DELETE FROM {table}"])
@pytest.mark.parametrize("table", ["audit_entry", "access_log"])
def test_the_audit_trail_and_access_log_refuse_update_and_delete(world, table, statement):
    service = world.service()
    submit(service)
    with pytest.raises((DatabaseError, IntegrityError, OperationalError, ProgrammingError), match="append-only"):
        service.session.execute(text(statement.format(table=table)))
        service.session.commit()
    service.session.rollback()
    assert service.session.scalars(select(AuditEntry)).first().actor != "someone else"
    assert service.session.scalars(select(AccessLog)).all()


def test_every_collection_change_disclosure_and_erasure_is_logged_with_who_and_why(world):
    service = world.service()
    reference = submit(service, "haddad").reference
    service.complete_task(
        reference,
        world.task(service, reference, "check_certificate").id,
        {"certificate_purpose": "criminal_proceedings", "offences_on_pnc": "no"},
        WORKFLOW,
    )
    service.record_access(reference, CASEWORKER, "view", "Preparing the deportation decision")
    admin = Actor("alex", roles=frozenset({"admin"}))
    exported = service.export_log(reference, admin, "Subject access request 2026/17")
    actions = [(e["action"], e["actor"]) for e in exported["data_protection_log"]]
    assert ("collect", "acro-intake") in actions
    assert ("change", "wendy") in actions
    assert ("disclose", "wendy") in actions  # the request to ACRO, caused by wendy's step
    assert ("erase", "wendy") in actions
    assert ("view", "carl") in actions
    assert ("export", "alex") in actions
    assert all(e["purpose"] for e in exported["data_protection_log"])
    with pytest.raises(Exception, match="only an administrator"):
        service.export_log(reference, CASEWORKER, "curious")
