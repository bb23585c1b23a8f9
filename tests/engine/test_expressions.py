import pytest

from engine.expressions import ExpressionError, SafeEnvironment, evaluate


@pytest.mark.parametrize(
    "expression, names, expected",
    [
        ("left_uk == True", {"left_uk": True}, True),
        ('ice_outcome == "located"', {"ice_outcome": "not_located"}, False),
        ("a and not b", {"a": True, "b": False}, True),
        ('x in ("a", "b")', {"x": "b"}, True),
        ("${period}", {"period": "P10D"}, "P10D"),
        ("len(items) > 1", {"items": [1, 2]}, True),
    ],
)
def test_ordinary_expressions_run(expression, names, expected):
    assert evaluate(expression, names) == expected


@pytest.mark.parametrize(
    "expression, reason",
    [
        ('__import__("os").system("true")', "imports are not allowed"),
        ("().__class__.__base__.__subclasses__()", "is refused"),
        ('open("/etc/passwd").read()', "not an allowed function"),
        ('eval("1")', "not an allowed function"),
        ("(lambda: 1)()", "is refused"),
        ("x.__dict__", "private attribute"),
        ("__builtins__", "names starting with '__'"),
        ('getattr(x, "a")', "not an allowed function"),
        ("[x for x in ().__class__.__mro__]", "private attribute"),
    ],
)
def test_dangerous_expressions_are_refused(expression, reason):
    with pytest.raises(ExpressionError, match=reason):
        evaluate(expression, {"x": 1})


def test_task_data_cannot_shadow_functions():
    # a form field called 'len' is data, not the function
    assert evaluate("len(items)", {"items": [1, 2, 3], "len": "shadow"}) == 3


def test_task_data_named_builtins_changes_nothing():
    env = SafeEnvironment()
    assert env.evaluate("a == 1", {"a": 1, "__builtins__": {"open": open}}) is True


def test_external_context_wins_over_task_data():
    env = SafeEnvironment()
    assert env.evaluate("dmninputexpr == 2", {"dmninputexpr": 1}, {"dmninputexpr": 2}) is True


def test_scripts_are_refused():
    with pytest.raises(ExpressionError, match="script tasks are not supported"):
        SafeEnvironment().execute("x = 1", {})


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ExpressionError, match="missing"):
        evaluate("missing == 1", {})


# -- bounded while it runs: the data an expression reads is not known when the diagram is checked


def test_an_expression_that_takes_too_many_steps_is_stopped():
    words = [f"w{i}" for i in range(500)]
    assert evaluate("len([w for w in words if w in text]) >= 0", {"words": words, "text": "w1"}) is True
    with pytest.raises(ExpressionError, match="more than 100 steps"):
        evaluate("len([w for w in words if w in text]) >= 0", {"words": words, "text": "w1"}, max_steps=100)


def test_an_expression_that_runs_too_long_is_stopped():
    words = [f"w{i}" for i in range(5000)]
    with pytest.raises(ExpressionError, match="ran for more than 0 s"):
        evaluate("len([w for w in words if w in text]) >= 0", {"words": words, "text": "w1"}, max_seconds=0)


def test_an_expression_may_read_long_data_but_not_make_a_longer_value():
    names = {"items": list(range(150_000)), "text": "x" * 150_000}
    assert evaluate("len(items) > 0 and len(text) > 0", names) is True
    with pytest.raises(ExpressionError, match="made a value of 150,000 items"):
        evaluate("len(upper(text)) > 0", names)
    with pytest.raises(ExpressionError, match="too long|that long"):
        evaluate("len(note * 20000) > 0", {"note": "abcdefghij"})
