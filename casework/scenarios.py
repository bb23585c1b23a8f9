"""Scenarios: a referral, the answers given at each step, messages, the passing of time, and
what must result. The format is documented in docs/scenarios.md; `acro scenario run` and the
test suite run them through the service layer on a fresh database."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from adapters.smtp import check_addressed
from engine.clock import FakeClock
from engine.coverage import Coverage

from . import bootstrap
from .config import Settings
from .database import delete_all_rows
from .errors import CaseworkError, Conflict, Forbidden, InvalidAnswers
from .models import Base, Certificate, Conviction, Deadline, Document, Email, Incident, Subject, User, UserTask
from .permissions import Actor
from .service import Casework

STEP_KINDS = ("task", "message", "wait", "referral", "fire_timers", "check")
_DURATION = re.compile(r"^(\d+)\s*([dhm])$")


class ScenarioError(ValueError):
    """The scenario file itself is wrong (not the system under test)."""


@dataclass
class Result:
    name: str
    file: str
    failures: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def load(path) -> dict:
    try:
        scenario = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(scenario, dict) or "referral" not in scenario or "steps" not in scenario:
        raise ScenarioError(f"{path}: a scenario needs 'name', 'referral', 'steps' and 'expect'")
    for number, step in enumerate(scenario["steps"], 1):
        if not isinstance(step, dict) or not any(k in step for k in STEP_KINDS):
            raise ScenarioError(f"{path}: step {number} must be one of {', '.join(STEP_KINDS)}: {step!r}")
    scenario.setdefault("name", Path(path).stem)
    base = Path(path).parent
    _resolve_referral(scenario, base, path)
    for step in scenario["steps"]:
        if "referral" in step:
            _resolve_referral(step, base, path)
    return scenario


def _resolve_referral(holder: dict, base: Path, path) -> None:
    """``referral: referrals/x.yaml`` names a file holding ``referral`` and ``certificate``;
    a ``certificate`` written beside it wins."""
    if not isinstance(holder["referral"], str):
        return
    file = base / holder["referral"]
    try:
        content = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: referral file {holder['referral']}: {exc}") from None
    holder["referral"] = content["referral"]
    holder.setdefault("certificate", content.get("certificate"))


def duration(text: str) -> timedelta:
    match = _DURATION.match(str(text).strip())
    if not match:
        raise ScenarioError(f"wait {text!r}: write a whole number of days, hours or minutes, e.g. 21d, 4h")
    number, unit = int(match.group(1)), match.group(2)
    return {"d": timedelta(days=number), "h": timedelta(hours=number), "m": timedelta(minutes=number)}[unit]


class RecordingSender:
    """Keeps what would be sent; also passes it to a real SMTP sender when given one."""

    def __init__(self, forward=None):
        self.forward = forward
        self.sent = []

    def send(self, message) -> None:
        check_addressed(message)
        if self.forward is not None:
            self.forward.send(message)
        self.sent.append(message)


# the case record's fields a scenario can expect (and a scenario made from a case pins)
CASE_FIELDS = ("outcome", "state", "stage", "custody_status", "marker_status", "team", "detention_power", "case_owner")


def recording_role(service: Casework, reference: str, message: str) -> str | None:
    """The first role in a group the catch event of ``message`` lets record it on this case
    (the policy's default groups where it names none); None when no role may."""
    case = service.case(reference)
    event = service.message_events(case).get(message)
    groups = set(
        (service.event_groups(case, event) if event is not None else ()) or service.policy.event_default_groups
    )
    return next((role for role, in_groups in service.settings.role_groups.items() if groups & set(in_groups)), None)


class Runner:
    """Runs scenarios on one fresh database, keeping coverage across them."""

    def __init__(self, processes_dir=None, sender=None, database_url="sqlite://", documents_dir=None):
        self._tmp = tempfile.TemporaryDirectory(prefix="acro-scenarios-")
        base = Settings.from_env({"ACRO_INSTANCE_DIR": self._tmp.name, "SECRET_KEY": "scenario"})
        base.processes_dir = Path(processes_dir) if processes_dir else base.processes_dir
        base.documents_dir = Path(documents_dir or Path(self._tmp.name) / "documents")
        self.settings = base
        self.sender = RecordingSender(sender)
        self.database_url = database_url
        self.engine_db = None
        self.coverage = None

    def close(self) -> None:
        if self.engine_db is not None:
            self.engine_db.dispose()
        self._tmp.cleanup()

    def _fresh_database(self):
        """Each scenario starts from an empty database, so scenarios cannot lean on each other:
        a new one in memory, or the same server database emptied."""
        if self.database_url == "sqlite://" or self.engine_db is None:
            if self.engine_db is not None:
                self.engine_db.dispose()
            self.engine_db = create_engine(self.database_url)
            Base.metadata.create_all(self.engine_db)
        else:
            delete_all_rows(self.engine_db)

    def _service(self, session, clock) -> Casework:
        return bootstrap.build(session, self.settings, clock, self.sender)

    def _actor(self, step) -> Actor:
        role = step.get("as")
        if role not in self.settings.role_groups:
            raise ScenarioError(f"step {step!r}: 'as' must be a role: {', '.join(self.settings.role_groups)}")
        return Actor(step.get("user", role), frozenset(self.settings.role_groups[role]), frozenset([role]))

    def _recorder(self, service, reference: str, step) -> Actor:
        """Who records a message: the step's role (``as``), or else ``recording_role``'s."""
        if "as" in step:
            return self._actor(step)
        role = recording_role(service, reference, step["message"])
        return self._actor({"as": role}) if role else Actor("acro-intake")  # the service refuses it

    def run(self, scenario: dict, file: str = "", inspect=None) -> Result:
        """Run one scenario; ``inspect(session, result)``, if given, looks at the database
        before the next scenario replaces it."""
        result = Result(scenario["name"], file)
        start = scenario.get("start")
        clock = FakeClock(datetime.fromisoformat(str(start)) if start else None)
        self._fresh_database()
        with Session(self.engine_db) as session:
            self._people(session, scenario)
            service = self._service(session, clock)
            cases: dict[str, str] = {}
            first = service.submit_referral(
                scenario["referral"], Actor("acro-intake"), certificate=scenario.get("certificate")
            )
            cases["first"] = cases["latest"] = first.reference
            for number, step in enumerate(scenario["steps"], 1):
                where = f"step {number}"
                try:
                    self._step(service, clock, step, cases, result, where)
                except _Stop:
                    break
                except CaseworkError as exc:
                    result.failures.append(f"{where}: {type(exc).__name__}: {exc}")
                    break
            result.cases = list(dict.fromkeys(v for k, v in cases.items() if k != "latest"))
            self._check(session, service, scenario.get("expect") or {}, cases, result)
            self._cover(session, service, result.cases)
            if inspect is not None:
                inspect(session, result)
        return result

    def _people(self, session, scenario) -> None:
        """The users the steps act as, with their roles (they sign in nowhere: no password)."""
        people = {}
        for step in scenario["steps"]:
            if "task" in step and step.get("as") in self.settings.role_groups:
                people.setdefault(step.get("user", step["as"]), step["as"])
        for username, role in people.items():
            session.add(User(username=username, full_name=username.title(), roles=[role], password_hash="!"))
        session.commit()

    def _case_ref(self, step, cases) -> str:
        name = step.get("case", "latest")
        if name not in cases:
            raise ScenarioError(f"no case named {name!r} (known: {', '.join(cases)})")
        return cases[name]

    def _step(self, service, clock, step, cases, result, where) -> None:
        if "referral" in step:
            case = service.submit_referral(step["referral"], Actor("acro-intake"), certificate=step.get("certificate"))
            cases[step.get("name", f"case{len(cases)}")] = cases["latest"] = case.reference
            return
        reference = self._case_ref(step, cases)
        if "task" in step:
            case = service.case(reference)
            tasks = service.session.scalars(
                select(UserTask).where(UserTask.case_id == case.id, UserTask.bpmn_id == step["task"])
            ).all()
            if step.get("expect_not_ready"):
                if tasks:
                    result.failures.append(f"{where}: task {step['task']} is ready, but it should not be yet")
                return
            if not tasks:
                ready = [
                    t.bpmn_id for t in service.session.scalars(select(UserTask).where(UserTask.case_id == case.id))
                ]
                result.failures.append(
                    f"{where}: task {step['task']} is not ready (ready: {ready or 'none'}; case stage: {case.stage})"
                )
                raise _Stop()
            try:
                service.complete_task(reference, tasks[0].id, step.get("answers") or {}, self._actor(step))
            except (Forbidden, Conflict):
                if not step.get("expect_refused"):
                    raise
                return
            except InvalidAnswers as exc:
                expected = step.get("expect_error")
                if not expected:
                    result.failures.append(f"{where}: answers refused: {exc.messages}")
                    raise _Stop() from None
                for field_id, text in expected.items():
                    got = " ".join(exc.messages.get(field_id, []))
                    if text.lower() not in got.lower():
                        result.failures.append(f"{where}: expected error {text!r} on {field_id}, got {got!r}")
                return
            if step.get("expect_error"):
                result.failures.append(f"{where}: answers were accepted but an error was expected")
            if step.get("expect_refused"):
                result.failures.append(
                    f"{where}: {step.get('user', step.get('as'))} was allowed to do "
                    f"{step['task']}, which should be refused"
                )
        elif "message" in step:
            service.deliver_message(
                reference, step["message"], step.get("payload"), self._recorder(service, reference, step)
            )
        elif "wait" in step:
            clock.advance(duration(step["wait"]))
            service.fire_due_timers()
        elif "fire_timers" in step:
            service.fire_due_timers()
        elif "check" in step:
            name = next(k for k, v in cases.items() if v == reference and k != "latest")
            before = len(result.failures)
            self._check_case(service.session, service, service.case(reference), step["check"], result, name)
            for index in range(before, len(result.failures)):
                result.failures[index] = f"{where}: {result.failures[index]}"

    def _check(self, session, service, expect, cases, result) -> None:
        case_keys = {k: v for k, v in expect.items() if k not in ("cases", "subjects", "subject_convictions")}
        per_case = dict(expect.get("cases") or {})
        if case_keys:
            per_case.setdefault("first", {}).update(case_keys)
        for name, checks in per_case.items():
            if not checks:
                continue
            case = service.case(cases[name])
            self._check_case(session, service, case, checks, result, name)
        if "subjects" in expect:
            count = session.scalar(select(func.count()).select_from(Subject))
            if count != expect["subjects"]:
                result.failures.append(f"expected {expect['subjects']} subject(s), found {count}")
        if "subject_convictions" in expect:
            count = session.scalar(select(func.count()).select_from(Conviction))
            if count != expect["subject_convictions"]:
                result.failures.append(
                    f"expected {expect['subject_convictions']} recorded conviction(s), found {count}"
                )

    def _check_case(self, session, service, case, checks, result, name) -> None:
        fail = lambda msg: result.failures.append(f"case {name} ({case.reference}): {msg}")  # noqa: E731
        for attr in CASE_FIELDS:
            if attr in checks and getattr(case, attr) != checks[attr]:
                fail(f"{attr} is {getattr(case, attr)!r}, expected {checks[attr]!r}")
        instance = service.instance(case)
        visited = {b for _, b in _visited(instance)}
        for task in checks.get("visited", []):
            if task not in visited:
                fail(f"did not visit {task}")
        for task in checks.get("not_visited", []):
            if task in visited:
                fail(f"visited {task}, which it should not")
        waiting = {t.bpmn_id for t in session.scalars(select(UserTask).where(UserTask.case_id == case.id))}
        waiting |= set(instance.waiting_elements())
        if "waiting_for" in checks and set(checks["waiting_for"]) != waiting:
            fail(f"waits for {sorted(waiting)}, expected {sorted(checks['waiting_for'])}")
        documents = [d.kind for d in session.scalars(select(Document).where(Document.case_id == case.id))]
        for kind in checks.get("documents", []):
            if kind not in documents:
                fail(f"has no document {kind!r} (has {documents})")
        if "documents_exactly" in checks and sorted(documents) != sorted(checks["documents_exactly"]):
            fail(f"documents are {sorted(documents)}, expected {sorted(checks['documents_exactly'])}")
        emails = session.scalars(select(Email).where(Email.case_id == case.id).order_by(Email.id)).all()
        unmatched = list(emails)
        for wanted in checks.get("emails", []):
            to = self.settings.addresses.get(wanted.get("to"), wanted.get("to"))
            to = to if isinstance(to, list) else [to]
            match = next(
                (
                    e
                    for e in unmatched
                    if (wanted.get("to") is None or set(to) & set(e.recipients))
                    and wanted.get("subject_contains", "").lower() in e.subject.lower()
                ),
                None,
            )
            if match is None:
                fail(
                    f"no email to {wanted.get('to')} about {wanted.get('subject_contains', '')!r} "
                    f"(sent: {[(e.recipients, e.subject) for e in emails]})"
                )
            else:
                unmatched.remove(match)
        if "emails_total" in checks and len(emails) != checks["emails_total"]:
            fail(f"{len(emails)} emails were written, expected {checks['emails_total']}")
        unsent = [e.subject for e in emails if e.sent_at is None]
        if unsent:
            fail(f"emails not sent: {unsent}")
        if "certificate" in checks:
            statuses = [c.status for c in session.scalars(select(Certificate).where(Certificate.case_id == case.id))]
            if checks["certificate"] not in statuses:
                fail(f"no certificate {checks['certificate']!r} (statuses: {statuses})")
        deadlines = [d.kind for d in session.scalars(select(Deadline).where(Deadline.case_id == case.id))]
        for kind in checks.get("deadlines", []):
            if kind not in deadlines:
                fail(f"has no deadline {kind!r} (has {deadlines})")
        incidents = session.scalars(
            select(Incident).where(Incident.case_id == case.id, Incident.resolved_at.is_(None))
        ).all()
        if incidents and not checks.get("incidents"):
            fail(f"has open incidents: {[i.error for i in incidents]}")

    def _cover(self, session, service, references) -> None:
        for reference in references:
            case = service.case(reference)
            instance = service.instance(case)
            if self.coverage is None:
                self.coverage = Coverage(instance.bundle)
            self.coverage.add(instance.workflow)


class _Stop(CaseworkError):
    pass


def _visited(instance):
    coverage = Coverage(instance.bundle)
    coverage.add(instance.workflow)
    return coverage.nodes


def run_files(paths, processes_dir=None, sender=None) -> tuple[list[Result], Coverage | None]:
    runner = Runner(processes_dir, sender)
    try:
        results = [runner.run(load(path), str(path)) for path in paths]
        return results, runner.coverage
    finally:
        runner.close()
