"""Which questions of a form are asked: a form field's ``asked_if`` property.

An analyst writes the condition in Camunda Modeler (form field, Properties: ``asked_if`` =
``custody_status == "serving_sentence"``). It is an expression over the case's process
variables and the form's own answers, run by the safe evaluator (engine/expressions.py). A
question whose condition is false is not asked: the page does not show it, the server does
not require it and refuses an answer to it, and the answer is recorded as empty (None), so a
later condition reads "not answered" and an answer from an earlier pass does not linger.

A form's own answer wins over a process variable of the same name. A name the case has not
set yet reads as None. A condition that fails to evaluate asks the question: asking too much
costs a click, refusing a needed answer loses it.
"""

from __future__ import annotations

import ast
import functools

from .expressions import FUNCTIONS, ExpressionError, check, evaluate

ASKED_IF = "asked_if"


@functools.lru_cache(maxsize=1024)
def names_in(expression: str) -> frozenset[str]:
    """The variable names an expression reads (not the functions it calls, nor the names a
    comprehension binds)."""
    tree = ast.parse(check(expression), mode="eval")
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return frozenset(
        n.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id not in bound
        if not (n.id in called and n.id in FUNCTIONS)
    )


def condition_of(field: dict) -> str | None:
    """The field's ``asked_if`` condition, or None when it is always asked."""
    value = ((field.get("properties") or {}).get(ASKED_IF) or "").strip()
    return value or None


def holds(condition: str, names: dict) -> bool:
    """Whether ``condition`` is true over ``names``; unset names read as None."""
    try:
        scope = dict.fromkeys(names_in(condition))
        scope.update(names)
        return bool(evaluate(condition, scope))
    except ExpressionError:
        return True


def case_data_for(fields: list[dict], data: dict) -> dict:
    """The process variables the form's conditions read (not its own fields), from ``data``:
    what a page or an API client needs to know which questions are asked, and nothing more."""
    own = {f["id"] for f in fields}
    wanted = set()
    for field in fields:
        condition = condition_of(field)
        if condition:
            try:
                wanted |= names_in(condition) - own
            except ExpressionError:
                continue  # acro validate names the bad condition
    return {name: data[name] for name in sorted(wanted) if name in data}


def asked_fields(form: dict, names: dict) -> set[str]:
    """The ids of the questions asked, given ``names`` (the case's variables and the answers).

    A question that is not asked counts as unanswered in the conditions of the others, so a
    question asked only after another one that is itself not asked is not asked either.
    """
    fields = form.get("fields") or []
    conditions = {f["id"]: c for f in fields if (c := condition_of(f))}
    scope = {**names, **{f["id"]: names.get(f["id"]) for f in fields}}
    asked = {f["id"] for f in fields}
    for _ in range(len(conditions) + 1):
        changed = False
        for fid, condition in conditions.items():
            now = holds(condition, scope)
            if now != (fid in asked):
                changed = True
                asked.symmetric_difference_update({fid})
            scope[fid] = names.get(fid) if now else None
        if not changed:
            break
    return asked
