"""The FEEL forms that dmn-js writes in decision-table cells, turned into safe expressions.

SpiffWorkflow reads DMN cells as Python, where ``true`` or ``[1..5]`` fail and ``"A","B"``
silently never matches. Each cell is translated once, at load, into an expression over ``?``
(the input value), or refused with a message that says which forms are understood.
"""

from __future__ import annotations

import json
import re

from .expressions import ExpressionError, check

UNDERSTOOD = (
    'true/false, null, numbers, "text", comparisons such as < 10 or >= 18, '
    'ranges such as [1..5] or ]1..5[, lists such as "a","b", not(...), and - for any'
)

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_COMPARISON = re.compile(r"^(<=|>=|!=|<|>|=)\s*(.+)$", re.S)
_RANGE = re.compile(r"^([\[\]\(])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\]\)])$", re.S)


class FeelError(ExpressionError):
    """A cell uses a FEEL form this engine does not run."""


def literal(text: str) -> str:
    """A FEEL literal as the text of the equivalent Python literal."""
    t = text.strip()
    if t == "true":
        return "True"
    if t == "false":
        return "False"
    if t == "null":
        return "None"
    if _NUMBER.match(t):
        return t
    if len(t) >= 2 and t[0] == t[-1] == '"':
        try:
            return repr(json.loads(t))
        except json.JSONDecodeError:
            pass
    raise FeelError(f"{text!r} is not a FEEL literal this engine understands ({UNDERSTOOD})")


def _split(text: str) -> list[str]:
    """Split on commas outside quotes and brackets."""
    parts, depth, quoted, current = [], 0, False, []
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]" and depth:
            depth -= 1
        if ch == "," and not quoted and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return [p.strip() for p in parts]


def _single(test: str) -> str:
    match = _RANGE.match(test)
    if match and not test.startswith("("):
        low_bracket, low, high, high_bracket = match.groups()
        low_op = "<=" if low_bracket == "[" else "<"
        high_op = "<=" if high_bracket == "]" else "<"
        return f"{literal(low)} {low_op} ? {high_op} {literal(high)}"
    match = _COMPARISON.match(test)
    if match:
        op, value = match.groups()
        return f"? {'==' if op == '=' else op} {literal(value)}"
    return f"? == {literal(test)}"


def listed_values(text: str) -> list[str]:
    """The literals of a list such as inputValues' ``"a","b"``, each as Python literal text."""
    return [literal(part) for part in _split(text) if part]


def input_entry(text: str | None) -> str | None:
    """Translate one input cell; ``None`` means "any value"."""
    t = (text or "").strip()
    if t in ("", "-"):
        return None
    negated = t.startswith("not(") and t.endswith(")")
    if negated:
        t = t[4:-1].strip()
    tests = [_single(part) for part in _split(t)]
    if any(not part for part in _split(t)):
        raise FeelError(f"{text!r} has an empty item ({UNDERSTOOD})")
    expression = tests[0] if len(tests) == 1 else " or ".join(f"({x})" for x in tests)
    if negated:
        expression = f"not ({expression})"
    check(expression.replace("?", "dmninputexpr"))
    return expression


def output_entry(text: str | None) -> str:
    """Translate one output cell: a FEEL literal, or a safe expression over the task data."""
    t = (text or "").strip()
    if not t:
        return "None"
    try:
        return literal(t)
    except FeelError:
        return check(t)
