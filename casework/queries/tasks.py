"""Task queues: a person's or a team's ready tasks, their counts and kinds, a case's tasks,
and the API's filtered task list. They read the ``user_task`` table only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, false, func, or_, select, union

from ..models import Case, UserTask
from ..subjects import display_name as subject_name
from . import PAGE_SIZE, Page, page_of

# how a queue can be sorted: due date (soonest first, undated last), priority (highest
# first) and age (oldest first); each ends on the age so the order is stable
# "due" follows the queue indexes (group or assignee, due_at, created_at, id)
SORTS = {
    "due": (UserTask.due_at.asc().nulls_last(), UserTask.created_at, UserTask.id),
    "priority": (UserTask.priority.desc().nulls_last(), UserTask.due_at.asc().nulls_last(), UserTask.id),
    "age": (UserTask.created_at, UserTask.id),
}


def _queue_filter(*, assignee: str | None = None, group: str | None = None):
    if assignee is not None:
        return UserTask.assignee == assignee
    if group is not None:
        # a task's first candidate group is its queue (every task in the diagrams has one)
        return UserTask.group == group
    raise ValueError("a queue is a person's (assignee) or a team's (group)")


def queue(
    session,
    *,
    now: datetime,
    assignee: str | None = None,
    group: str | None = None,
    task: str | None = None,
    overdue: bool = False,
    sort: str = "due",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """One page of a person's or a team's ready tasks, with their cases."""
    conditions = [_queue_filter(assignee=assignee, group=group)]
    if task:
        conditions.append(UserTask.bpmn_id == task)
    if overdue:
        conditions.append(UserTask.due_at < now)
    query = (
        select(UserTask, Case.reference, Case.referral, Case.stage)
        .join(Case, Case.id == UserTask.case_id)
        .where(*conditions)
        .order_by(*SORTS.get(sort, SORTS["due"]))
    )
    result = page_of(
        session, query, select(func.count()).select_from(UserTask).where(*conditions), page, size, scalars=False
    )
    result.items = [
        {
            "task": t,
            "reference": reference,
            "subject": subject_name(referral),
            "stage": stage,
            "overdue": bool(t.due_at and t.due_at < now),
        }
        for t, reference, referral, stage in result.items
    ]
    return result


def counts(session, *, now: datetime, username: str, groups) -> dict:
    """``{"mine": (all, overdue), group: (all, overdue, unassigned), ...}``."""

    def count(*conditions):
        return session.scalar(select(func.count()).select_from(UserTask).where(*conditions))

    mine = UserTask.assignee == username
    result = {"mine": (count(mine), count(mine, UserTask.due_at < now))}
    for group in groups:
        in_group = UserTask.group == group
        result[group] = (
            count(in_group),
            count(in_group, UserTask.due_at < now),
            count(in_group, UserTask.assignee.is_(None)),
        )
    return result


def kinds(session, *, assignee: str | None = None, group: str | None = None) -> list[tuple[str, str]]:
    """The kinds of task (id, name) in a queue now, for its filter."""
    rows = session.execute(
        select(UserTask.bpmn_id, UserTask.name).where(_queue_filter(assignee=assignee, group=group)).distinct()
    ).all()
    return sorted({(b, n) for b, n in rows}, key=lambda x: x[1])


def of_case(session, case_id: int) -> list[UserTask]:
    return list(
        session.scalars(select(UserTask).where(UserTask.case_id == case_id).order_by(UserTask.created_at, UserTask.id))
    )


def visible(
    session,
    *,
    actor,
    now: datetime,
    group: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    case_reference: str | None = None,
    task: str | None = None,
    overdue: bool = False,
    sort: str = "due",
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """Ready tasks the caller may see (their groups' and their own; an administrator sees all)."""
    conditions = []
    if group:
        conditions.append(UserTask.group == group)
    if assignee:
        conditions.append(UserTask.assignee == assignee)
    if unassigned:
        conditions.append(UserTask.assignee.is_(None))
    if case_reference:
        conditions.append(UserTask.case_id.in_(select(Case.id).where(Case.reference == case_reference.strip().upper())))
    if task:
        conditions.append(UserTask.bpmn_id == task)
    if overdue:
        conditions.append(UserTask.due_at < now)
    order = SORTS.get(sort, SORTS["due"])
    if actor.is_admin:
        query = select(UserTask).where(*conditions).order_by(*order)
        return page_of(session, query, select(func.count()).select_from(UserTask).where(*conditions), page, size)
    # "my groups' or mine" as one query per group and one for the assignee, each read in the
    # order of its index (group or assignee, due_at, created_at, id) and cut at the page's end:
    # an OR of the two made PostgreSQL read and sort every matching row for each page
    # (issue 14). The page is the first rows of their union, in the same order.
    groups = sorted(actor.groups)
    end = max(1, page) * size
    branches = [UserTask.group == g for g in groups] + [UserTask.assignee == actor.username]
    firsts = union(
        *(select(select(UserTask.id).where(b, *conditions).order_by(*order).limit(end).subquery()) for b in branches)
    ).subquery()
    query = select(UserTask).where(UserTask.id.in_(select(firsts.c.id))).order_by(*order)
    # the count in two parts, each of which an index answers: my groups', and mine outside them
    in_groups = UserTask.group.in_(groups) if groups else false()
    mine_elsewhere = and_(UserTask.assignee == actor.username, or_(UserTask.group.is_(None), ~in_groups))
    count = select(
        select(func.count()).select_from(UserTask).where(in_groups, *conditions).scalar_subquery()
        + select(func.count()).select_from(UserTask).where(mine_elsewhere, *conditions).scalar_subquery()
    )
    return page_of(session, query, count, page, size)
