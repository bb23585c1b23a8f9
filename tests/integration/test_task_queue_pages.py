"""The API's default task list, "my groups' tasks and mine", read as one index-ordered query
per group and one for the assignee (issue 14): every page holds what the plain OR of the two
gave, in the same order, and the count is the same."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete

from casework.models import Case, UserTask
from casework.permissions import Actor
from casework.queries import tasks as task_queries
from webapp.db import db

GROUPS = ("cc-workflow", "cc-casework", "senior-caseworker", None)


@pytest.fixture
def rows(app, make_case):
    reference = make_case()
    rng = random.Random(14)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        case = db.session.query(Case).filter_by(reference=reference).one()
        db.session.execute(delete(UserTask))
        made = []
        for n in range(90):
            group = rng.choice(GROUPS)
            made.append(
                UserTask(
                    id=f"00000000-0000-4000-8000-{n:012d}",
                    case_id=case.id,
                    bpmn_id=rng.choice(("check_certificate", "establish_whereabouts")),
                    name="A task",
                    process="acro_referral",
                    candidate_groups=[group] if group else [],
                    group=group,
                    assignee=rng.choice((None, None, "carl", "wendy")),
                    due_at=rng.choice((None, start + timedelta(days=rng.randint(0, 5)))),
                    priority=rng.choice((None, 50, 80)),
                    created_at=start + timedelta(minutes=rng.randint(0, 3)),
                    form={},
                )
            )
        db.session.add_all(made)
        db.session.commit()
        yield [(t.id, t.group, t.assignee, t.due_at, t.created_at, t.priority, t.bpmn_id) for t in made]


def expected(rows, actor, sort, **match):
    seen = [r for r in rows if r[1] in actor.groups or r[2] == actor.username]
    if "task" in match:
        seen = [r for r in seen if r[6] == match["task"]]
    if match.get("unassigned"):
        seen = [r for r in seen if r[2] is None]
    far = datetime.max.replace(tzinfo=UTC)
    keys = {
        "due": lambda r: (r[3] or far, r[4], r[0]),
        "age": lambda r: (r[4], r[0]),
        "priority": lambda r: (-(r[5] if r[5] is not None else -1), r[3] or far, r[0]),
    }
    return [r[0] for r in sorted(seen, key=keys[sort])]


@pytest.mark.parametrize("sort", ["due", "age", "priority"])
@pytest.mark.parametrize("match", [{}, {"task": "check_certificate"}, {"unassigned": True}])
def test_every_page_of_my_groups_and_mine_is_the_or_of_the_two_in_order(app, rows, sort, match):
    carl = Actor("carl", groups=frozenset({"cc-casework", "senior-caseworker"}))
    want = expected(rows, carl, sort, **match)
    with app.app_context():
        got, page = [], 1
        while True:
            result = task_queries.visible(
                db.session, actor=carl, now=datetime(2026, 1, 3, tzinfo=UTC), sort=sort, page=page, size=7, **match
            )
            assert result.total == len(want)
            if not result.items:
                break
            got += [t.id for t in result.items]
            page += 1
    assert got == want and len(want) > 14
