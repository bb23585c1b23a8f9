"""The step runner: do one step on a case's workflow (a person's answers, a message, a due
timer), run the engine and the handlers until the case waits again, and save all of it (the
instance state, the ready tasks, the timers, the case record, the audit entries) in the
caller's unit of work.

The handlers of a step run on one savepoint. A handler that fails is rolled back alone (the
step is done again with a savepoint per handler): the case stays at that service task with an
incident, and the handlers before it keep their work. A model error (the engine itself fails)
rolls the whole step back.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from engine.instance import CASE_OUTCOME, CASE_STATE, LOCAL_STEPS, ExternalTask, Instance

from .. import audit, incidents
from ..documents import DocumentStore
from ..errors import StepFailed
from ..models import Case, Incident, Note, Timer, UserTask
from ..outbox import OutboxMailer
from ..permissions import SYSTEM, Actor
from ..restored import WORKFLOWS
from ..store import SqlCaseStore


class Deferred(Exception):
    """A service task is left for the background worker."""


class HandlerFailed(Exception):
    def __init__(self, task: ExternalTask, error: Exception, calls: int = 0):
        super().__init__(f"{task.topic} failed: {error}")
        self.task = task
        self.error = error
        self.calls = calls  # the handlers of its run that went through before it


class ProcessData:
    """The one thing a handler may do to the workflow itself: erase variables everywhere
    (WF-2 destruction), without being handed the workflow."""

    def __init__(self, instance: Instance):
        self._instance = instance

    def erase(self, keys) -> None:
        self._instance.erase_data(keys)


class StepRunner:
    def __init__(self, uow, engine, registry, settings, *, queue=None, dispatch=None):
        self.uow = uow
        self.session = uow.session
        self.engine = engine
        self.registry = registry
        self.settings = settings
        # with a queue (the Celery worker), service tasks and emails leave the web request;
        # without one (the embedded mode) they run in it
        self.queue = queue
        self.dispatch = dispatch
        self._wrote_email = False  # whether the step's last run of the handlers wrote an email

    @property
    def clock(self):
        return self.engine.clock

    def advance(
        self,
        case: Case,
        instance: Instance,
        actor: Actor,
        step=None,
        actor_tasks=frozenset(),
        inline: bool = False,
        answers: dict | None = None,
        resync: bool = False,
    ) -> None:
        """Do ``step``, run until the case waits again, and save it all; the caller commits.
        With a queue, service tasks are left for the worker unless ``inline``. ``answers`` are
        what the person gave each of ``actor_tasks`` (by task id), kept on its audit entry.
        ``resync``: rewrite every task and timer row from the workflow (a case moved to another
        process version keeps its task ids, but what the diagram says of them may change)."""
        before = instance.completed_task_ids()
        # the case's task and timer rows are what the workflow waited on when it was saved, so
        # the rows to touch are the difference from what it waits on after the step
        saved = None if resync else (set(instance.ready_task_ids()), {t.task_id: t for t in instance.timers()})
        if step is not None:
            step()
        deferred = self.queue is not None and not inline
        produced: dict[str, list[int]] = {}  # the documents each service task wrote, by task id
        failure = None
        savepoint = None
        try:
            if deferred:
                self._run(case, instance, actor, produced, deferred=True)
            else:
                # One savepoint for the whole run: one per service task flushed the session and
                # cost two statements each time, so a step's writes went out row by row. When a
                # handler fails (rare), the run is undone and done again from the same state with
                # a savepoint per service task, so the handlers before the failing one keep their
                # work and the case stays at the failing one, which is not called again: the
                # engine takes the same path, and its failure is given where it happened.
                snapshot = self.engine.dump(instance)
                savepoint = self.session.begin_nested()
                try:
                    self._run(case, instance, actor, produced)
                except HandlerFailed as first:
                    savepoint.rollback()
                    savepoint = None
                    instance.workflow = self.engine.restore(instance.bundle, snapshot).workflow
                    produced.clear()
                    self._run(case, instance, actor, produced, guarded=True, replay=first)
        except Deferred:
            reference, by = case.reference, actor.username
            case.pending_since = self.clock.now()
            self.uow.after_commit(lambda: self.queue.continue_case(reference, by))
        except HandlerFailed as exc:
            failure = exc
        except (StaleDataError, DBAPIError):
            raise
        except Exception as exc:
            case_id = case.id
            self.uow.rollback()
            self._record_model_error(case_id, actor, exc)
            raise StepFailed(f"the process could not continue: {exc}") from exc
        entries = self._audit_steps(case, instance, before, actor, actor_tasks, answers or {}, produced)
        if failure is not None:
            incidents.record_step_failure(
                self.session, case, failure.task, failure.error, self.clock.now(), self.settings.max_attempts
            )
            entries.append(
                audit.entry(
                    case,
                    SYSTEM,
                    "step failed",
                    task_id=failure.task.id,
                    task_bpmn_id=failure.task.bpmn_id,
                    task_name=failure.task.name,
                    details={"topic": failure.task.topic, "error": str(failure.error)},
                    now=self.clock.now(),
                )
            )
        elif case.open_step_incidents:
            incidents.resolve_for_case(self.session, case, self.clock.now())
        if not deferred:
            case.pending_since = None
        self._save(case, instance, saved)
        # last, so that the flush before it writes the case record once, with all of the step
        audit.record_many(self.session, entries)
        if savepoint is not None:
            savepoint.commit()  # released after the save: a release flushes the session
        if self._wrote_email and self.dispatch is not None:
            # only a step that wrote an email sends now; emails that failed before are
            # retried on their schedule (the worker's beat, or `acro outbox send`)
            self.uow.after_commit(self.dispatch)

    def _run(self, case, instance, actor, produced, *, deferred=False, guarded=False, replay=None) -> None:
        """Run the engine and the handlers until the case waits; a handler's failure raises
        HandlerFailed. ``guarded``: each handler on a savepoint of its own, rolled back if it
        fails. ``replay``: the failure of an earlier run, raised again at the same call."""
        store = SqlCaseStore(self.session, case, self.clock, actor=actor.username)
        documents = DocumentStore(self.session, case, store.subject_name(), self.settings.documents_dir, self.clock)
        self.uow.on_rollback(documents.discard_written)
        mailer = OutboxMailer(self.session, case, self.clock, actor.username, addresses=self.settings.addresses)
        # FD-1: what a handler discloses is attributed to the person whose step caused it
        adapters = {
            "case_store": store,
            "mailer": mailer,
            "documents": documents,
            "clock": self.clock,
            "settings": self.settings.handler_settings(),
            "process_data": ProcessData(instance),
        }
        calls = 0  # handlers that went through in this run

        def execute(task: ExternalTask):
            nonlocal calls
            if deferred:
                raise Deferred()
            if replay is not None and calls == replay.calls:
                raise HandlerFailed(task, replay.error, calls)
            savepoint = self.session.begin_nested() if guarded else None
            created_before, written_before = len(documents.created), len(documents.written)
            try:
                result = self.registry.run(task.topic, dict(task.data), **adapters, wording=task.properties) or {}
                # a result the diagram does not declare fails here, before the handler's work is kept
                task.process_variables(result)
                if savepoint is not None:
                    savepoint.commit()
            except (StaleDataError, DBAPIError):
                raise  # the database, not the handler: the whole step fails
            except Exception as exc:
                if savepoint is not None:
                    savepoint.rollback()
                    # only this handler's files: the rows of those before it stay
                    documents.discard_written(since=written_before)
                else:
                    documents.discard_written()
                raise HandlerFailed(task, exc, calls) from exc
            produced[task.id] = documents.created[created_before:]
            calls += 1
            return result

        try:
            instance.run(execute)
        finally:
            self._wrote_email = mailer.written

    def _record_from_model(self, case: Case, task) -> None:
        """What the diagram says a step records on the case (properties ``case_outcome`` and
        ``case_state`` on the element), so outcomes are the analysts' to write, not code's; and
        for a step standing for a restricted section (``local_steps``), the local text the
        operator configured, so the team sees what to do where the public guidance is silent."""
        outcome = task.properties.get(CASE_OUTCOME)
        state = task.properties.get(CASE_STATE)
        section = task.properties.get(LOCAL_STEPS)
        if section:
            text = self.settings.restricted_steps.get(section)
            note = (
                f"{task.name}: {text}"
                if text
                else f"{task.name}: no local steps are configured for this restricted section ({section})."
            )
            self.session.add(Note(case_id=case.id, text=note, author="system", at=self.clock.now()))
        if state is not None and state != case.state:
            case.state = state
        if outcome is not None and outcome != case.outcome:
            case.outcome = outcome
            self.session.add(
                Note(case_id=case.id, text=f"Outcome recorded: {outcome}.", author="system", at=self.clock.now())
            )

    def _record_model_error(self, case_id, actor, exc) -> None:
        case = self.session.get(Case, case_id)
        if case is None:  # a case that failed on its first step is not kept
            return
        self.session.add(
            Incident(case_id=case.id, error=f"{type(exc).__name__}: {exc}", at=self.clock.now(), next_retry_at=None)
        )
        audit.record(self.session, case, actor, "step failed", details={"error": str(exc)}, now=self.clock.now())
        self.uow.commit()

    def _audit_steps(self, case, instance, before, actor, actor_tasks, answers, produced) -> list[dict]:
        entries = []
        for task in instance.completed_tasks():
            if task.id in before:
                continue
            self._record_from_model(case, task)
            who = actor if task.id in actor_tasks else SYSTEM
            details = {"changed": task.changed}
            # what the decision record shows: the answers as given (``changed`` leaves out an
            # answer equal to what the case held before), the route a gateway took, the
            # documents a step wrote
            if task.id in answers:
                details["answers"] = answers[task.id]
            if task.route:
                details["route"] = task.route
            if produced.get(task.id):
                details["documents"] = produced[task.id]
            if who is SYSTEM and actor is not SYSTEM:
                details["on_behalf_of"] = actor.username
            entries.append(
                audit.entry(
                    case,
                    who,
                    task.action,
                    task_id=task.id,
                    task_bpmn_id=task.bpmn_id,
                    task_name=task.name,
                    details=details,
                    now=self.clock.now(),
                )
            )
        return entries

    def _save(self, case: Case, instance: Instance, saved=None) -> None:
        """Write the step's end state. ``saved``: the ready task ids and the timers the rows held
        before the step (None: read the rows and rewrite them all)."""
        now = self.clock.now()
        ready = {t.id: t for t in instance.ready_tasks()}
        timers = {t.task_id: t for t in instance.timers()}
        with self.session.no_autoflush:  # the case record is written once, at the end
            if saved is None:
                self._resync_rows(case, ready, timers)
            else:
                rows_ready, rows_timers = saved
                gone = rows_ready - ready.keys()
                if gone:
                    self.session.execute(delete(UserTask).where(UserTask.id.in_(gone)))
                new = [task for task_id, task in ready.items() if task_id not in rows_ready]
                if new:
                    self.session.add_all([self._task_row(case, task, now) for task in new])
                stale = [task_id for task_id, timer in rows_timers.items() if timers.get(task_id) != timer]
                if stale:
                    self.session.execute(delete(Timer).where(Timer.case_id == case.id, Timer.task_id.in_(stale)))
                self.session.add_all(
                    [self._timer_row(case, t) for task_id, t in timers.items() if rows_timers.get(task_id) != t]
                )
        data = instance.data()
        # the case record mirrors what task lists and the case page show, so they never
        # restore a workflow to say it
        for attr in ("case_owner", "custody_status", "detention_power"):
            if data.get(attr) and getattr(case, attr) != data[attr]:
                setattr(case, attr, data[attr])
        waiting = instance.waiting_messages()
        if case.waiting_for != waiting:
            case.waiting_for = waiting
        # the stage is the wait state's to say (its case_stage property), so it is never stale
        stage = "Concluded" if instance.completed else instance.stage()
        if stage and case.stage != stage:
            case.stage = stage
        if instance.completed and case.state != "closed":
            case.state = "closed"
        state = self.engine.dump(instance)
        case.instance_state = state
        case.updated_at = now
        case_id, bundle, workflow = case.id, instance.bundle, instance.workflow
        self.uow.after_commit(lambda: WORKFLOWS.keep(case_id, bundle, state, workflow))

    def _resync_rows(self, case: Case, ready: dict, timers: dict) -> None:
        now = self.clock.now()
        existing = {t.id: t for t in self.session.scalars(select(UserTask).where(UserTask.case_id == case.id))}
        for task_id, row in existing.items():
            if task_id not in ready:
                self.session.delete(row)
        for task_id, task in ready.items():
            if task_id in existing:
                row = existing[task_id]
                row.name, row.form, row.documentation = task.name, task.form, task.documentation
                row.candidate_groups, row.priority = task.groups, task.priority
                row.group = task.groups[0] if task.groups else None
            else:
                self.session.add(self._task_row(case, task, now))
        for row in self.session.scalars(select(Timer).where(Timer.case_id == case.id)):
            self.session.delete(row)
        self.session.add_all([self._timer_row(case, t) for t in timers.values()])

    @staticmethod
    def _task_row(case: Case, task, now) -> UserTask:
        return UserTask(
            id=task.id,
            case_id=case.id,
            bpmn_id=task.bpmn_id,
            name=task.name,
            process=task.process,
            candidate_groups=task.groups,
            group=task.groups[0] if task.groups else None,
            assignee=task.assignee,
            due_at=task.due_at,
            priority=task.priority,
            form=task.form,
            documentation=task.documentation,
            created_at=now,
        )

    @staticmethod
    def _timer_row(case: Case, timer) -> Timer:
        return Timer(
            case_id=case.id, task_id=timer.task_id, bpmn_id=timer.bpmn_id, name=timer.name, due_at=timer.due_at
        )
