"""The service layer: every action on a case is one unit of work.

Load the case's workflow, do the step (a person's answers, a message, a due timer), run the
engine and the handlers until the case waits again, then save the instance, the ready tasks,
the timers, the case record and the audit entries in one transaction. Emails leave the
outbox only after that transaction commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.util.task import TaskState

from engine.instance import Engine, ExternalTask, Instance, NotWaiting

from . import audit, bundles, dpa, forms, incidents, subjects
from .documents import DocumentStore
from .models import AccessLog, AuditEntry, Case, Certificate, Email, Incident, Timer, User, UserTask, utcnow
from .outbox import OutboxMailer, dispatch
from .store import SqlCaseStore


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (with the groups their roles give) or the system."""
    username: str
    groups: frozenset = field(default_factory=frozenset)
    roles: frozenset = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


SYSTEM = Actor("system")


class CaseworkError(Exception):
    """A request the service refuses; the message is for the person who asked."""


class NotFound(CaseworkError):
    pass


class Forbidden(CaseworkError):
    pass


class Conflict(CaseworkError):
    """Somebody else got there first; ``by`` and ``at`` say who and when, where known."""

    def __init__(self, message: str, by: str | None = None, at: datetime | None = None):
        super().__init__(message)
        self.by = by
        self.at = at


class InvalidAnswers(CaseworkError):
    def __init__(self, messages: dict):
        super().__init__("the answers are not valid")
        self.messages = messages


class StepFailed(CaseworkError):
    """The engine could not finish the step (a model error); nothing of it was saved."""


class Deferred(Exception):
    """A service task is left for the background worker."""


class HandlerFailed(Exception):
    def __init__(self, task: ExternalTask, error: Exception):
        super().__init__(f"{task.topic} failed: {error}")
        self.task = task
        self.error = error


class Casework:

    def __init__(self, session, engine: Engine, registry, settings, sender=None, queue=None):
        self.session = session
        self.engine = engine
        self.registry = registry
        self.settings = settings
        self.sender = sender
        # with a queue (the Celery worker), service tasks and emails leave the web request;
        # without one (the embedded mode) they run in it
        self.queue = queue
        self._after_commit: list = []
        self._mailers: list = []

    @property
    def clock(self):
        return self.engine.clock

    # -- reading --------------------------------------------------------------------------
    def case(self, reference: str, for_update: bool = False) -> Case:
        """The case; ``for_update`` locks its row for this transaction (on PostgreSQL), so two
        steps on one case run one after the other and the second sees what the first did."""
        query = select(Case).where(Case.reference == reference)
        if for_update:
            # FOR NO KEY UPDATE: rows that merely refer to the case (audit, access log) can still
            # be written by others; every step takes this lock first, so locks come in one order
            query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
        case = self.session.scalars(query).first()
        if case is None:
            raise NotFound(f"there is no case {reference}")
        return case

    def instance(self, case: Case) -> Instance:
        return self.engine.restore(bundles.for_version(case.process_version), case.instance_state)

    def user_task(self, case: Case, task_id: str) -> UserTask:
        task = self.session.get(UserTask, task_id)
        if task is not None and task.case_id == case.id:
            return task
        done = self._completion(case, task_id)
        if done is not None:
            raise Conflict(f"{done.task_name} was already done by {done.actor} at {done.at:%d %B %Y %H:%M}",
                           by=done.actor, at=done.at)
        raise NotFound(f"case {case.reference} has no task {task_id} waiting")

    def find_task(self, task_id: str) -> UserTask:
        """A waiting task by its id alone; says who did it, and when, if it is already done."""
        task = self.session.get(UserTask, str(task_id)) if len(str(task_id)) <= 36 else None
        if task is not None:
            return task
        done = self.session.scalars(select(AuditEntry).where(
            AuditEntry.task_id == str(task_id), AuditEntry.action == "task completed")).first()
        if done is not None:
            raise Conflict(f"{done.task_name} was already done by {done.actor} at {done.at:%d %B %Y %H:%M}",
                           by=done.actor, at=done.at)
        raise NotFound(f"there is no task {task_id} waiting")

    def _completion(self, case: Case, task_id: str):
        return self.session.scalars(select(AuditEntry).where(
            AuditEntry.case_id == case.id, AuditEntry.task_id == str(task_id),
            AuditEntry.action == "task completed")).first()

    def record_access(self, reference: str, actor: Actor, action: str, purpose: str, details: dict | None = None) -> None:
        """Log a view, export or disclosure of a subject's data with its purpose (FD-1, DPA s.62)."""
        if not (purpose or "").strip():
            raise InvalidAnswers({"purpose": ["Enter why you need to see this case."]})
        case = self.case(reference)
        dpa.log(self.session, case, actor.username, action, purpose.strip(), self.clock.now(), details)
        self.session.commit()

    def export_log(self, reference: str, actor: Actor, purpose: str) -> dict:
        """An administrator's export of a case's data-protection log and audit trail."""
        if not actor.is_admin:
            raise Forbidden("only an administrator can export a case's log")
        if not (purpose or "").strip():
            raise InvalidAnswers({"purpose": ["Enter why the log is being exported."]})
        case = self.case(reference)
        dpa.log(self.session, case, actor.username, "export", purpose.strip(), self.clock.now())
        self.session.commit()
        return dpa.export(self.session, case)

    # -- starting a case ------------------------------------------------------------------
    def submit_referral(self, referral: dict, actor: Actor, certificate: dict | None = None) -> Case:
        """Record an ACRO referral (INT-1) and start its process."""
        version, bundle = bundles.current(self.session, self.settings.processes_dir)
        now = self.clock.now()
        case = Case(reference=f"PENDING-{now.timestamp()}", referral=referral, state="open",
                    stage="CC Workflow: certificate check", process_version=version,
                    instance_state={}, created_at=now, updated_at=now, **subjects.search_fields(referral))
        self.session.add(case)
        self.session.flush()
        case.reference = f"ACRO-{now.year}-{case.id:06d}"
        if certificate:
            self._file_certificate(case, certificate)
        audit.record(self.session, case, actor, "referral received", now=now,
                     details={"fields_present": sorted(k for k, v in referral.items() if v)})
        dpa.log(self.session, case, actor.username, "collect",
                "ACRO referral for consideration of deportation (INT-2)", now)
        instance = self.engine.start(bundle, {"case_reference": case.reference})
        self._advance(case, instance, actor)
        return case

    def _file_certificate(self, case: Case, certificate: dict) -> None:
        self.session.add(Certificate(
            case_id=case.id, request_purpose=certificate.get("request_purpose"),
            content=certificate.get("content"), file=certificate.get("file"),
            filename=certificate.get("filename"), status="held", received_at=self.clock.now()))

    # -- people ---------------------------------------------------------------------------
    def _check_may_act(self, task: UserTask, actor: Actor) -> None:
        if actor.username == task.assignee:
            return
        if not set(task.candidate_groups) & set(actor.groups):
            raise Forbidden(f"{task.name} is for {', '.join(task.candidate_groups)}; "
                            f"{actor.username} is not in that group")

    def may_act(self, task: UserTask, actor: Actor) -> bool:
        """Whether ``actor`` may work on ``task``: its assignee, or in one of its candidate groups."""
        try:
            self._check_may_act(task, actor)
        except Forbidden:
            return False
        return True

    def claim_task(self, reference: str, task_id: str, actor: Actor) -> UserTask:
        case = self.case(reference, for_update=True)
        task = self.user_task(case, task_id)
        self._check_may_act(task, actor)
        now = self.clock.now()
        # one conditional UPDATE: of two people claiming at once, exactly one wins
        claimed = self.session.execute(
            update(UserTask).where(UserTask.id == task.id,
                                   (UserTask.assignee.is_(None)) | (UserTask.assignee == actor.username))
            .values(assignee=actor.username, claimed_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            self.session.rollback()
            current = self.session.get(UserTask, task_id, populate_existing=True)
            if current is None:
                return self.user_task(case, task_id)  # raises: done meanwhile
            raise Conflict(f"{current.name} was claimed by {current.assignee}"
                           + (f" at {current.claimed_at:%d %B %Y %H:%M}" if current.claimed_at else ""),
                           by=current.assignee, at=current.claimed_at)
        audit.record(self.session, case, actor, "task claimed", task_id=task.id, task_bpmn_id=task.bpmn_id,
                     task_name=task.name, now=now)
        self._commit()
        self.session.refresh(task)
        return task

    def release_task(self, reference: str, task_id: str, actor: Actor) -> UserTask:
        case = self.case(reference, for_update=True)
        task = self.user_task(case, task_id)
        if task.assignee != actor.username and not actor.is_admin:
            raise Forbidden(f"only {task.assignee or 'the assignee'} or an administrator can release {task.name}")
        task.assignee = None
        task.claimed_at = None
        audit.record(self.session, case, actor, "task released", task_bpmn_id=task.bpmn_id,
                     task_name=task.name, now=self.clock.now())
        self._commit()
        return task

    def assign_task(self, reference: str, task_id: str, to: Actor, actor: Actor) -> UserTask:
        case = self.case(reference, for_update=True)
        task = self.user_task(case, task_id)
        if not actor.is_admin:
            self._check_may_act(task, actor)
        self._check_may_act(task, to) if to.groups else None
        task.assignee = to.username
        task.claimed_at = self.clock.now()
        audit.record(self.session, case, actor, "task assigned", task_bpmn_id=task.bpmn_id,
                     task_name=task.name, details={"assignee": to.username}, now=self.clock.now())
        self._commit()
        return task

    def complete_task(self, reference: str, task_id: str, answers: dict, actor: Actor) -> Case:
        """A person's answers to a user task; validated against the task's form."""
        case = self.case(reference, for_update=True)
        task = self.user_task(case, task_id)
        self._check_may_act(task, actor)
        if task.assignee and task.assignee != actor.username:
            raise Conflict(f"{task.name} is assigned to {task.assignee}", by=task.assignee, at=task.claimed_at)
        try:
            cleaned = forms.clean(task.form, answers)
        except forms.ValidationError as exc:
            raise InvalidAnswers(exc.messages) from None
        self._check_people(task.form, cleaned)
        instance = self.instance(case)
        dpa.log(self.session, case, actor.username, "change", task.name, self.clock.now(),
                {"task": task.bpmn_id, "fields": sorted(cleaned)})
        try:
            self._advance(case, instance, actor, lambda: instance.complete_user_task(task_id, cleaned),
                          actor_tasks={task_id})
        except (NotWaiting, StaleDataError, OperationalError):
            # another request moved the case first (its revision changed, or SQLite's writer
            # lock timed out waiting for it)
            self.session.rollback()
            self.user_task(self.case(reference), task_id)
            raise Conflict("this case was changed by someone else at the same time; reload it") from None
        return case

    def _check_people(self, form: dict, answers: dict) -> None:
        """A field that names a person (property ``user_in_group``) must name an active user
        who works in that group: a case owner who does not exist would own nothing."""
        problems = {}
        for field in form.get("fields", []):
            group = (field.get("properties") or {}).get("user_in_group")
            name = answers.get(field["id"])
            if not group or not name:
                continue
            user = self.session.scalars(select(User).where(User.username == str(name).strip().lower(),
                                                           User.active.is_(True))).first()
            groups = {g for role in (user.roles if user else []) for g in self.settings.role_groups.get(role, [])}
            if group not in groups:
                problems[field["id"]] = [f"There is no active user called {name} in {group}."]
            else:
                answers[field["id"]] = user.username
        if problems:
            raise InvalidAnswers(problems)

    # -- the outside world ----------------------------------------------------------------
    def deliver_message(self, reference: str, name: str, payload: dict | None, actor: Actor) -> Case:
        """A message for a waiting case (certificate received, FNO located, ...)."""
        case = self.case(reference, for_update=True)
        payload = dict(payload or {})
        instance = self.instance(case)
        if name not in instance.waiting_messages():
            waiting = instance.waiting_messages()
            raise Conflict(f"case {reference} is not waiting for {name!r}"
                           + (f"; it waits for {', '.join(waiting)}" if waiting else "; it waits for no message"))
        certificate = payload.pop("certificate", None)
        if certificate:
            # certificate content lives with the case record, never in process variables
            self._file_certificate(case, certificate)
        audit.record(self.session, case, actor, "message received", details={"message": name, "payload": payload},
                     now=self.clock.now())
        self._advance(case, instance, actor, lambda: instance.send_message(name, payload))
        return case

    def fire_due_timers(self, actor: Actor = SYSTEM) -> list[str]:
        """Fire every stored timer whose due time has passed; return the cases moved."""
        now = self.clock.now()
        case_ids = self.session.scalars(select(Timer.case_id).where(Timer.due_at < now).distinct()).all()
        self.session.commit()
        moved = []
        for case_id in sorted(case_ids):
            case = self.session.scalars(select(Case).where(Case.id == case_id).with_for_update(key_share=True)
                                        .execution_options(populate_existing=True)).one()
            names = [t.name for t in self.session.scalars(select(Timer).where(Timer.case_id == case.id,
                                                                              Timer.due_at < now))]
            if not names:  # another worker fired them while we waited for the lock
                self.session.rollback()
                continue
            instance = self.instance(case)

            def fire():
                if instance.fire_due_timers():
                    audit.record(self.session, case, actor, "timer fired", details={"timers": names}, now=now)
                    moved.append(case.reference)
            self._advance(case, instance, actor, fire)
        return moved

    def retry_incident(self, incident_id: int, actor: Actor) -> Case:
        """Try a failed step again (an operator, or the worker when its retry is due)."""
        incident = self.session.get(Incident, incident_id)
        if incident is None or incident.resolved_at is not None:
            raise NotFound(f"there is no open incident {incident_id}")
        case = self.session.get(Case, incident.case_id)
        audit.record(self.session, case, actor, "incident retried", details={"incident": incident_id},
                     now=self.clock.now())
        if incident.email_id is not None:
            incidents.resolve(incident, self.clock.now())
            email = self.session.get(Email, incident.email_id)
            email.next_attempt_at, email.attempts = None, 0
            self._commit()
            return case
        self._advance(case, self.instance(case), actor, inline=True)
        return case

    def retry_due_incidents(self) -> int:
        due = incidents.due(self.session, self.clock.now())
        for incident in due:
            try:
                self.retry_incident(incident.id, SYSTEM)
            except CaseworkError:
                self.session.rollback()
        return len(due)

    def continue_case(self, reference: str, on_behalf_of: str = "system") -> Case:
        """Run the service tasks a case waits on (the worker's job in production)."""
        case = self.case(reference, for_update=True)
        self._advance(case, self.instance(case), Actor(on_behalf_of), inline=True)
        return case

    def requeue_stale(self, older_than: timedelta | None = None) -> list[str]:
        """Cases whose service tasks were queued but not run (a worker died): queue them again."""
        if self.queue is None:
            return []
        cutoff = self.clock.now() - (older_than or timedelta(seconds=self.settings.requeue_after))
        references = self.session.scalars(select(Case.reference).where(Case.pending_since.is_not(None),
                                                                       Case.pending_since < cutoff)).all()
        for reference in references:
            self.queue.continue_case(reference, "system")
        return list(references)

    def dispatch_outbox(self) -> tuple[int, int]:
        if self.sender is None or not self.settings.send_email:
            return 0, 0
        return dispatch(self.session, self.sender, self.settings.smtp_from, self.clock,
                        max_attempts=self.settings.max_attempts,
                        lease=timedelta(seconds=self.settings.outbox_lease))

    # -- one step -------------------------------------------------------------------------
    def _adapters(self, case: Case, instance: Instance, documents: DocumentStore, actor: Actor) -> dict:
        # FD-1: what a handler discloses is attributed to the person whose step caused it
        store = SqlCaseStore(self.session, case, self.clock, actor=actor.username)
        mailer = OutboxMailer(self.session, case, self.clock, actor.username)
        self._mailers.append(mailer)
        return {"case_store": store, "mailer": mailer,
                "documents": documents, "clock": self.clock, "settings": self.settings.handler_settings(),
                "instance": instance}

    def _advance(self, case: Case, instance: Instance, actor: Actor, step=None, actor_tasks=frozenset(),
                 inline: bool = False) -> None:
        """Do ``step`` (a person's answers, a message, a timer), then run until the case waits
        again, and save all of it in one transaction. With a queue, service tasks are left
        for the worker unless ``inline``."""
        before = {t.id for t in _completed(instance)}
        if step is not None:
            step()
        store = SqlCaseStore(self.session, case, self.clock)
        documents = DocumentStore(self.session, case, store.subject_name(), self.settings.documents_dir, self.clock)
        adapters = self._adapters(case, instance, documents, actor)

        deferred = []

        def execute(task: ExternalTask):
            if self.queue is not None and not inline:
                deferred.append(task)
                raise Deferred()
            savepoint = self.session.begin_nested()
            try:
                result = self.registry.run(task.topic, dict(task.data), **adapters) or {}
                savepoint.commit()
            except (StaleDataError, DBAPIError):
                raise  # the database, not the handler: the whole step fails
            except Exception as exc:
                savepoint.rollback()
                documents.discard_written()
                raise HandlerFailed(task, exc) from exc
            return result

        failure = None
        try:
            instance.run(execute)
        except Deferred:
            reference, by = case.reference, actor.username
            case.pending_since = self.clock.now()
            self._after_commit.append(lambda: self.queue.continue_case(reference, by))
        except HandlerFailed as exc:
            failure = exc
        except (StaleDataError, DBAPIError):
            self.session.rollback()
            documents.discard_written()
            raise
        except Exception as exc:
            self.session.rollback()
            documents.discard_written()
            self._record_model_error(case.id, actor, exc)
            raise StepFailed(f"the process could not continue: {exc}") from exc
        self._audit_steps(case, instance, before, actor, actor_tasks)
        if failure is not None:
            incidents.record_step_failure(self.session, case, failure.task, failure.error, self.clock.now(),
                                          self.settings.max_attempts)
            audit.record(self.session, case, SYSTEM, "step failed", task_id=failure.task.id,
                         task_bpmn_id=failure.task.bpmn_id, task_name=failure.task.name,
                         details={"topic": failure.task.topic, "error": str(failure.error)}, now=self.clock.now())
        elif case.open_step_incidents:
            incidents.resolve_for_case(self.session, case, self.clock.now())
        if inline or self.queue is None:
            case.pending_since = None
        self._save(case, instance)
        self._commit()

    def _record_model_error(self, case_id, actor, exc) -> None:
        case = self.session.get(Case, case_id)
        if case is None:  # a case that failed on its first step is not kept
            return
        self.session.add(Incident(case_id=case.id, error=f"{type(exc).__name__}: {exc}", at=self.clock.now(),
                                  next_retry_at=None))
        audit.record(self.session, case, actor, "step failed", details={"error": str(exc)}, now=self.clock.now())
        self.session.commit()

    def _audit_steps(self, case, instance, before, actor, actor_tasks) -> None:
        for task in _completed(instance):
            if task.id in before:
                continue
            spec = task.task_spec
            who = actor if str(task.id) in actor_tasks else SYSTEM
            parent_data = task.parent.data if task.parent is not None else {}
            changed = {k: v for k, v in task.data.items() if parent_data.get(k, _MISSING) != v}
            details = {"changed": changed}
            if who is SYSTEM and actor is not SYSTEM:
                details["on_behalf_of"] = actor.username
            audit.record(self.session, case, who, audit.action_for(spec), task_id=str(task.id),
                         task_bpmn_id=spec.bpmn_id, task_name=spec.bpmn_name or spec.bpmn_id, details=details,
                         now=self.clock.now())

    def _save(self, case: Case, instance: Instance) -> None:
        now = self.clock.now()
        ready = {t.id: t for t in instance.ready_tasks()}
        existing = {t.id: t for t in self.session.scalars(select(UserTask).where(UserTask.case_id == case.id))}
        for task_id, row in existing.items():
            if task_id not in ready:
                self.session.delete(row)
        for task_id, task in ready.items():
            if task_id in existing:
                # a migrated case keeps its task ids; what the diagram says of them may change
                row = existing[task_id]
                row.name, row.form, row.documentation = task.name, task.form, task.documentation
                row.candidate_groups, row.priority = task.groups, task.priority
                row.group = task.groups[0] if task.groups else None
                continue
            self.session.add(UserTask(
                id=task_id, case_id=case.id, bpmn_id=task.bpmn_id, name=task.name, process=task.process,
                candidate_groups=task.groups, group=task.groups[0] if task.groups else None,
                assignee=task.assignee, due_at=task.due_at, priority=task.priority, form=task.form,
                documentation=task.documentation, created_at=now))
        for timer in self.session.scalars(select(Timer).where(Timer.case_id == case.id)):
            self.session.delete(timer)
        for timer in instance.timers():
            self.session.add(Timer(case_id=case.id, task_id=timer.task_id, bpmn_id=timer.bpmn_id,
                                   name=timer.name, due_at=timer.due_at))
        data = instance.data()
        # the case record mirrors the answers a task list and a case page show
        for attr in ("case_owner", "custody_status"):
            if data.get(attr) and getattr(case, attr) != data[attr]:
                setattr(case, attr, data[attr])
        if instance.completed and case.state != "closed":
            case.state = "closed"
        if instance.completed:
            case.stage = "Concluded"
        case.instance_state = self.engine.dump(instance)
        case.updated_at = now

    def _commit(self) -> None:
        self.session.commit()
        pending, self._after_commit = self._after_commit, []
        for job in pending:
            job()
        wrote_email = any(mailer.written for mailer in self._mailers)
        self._mailers = []
        # only a step that wrote an email sends now; emails that failed before are retried on
        # their schedule (the worker's beat, or `acro outbox send`)
        if not wrote_email:
            return
        if self.queue is not None:
            self.queue.dispatch_outbox()
        else:
            self.dispatch_outbox()


_MISSING = object()


def _completed(instance: Instance):
    # the top workflow's task list includes its subprocesses' tasks
    tasks = [t for t in instance.workflow.get_tasks(state=TaskState.COMPLETED) if getattr(t.task_spec, "bpmn_id", None)]
    tasks.sort(key=lambda t: t.last_state_change)
    return tasks
