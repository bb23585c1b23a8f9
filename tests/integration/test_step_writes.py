"""What a step writes, counted: the audit entries in one statement, one savepoint for the
handlers, the case record once, and at most so many statements for an approval (issue 14). The counts
are of SQL statements, which do not depend on the machine's speed."""

import contextlib

from sqlalchemy import event, select

from casework.models import AuditEntry
from tests.people import WORKFLOW
from tests.referrals import submit

ANSWERS = {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"}


@contextlib.contextmanager
def statements(service):
    seen = []
    engine = service.session.get_bind()

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def complete_check(world, service, reference):
    service.complete_task(reference, world.task(service, reference, "check_certificate").id, ANSWERS, WORKFLOW)


def test_a_step_writes_its_audit_entries_in_one_statement_in_the_order_the_tasks_ran(world):
    service = world.service()
    reference = submit(service).reference
    with statements(service) as seen:
        complete_check(world, service, reference)
    assert len([s for s in seen if s.startswith("INSERT INTO audit_entry")]) == 1
    case = service.case(reference)
    entries = service.session.scalars(
        select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)
    ).all()
    ran = [t.id for t in service.instance(case).completed_tasks()]
    by_task = [e.task_id for e in entries if e.task_id]
    assert by_task == [t for t in ran if t in set(by_task)]
    assert len(by_task) > 5


def test_a_step_runs_its_service_tasks_on_one_savepoint_and_writes_the_case_record_once(world, monkeypatch):
    service = world.service()
    reference = submit(service).reference
    topics = []
    real = service.registry.run
    monkeypatch.setattr(
        service.registry, "run", lambda topic, data, **a: topics.append(topic) or real(topic, data, **a)
    )
    with statements(service) as seen:
        complete_check(world, service, reference)
    assert len(topics) > 1
    assert len([s for s in seen if s.startswith("SAVEPOINT")]) == 1
    assert len([s for s in seen if s.startswith("UPDATE case_record")]) == 1


def test_an_approval_through_the_service_layer_takes_at_most_54_statements(world):
    # a referral and its first task, with a new subject, the email it sends and a restricted
    # section's note: 85 statements before issue 14's step changes (at d933d74, one note fewer),
    # with an INSERT per audit entry, a savepoint per service task, the case record written at
    # every flush, and the task and timer rows read and rewritten
    service = world.service()
    with statements(service) as seen:
        reference = submit(service).reference
        complete_check(world, service, reference)
    assert len(seen) <= 54, "\n".join(seen)
