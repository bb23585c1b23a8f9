"""Who may do what: one policy, asked by the pages, the API, the intake pages and the command
line alike.

A person's groups come from their roles (``ROLE_GROUPS``); a user task's candidate groups come
from the diagram. Working on a task (claiming, completing) needs membership of one of its
candidate groups, always: being its assignee is not enough, so an administrator who was
assigned a task still cannot decide it. Taking a claimed task from its assignee is for the
assignee, a supervisor of that team (``SUPERVISOR_GROUPS``, e.g. senior caseworkers for the
casework team) or an administrator; an administrator manages queues but decides nothing
outside their own groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Forbidden

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (with the groups their roles give) or the system."""

    username: str
    groups: frozenset = field(default_factory=frozenset)
    roles: frozenset = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


SYSTEM = Actor("system")


def actor_for(username: str, roles, role_groups: dict) -> Actor:
    """The actor a person with ``roles`` is: their groups follow from the roles (configuration)."""
    groups = {g for role in roles or () for g in role_groups.get(role, [])}
    return Actor(username, frozenset(groups), frozenset(roles or ()))


def _groups(task) -> set:
    return set(getattr(task, "candidate_groups", None) or [])


class Policy:
    """The permission rules, from configuration (``casework.config.Settings``)."""

    def __init__(
        self,
        *,
        role_groups: dict,
        referral_groups=("cc-workflow",),
        supervisor_groups=None,
        event_default_groups=("cc-casework",),
        intake_problem_groups=("cc-workflow",),
        analyst_groups=("process-analysts",),
    ):
        self.role_groups = role_groups
        self.referral_groups = frozenset(referral_groups)
        self.analyst_groups = frozenset(analyst_groups)
        # team group -> the group whose members supervise it (may reassign its claimed tasks)
        self.supervisor_groups = dict(supervisor_groups or {})
        self.event_default_groups = frozenset(event_default_groups)
        self.intake_problem_groups = frozenset(intake_problem_groups)

    @classmethod
    def from_settings(cls, settings) -> Policy:
        return cls(
            role_groups=settings.role_groups,
            referral_groups=settings.referral_groups,
            supervisor_groups=settings.supervisor_groups,
            event_default_groups=settings.event_default_groups,
            intake_problem_groups=settings.intake_problem_groups,
            analyst_groups=settings.analyst_groups,
        )

    # -- what a person may see and enter ------------------------------------------------
    def may(self, permission: str, actor: Actor | None) -> bool:
        """A named permission, for menus and page guards (``may('submit_referral')``)."""
        if actor is None:
            return False
        return getattr(self, f"may_{permission}")(actor)

    def _works_cases(self, actor: Actor) -> bool:
        # a group that works cases; analysts change the process, they do not read its cases
        return bool(actor.groups - self.analyst_groups)

    def may_view_cases(self, actor: Actor) -> bool:
        # cases, search and tasks: anyone who works in a case-working group
        return self._works_cases(actor)

    def may_work_tasks(self, actor: Actor) -> bool:
        return self._works_cases(actor)

    def may_list_tasks(self, actor: Actor) -> bool:
        return self._works_cases(actor) or actor.is_admin

    def may_view_dashboard(self, actor: Actor) -> bool:
        return True

    def may_submit_referral(self, actor: Actor) -> bool:
        # the intake team (INT-2)
        return bool(actor.groups & self.referral_groups)

    def may_manage_tasks(self, actor: Actor) -> bool:
        # every team's queue, releasing and reassigning anyone's task
        return actor.is_admin

    def may_operate(self, actor: Actor) -> bool:
        # incidents, data-protection exports
        return actor.is_admin

    # the process workbench (/processes): analysts edit drafts, publish versions and move
    # running cases to them; nobody else does
    def may_edit_process(self, actor: Actor) -> bool:
        return bool(actor.groups & self.analyst_groups)

    def may_publish_process(self, actor: Actor) -> bool:
        return bool(actor.groups & self.analyst_groups)

    def may_move_cases(self, actor: Actor) -> bool:
        return bool(actor.groups & self.analyst_groups)

    def may_see_intake_problems(self, actor: Actor) -> bool:
        return bool(actor.groups & self.intake_problem_groups) or actor.is_admin

    def may_record_event(self, actor: Actor, groups=()) -> bool:
        """Recording what a case waits for (a message): ``groups`` are its catch event's
        candidate groups; where the model names none, the default event groups."""
        return bool(actor.groups & (frozenset(groups) or self.event_default_groups))

    def queues(self, actor: Actor) -> list[str]:
        """The team queues a person sees: their own groups; every group for an administrator."""
        if self.may_manage_tasks(actor):
            return sorted({g for gs in self.role_groups.values() for g in gs})
        return sorted(actor.groups)

    # -- tasks --------------------------------------------------------------------------
    def may_work_on(self, actor: Actor, task) -> bool:
        """Claim or complete ``task``: a member of one of its candidate groups, whoever holds it."""
        return bool(_groups(task) & actor.groups)

    def check_work_on(self, actor: Actor, task) -> None:
        if not self.may_work_on(actor, task):
            raise Forbidden(
                f"{task.name} is for {', '.join(sorted(_groups(task))) or 'no group'}; "
                f"{actor.username} is not in that group"
            )

    def may_open_task(self, actor: Actor, task) -> bool:
        """See the task's page: those who work on it, and administrators (to manage it)."""
        return self.may_work_on(actor, task) or self.may_manage_tasks(actor)

    def _supervises(self, actor: Actor, task) -> bool:
        return any(self.supervisor_groups.get(g) in actor.groups and g in actor.groups for g in _groups(task))

    def may_release(self, actor: Actor, task) -> bool:
        holder = getattr(task, "assignee", None)
        if holder is None:
            return False
        return actor.username == holder or self._supervises(actor, task) or self.may_manage_tasks(actor)

    def may_reassign(self, actor: Actor, task) -> bool:
        """Give ``task`` to someone: a team member while nobody holds it; once claimed, only its
        assignee, a supervisor of the team or an administrator."""
        if getattr(task, "assignee", None) is None:
            return self.may_work_on(actor, task) or self.may_manage_tasks(actor)
        return self.may_release(actor, task)

    def check_reassign(self, actor: Actor, task, to: Actor) -> None:
        if not self.may_reassign(actor, task):
            holder = task.assignee
            raise Forbidden(
                f"{task.name} is held by {holder}; only {holder}, a supervisor of the team "
                f"or an administrator can give it to someone else"
            )
        if not self.may_work_on(to, task):
            raise Forbidden(f"{to.username} is not in the team that does {task.name}")
