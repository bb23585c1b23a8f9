"""Safe evaluation of the expressions analysts write in diagrams and decision tables.

SpiffWorkflow evaluates conditions, DMN cells and timers with Python ``eval``; diagrams are
data edited by analysts, so every expression goes through ``simpleeval`` instead: no
imports, no dunder attributes, no files or network, only the functions listed here.
"""

from __future__ import annotations

import ast
import re

from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment


class ExpressionError(ValueError):
    """An expression is refused or fails; the message says which and why."""


# Functions an expression may call. Task data never shadows them: simpleeval looks calls up
# here and names up in the data, separately.
FUNCTIONS = {
    "len": len,
    "str": str,
    "int": int,
    "float": float,
    "bool": bool,
    "abs": abs,
    "min": min,
    "max": max,
    "round": round,
    "lower": lambda s: str(s).lower(),
    "upper": lambda s: str(s).upper(),
}

_CAMUNDA_EXPRESSION = re.compile(r"^\s*[$#]\{(?P<inner>.*)\}\s*$", re.S)
_FORBIDDEN_NODES = (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)


def unwrap(expression: str) -> str:
    """``${x == 1}`` (as Camunda Modeler users write it) and ``x == 1`` mean the same."""
    match = _CAMUNDA_EXPRESSION.match(expression or "")
    return match.group("inner") if match else (expression or "")


def check(expression: str) -> str:
    """Refuse an expression that could not be evaluated safely; return its plain form.

    Used at load time so a bad diagram fails in ``acro validate``, not in a caseworker's
    session.
    """
    text = unwrap(expression).strip()
    if not text:
        raise ExpressionError("the expression is empty")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"{text!r} is not a valid expression: {exc.msg}") from None
    nodes = list(ast.walk(tree))
    # names and attributes first: they say most plainly what is wrong
    for node in nodes:
        if isinstance(node, ast.Name) and node.id == "__import__":
            raise ExpressionError(f"{text!r} is refused: imports are not allowed")
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise ExpressionError(f"{text!r} is refused: names starting with '__' are not allowed")
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            raise ExpressionError(f"{text!r} is refused: private attribute {node.attr!r}")
        if isinstance(node, _FORBIDDEN_NODES):
            raise ExpressionError(f"{text!r} is refused: {type(node).__name__} is not allowed")
    for node in nodes:
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                name = getattr(node.func, "id", None) or ast.unparse(node.func)
                raise ExpressionError(
                    f"{text!r} is refused: {name}() is not an allowed function "
                    f"(allowed: {', '.join(sorted(FUNCTIONS))})"
                )
    return text


def evaluate(expression: str, names: dict):
    """Evaluate one expression against ``names`` (task data and any external context)."""
    text = check(expression)
    evaluator = EvalWithCompoundTypes(functions=dict(FUNCTIONS), names=dict(names))
    try:
        return evaluator.eval(text)
    except InvalidExpression as exc:
        raise ExpressionError(f"{text!r}: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, KeyError, IndexError) as exc:
        raise ExpressionError(f"{text!r} failed: {exc}") from None


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """The script environment handed to SpiffWorkflow: expressions only, never scripts."""

    def evaluate(self, expression, context, external_context=None):
        names = dict(context)
        # the engine's own names (DMN's input value) win over task data
        names.update(external_context or {})
        return evaluate(expression, names)

    def execute(self, script, context, external_context=None):
        raise ExpressionError("script tasks are not supported: use a DMN table or a service task")

    def call_service(self, context, **kwargs):
        raise ExpressionError("service tasks run as external tasks by topic, not as scripts")


class SafeScriptEngine(PythonScriptEngine):
    """PythonScriptEngine whose environment is :class:`SafeEnvironment`."""

    def __init__(self):
        super().__init__(environment=SafeEnvironment())

    def validate(self, expression):
        # the DMN engine calls this to decide whether a cell needs '=='; keep Python's parse
        # errors (SyntaxError) so its logic works, and add our own refusal
        ast.parse(unwrap(expression), mode="eval")
        check(expression)
