"""People's work on user tasks: claiming, releasing, assigning and completing them. Who may
do which is the permission policy's (casework/permissions.py) to say."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from engine.instance import USER_IN_GROUP, AnswersRefused, NotWaiting

from .. import audit, dpa, forms
from ..errors import Conflict, Forbidden, InvalidAnswers, NotFound
from ..models import AuditEntry, Case, User, UserTask
from ..permissions import Actor, actor_for


def _done(entry: AuditEntry) -> Conflict:
    return Conflict(
        f"{entry.task_name} was already done by {entry.actor} at {entry.at:%d %B %Y %H:%M}",
        by=entry.actor,
        at=entry.at,
        element=entry.task_bpmn_id,
    )


class TaskActions:
    # -- finding a task -------------------------------------------------------------------
    def user_task(self, case: Case, task_id: str) -> UserTask:
        """A task waiting on ``case``; Conflict (who did it, when) if it is already done."""
        task = self.session.get(UserTask, str(task_id)) if len(str(task_id)) <= 36 else None
        if task is not None and task.case_id == case.id:
            return task
        done = self._completion(task_id, case)
        if done is not None:
            raise _done(done)
        raise NotFound(f"case {case.reference} has no task {task_id} waiting")

    def find_task(self, task_id: str) -> UserTask:
        """A waiting task by its id alone; says who did it, and when, if it is already done."""
        # with its case's reference, which every caller asks for next
        task = (
            self.session.get(UserTask, str(task_id), options=[joinedload(UserTask.case).load_only(Case.reference)])
            if len(str(task_id)) <= 36
            else None
        )
        if task is not None:
            return task
        done = self._completion(task_id)
        if done is not None:
            raise _done(done)
        raise NotFound(f"there is no task {task_id} waiting")

    def _completion(self, task_id: str, case: Case | None = None) -> AuditEntry | None:
        query = select(AuditEntry).where(AuditEntry.task_id == str(task_id)[:36], AuditEntry.action == "task completed")
        if case is not None:
            query = query.where(AuditEntry.case_id == case.id)
        return self.session.scalars(query).first()

    def may_act(self, task: UserTask, actor: Actor) -> bool:
        """Whether ``actor`` may work on ``task`` (claim and complete it)."""
        return self.policy.may_work_on(actor, task)

    # -- claim, release, assign -------------------------------------------------------------
    def claim_task(self, reference: str, task_id: str, actor: Actor) -> UserTask:
        with self.uow:
            case = self.case(reference, for_update=True)
            task = self.user_task(case, task_id)
            self.policy.check_work_on(actor, task)
            now = self.clock.now()
            # one conditional UPDATE: of two people claiming at once, exactly one wins
            claimed = self.session.execute(
                update(UserTask)
                .where(UserTask.id == task.id, (UserTask.assignee.is_(None)) | (UserTask.assignee == actor.username))
                .values(assignee=actor.username, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                self.uow.rollback()
                current = self.session.get(UserTask, task_id, populate_existing=True)
                if current is None:
                    return self.user_task(case, task_id)  # raises: done meanwhile
                raise Conflict(
                    f"{current.name} was claimed by {current.assignee}"
                    + (f" at {current.claimed_at:%d %B %Y %H:%M}" if current.claimed_at else ""),
                    by=current.assignee,
                    at=current.claimed_at,
                )
            audit.record(
                self.session,
                case,
                actor,
                "task claimed",
                task_id=task.id,
                task_bpmn_id=task.bpmn_id,
                task_name=task.name,
                now=now,
            )
            self.uow.commit()
        self.session.refresh(task)
        return task

    def release_task(self, reference: str, task_id: str, actor: Actor) -> UserTask:
        with self.uow:
            case = self.case(reference, for_update=True)
            task = self.user_task(case, task_id)
            if not self.policy.may_release(actor, task):
                raise Forbidden(
                    f"only {task.assignee or 'the assignee'}, a supervisor of the team or an "
                    f"administrator can release {task.name}"
                )
            task.assignee = None
            task.claimed_at = None
            audit.record(
                self.session,
                case,
                actor,
                "task released",
                task_bpmn_id=task.bpmn_id,
                task_name=task.name,
                now=self.clock.now(),
            )
            self.uow.commit()
        return task

    def assign_task(self, reference: str, task_id: str, to: Actor, actor: Actor) -> UserTask:
        """Give a task to ``to``, who must be able to work on it."""
        with self.uow:
            case = self.case(reference, for_update=True)
            task = self.user_task(case, task_id)
            self.policy.check_reassign(actor, task, to)
            task.assignee = to.username
            task.claimed_at = self.clock.now()
            audit.record(
                self.session,
                case,
                actor,
                "task assigned",
                task_bpmn_id=task.bpmn_id,
                task_name=task.name,
                details={"assignee": to.username},
                now=self.clock.now(),
            )
            self.uow.commit()
        return task

    def colleague(self, username: str) -> Actor | None:
        """The active user called ``username`` as an actor (for assigning), or None."""
        user = self.session.scalars(
            select(User).where(User.username == (username or "").strip().lower(), User.active.is_(True))
        ).first()
        return actor_for(user.username, user.roles, self.settings.role_groups) if user else None

    # -- completing -----------------------------------------------------------------------
    def complete_task(self, reference: str, task_id: str, answers: dict, actor: Actor) -> Case:
        """A person's answers to a user task; validated against the task's form."""
        with self.uow:
            case = self.case(reference, for_step=True)
            task = self.user_task(case, task_id)
            self.policy.check_work_on(actor, task)
            if task.assignee and task.assignee != actor.username:
                raise Conflict(f"{task.name} is assigned to {task.assignee}", by=task.assignee, at=task.claimed_at)
            try:
                cleaned = forms.clean(task.form, answers, today=self.clock.now().date())
            except forms.ValidationError as exc:
                raise InvalidAnswers(exc.messages) from None
            self._check_people(task.form, cleaned)
            instance = self.instance(case)
            dpa.log(
                self.session,
                case,
                actor.username,
                "change",
                task.name,
                self.clock.now(),
                {"task": task.bpmn_id, "fields": sorted(cleaned)},
            )
            try:
                self.steps.advance(
                    case,
                    instance,
                    actor,
                    lambda: instance.complete_user_task(task_id, cleaned),
                    actor_tasks={task_id},
                    answers={task_id: cleaned},
                )
                self.uow.commit()
            except AnswersRefused as exc:
                self.uow.rollback()
                raise InvalidAnswers(exc.messages) from None
            except (NotWaiting, StaleDataError, OperationalError):
                # another request moved the case first (its revision changed, or SQLite's writer
                # lock timed out waiting for it)
                self.uow.rollback()
                self.user_task(self.case(reference), task_id)
                raise Conflict("this case was changed by someone else at the same time; reload it") from None
        return case

    def _check_people(self, form: dict, answers: dict) -> None:
        """A field that names a person (property ``user_in_group``) must name an active user
        who works in that group: a case owner who does not exist would own nothing."""
        problems = {}
        for field in form.get("fields", []):
            group = (field.get("properties") or {}).get(USER_IN_GROUP)
            name = answers.get(field["id"])
            if not group or not name:
                continue
            person = self.colleague(str(name))
            if person is None or group not in person.groups:
                problems[field["id"]] = [f"There is no active user called {name} in {group}."]
            else:
                answers[field["id"]] = person.username
        if problems:
            raise InvalidAnswers(problems)
