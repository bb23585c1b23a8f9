"""Safe evaluation of the expressions analysts write in diagrams and decision tables.

SpiffWorkflow evaluates conditions, DMN cells and timers with Python ``eval``; diagrams are
data edited by analysts, so every expression goes through ``simpleeval`` instead: no
imports, no dunder attributes, no files or network, only the functions listed here.
"""

from __future__ import annotations

import ast
import functools
import re
import time

from simpleeval import EvalWithCompoundTypes, InvalidExpression
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
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

_CAMUNDA_EXPRESSION = re.compile(r"^\s*\$\{(?P<inner>.*)\}\s*$", re.S)
_FORBIDDEN_NODES = (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)


def unwrap(expression: str) -> str:
    """``${x == 1}`` (as Camunda Modeler users write it) and ``x == 1`` mean the same."""
    match = _CAMUNDA_EXPRESSION.match(expression or "")
    return match.group("inner") if match else (expression or "")


# what an analyst used to Camunda writes (JUEL, JavaScript) and what this engine reads instead;
# outside string literals, since "a && b" inside quotes is just text
_STRINGS = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'")
_FOREIGN_OPERATORS = (
    ("===", "=="),
    ("!==", "!="),
    ("&&", "and"),
    ("||", "or"),
)
_FOREIGN_NOT = re.compile(r"!(?!=)")
_FOREIGN_NAMES = {
    "true": "True",
    "false": "False",
    "null": "None",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
    "empty": "not x (or len(x) == 0)",
}
_NAME = re.compile(r"[A-Za-z_]\w*")

# the cost of an expression must be bounded before it runs: the evaluator's own limits
# (simpleeval's MAX_POWER, MAX_STRING_LENGTH) still let 4000000 ** 4000000 run for hours
MAX_EXPONENT = 64
MAX_REPEAT = 100_000

# ...and bounded while it runs, since the data it reads is not known beforehand (a condition
# over a 10,000-item list, each item compared with a long text): so many steps of evaluation,
# so many seconds, and no text, list or mapping longer than this on the way
MAX_STEPS = 200_000
MAX_SECONDS = 1.0
MAX_LENGTH = 100_000


def juel_advice(text: str) -> str | None:
    """What to write instead, when ``text`` is written in Camunda's JUEL or JavaScript: the
    engine evaluates Python, where ``true`` is an unknown name and ``&&`` a syntax error."""
    if re.match(r"^\s*#\{", text or ""):
        return "#{...} is a Camunda deferred expression: write the Python expression itself"
    code = _STRINGS.sub('""', text or "")
    for foreign, python in _FOREIGN_OPERATORS:
        if foreign in code:
            return f"{foreign!r} is JUEL/JavaScript: write {python!r} (expressions are Python)"
    if "?" in code and ":" in code:
        return "JUEL's 'a ? b : c': write 'b if a else c' (expressions are Python)"
    if _FOREIGN_NOT.search(code):
        return "'!' is JUEL/JavaScript: write 'not' (expressions are Python)"
    for name in _NAME.findall(code):
        if name in _FOREIGN_NAMES:
            return f"{name!r} is JUEL: write {_FOREIGN_NAMES[name]!r} (expressions are Python)"
    return None


def _bounded(text: str, nodes) -> None:
    """Refuse what has no bound on its cost: large or unknown powers, % formatting and format
    widths (each can ask for gigabytes of text), repeating a sequence a huge number of times,
    and comprehensions inside comprehensions."""
    for node in nodes:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exponent = node.right
            if not (
                isinstance(exponent, ast.Constant)
                and isinstance(exponent.value, int)
                and abs(exponent.value) <= MAX_EXPONENT
            ):
                raise ExpressionError(
                    f"{text!r} is refused: a power's exponent must be a whole number up to {MAX_EXPONENT} "
                    f"written in the expression (its cost has no bound otherwise)"
                )
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.left, ast.JoinedStr):
            raise ExpressionError(f"{text!r} is refused: % formatting is not allowed")
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
        ):
            raise ExpressionError(
                f"{text!r} is refused: % formatting is not allowed (a width such as %999999999d has no bound)"
            )
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            raise ExpressionError(f"{text!r} is refused: format widths and specs in f-strings are not allowed")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            for sequence, count in ((node.left, node.right), (node.right, node.left)):
                if isinstance(sequence, (ast.Constant, ast.List, ast.Tuple)) and not isinstance(
                    getattr(sequence, "value", None), (int, float, complex)
                ):
                    if not (
                        isinstance(count, ast.Constant) and isinstance(count.value, int) and count.value <= MAX_REPEAT
                    ):
                        raise ExpressionError(
                            f"{text!r} is refused: a text or list may be repeated only a number of times "
                            f"written in the expression, up to {MAX_REPEAT}"
                        )
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = [n for n in ast.walk(node) if n is not node and isinstance(n, _COMPREHENSIONS)]
            if len(node.generators) > 1 or inner:
                raise ExpressionError(
                    f"{text!r} is refused: a comprehension inside (or over two 'for's of) another has no bound "
                    f"on its cost; use one 'for'"
                )


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def check(expression: str) -> str:
    """Refuse an expression that could not be evaluated safely; return its plain form.

    Used at load time so a bad diagram fails in ``acro validate``, not in a caseworker's
    session.
    """
    return _checked(expression)[0]


@functools.lru_cache(maxsize=4096)
def _checked(expression: str) -> tuple[str, ast.stmt]:
    """``check``, and the expression parsed as the evaluator runs it: a diagram's few hundred
    expressions are evaluated again and again, and parsing and checking each time was 7% of
    an approval's CPU. A refused expression is not kept (an exception is never cached)."""
    text = unwrap(expression).strip()
    if not text:
        raise ExpressionError("the expression is empty")
    advice = juel_advice(text)
    if advice:
        raise ExpressionError(f"{text!r}: {advice}")
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
    _bounded(text, nodes)
    return text, ast.parse(text).body[0]


# reading a value is never refused for its size: only what an expression makes of it
_READS = (ast.Name, ast.Constant, ast.Attribute, ast.Subscript)


class _Bounded(EvalWithCompoundTypes):
    """simpleeval's evaluator counting its steps and watching the clock and the size of what
    each step makes (its own limits cover only powers, repeats and comprehension lengths)."""

    def __init__(self, *args, max_steps: int, max_seconds: float, **kwargs):
        super().__init__(*args, **kwargs)
        self._max_steps = self._steps_left = max_steps
        self._max_seconds = max_seconds
        self._deadline = time.monotonic() + max_seconds

    def _eval(self, node):
        self._steps_left -= 1
        if self._steps_left < 0:
            raise ExpressionError(f"{self.expr!r} was stopped: it took more than {self._max_steps:,} steps")
        if self._steps_left % 1000 == 0 and time.monotonic() > self._deadline:
            raise ExpressionError(f"{self.expr!r} was stopped: it ran for more than {self._max_seconds:g} s")
        result = super()._eval(node)
        if (
            not isinstance(node, _READS)
            and isinstance(result, (str, bytes, list, tuple, dict, set))
            and len(result) > MAX_LENGTH
        ):
            raise ExpressionError(
                f"{self.expr!r} was stopped: it made a value of {len(result):,} items (at most {MAX_LENGTH:,})"
            )
        return result


def evaluate(expression: str, names: dict, *, max_steps: int = MAX_STEPS, max_seconds: float = MAX_SECONDS):
    """Evaluate one expression against ``names`` (task data and any external context)."""
    text, parsed = _checked(expression)
    evaluator = _Bounded(functions=dict(FUNCTIONS), names=dict(names), max_steps=max_steps, max_seconds=max_seconds)
    try:
        return evaluator.eval(text, previously_parsed=parsed)
    except ExpressionError:
        raise
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

    def evaluate(self, task, expression, external_context=None):
        # SpiffWorkflow wraps a failure as "Error evaluating expression 'x'" and drops why; the
        # incident an operator reads must say where and why
        try:
            return self.environment.evaluate(expression, task.data, external_context)
        except ExpressionError as exc:
            where = task.task_spec.bpmn_name or task.task_spec.bpmn_id
            raise WorkflowTaskException(f"{where}: {exc}", task=task, exception=exc) from exc

    def validate(self, expression):
        # the DMN engine calls this to decide whether a cell needs '=='; keep Python's parse
        # errors (SyntaxError) so its logic works, and add our own refusal
        ast.parse(unwrap(expression), mode="eval")
        check(expression)
