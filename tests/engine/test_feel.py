import pytest

from engine.expressions import evaluate
from engine.feel import FeelError, input_entry, output_entry


def matches(cell, value):
    expression = input_entry(cell)
    if expression is None:
        return True
    return evaluate(expression.replace("?", "v"), {"v": value})


@pytest.mark.parametrize(
    "cell, value, expected",
    [
        ("true", True, True),
        ("true", False, False),
        ("false", False, True),
        ('"serving_sentence"', "serving_sentence", True),
        ('"serving_sentence"', "detained", False),
        ('"a","b"', "b", True),
        ('"a","b"', "c", False),
        ('not("a")', "b", True),
        ('not("a")', "a", False),
        ('not("a","b")', "b", False),
        ("< 10", 9, True),
        ("< 10", 10, False),
        (">= 18", 18, True),
        ("= 5", 5, True),
        ("!= 5", 5, False),
        ("[1..5]", 5, True),
        ("[1..5]", 6, False),
        ("]1..5[", 1, False),
        ("]1..5[", 4, True),
        ("[1..5[", 5, False),
        ("10", 10, True),
        ("-", "anything", True),
        ("", None, True),
        ('"what, ever"', "what, ever", True),
    ],
)
def test_dmn_js_cell_forms(cell, value, expected):
    assert matches(cell, value) is expected


@pytest.mark.parametrize("cell", ['date("2020-01-01")', "some_function(1)", '"unterminated', "a..b"])
def test_unknown_forms_are_refused_at_load(cell):
    with pytest.raises(FeelError):
        input_entry(cell)


@pytest.mark.parametrize(
    "cell, value",
    [
        ('"P20D"', "P20D"),
        ("20", 20),
        ("true", True),
        ("false", False),
        ("null", None),
        ('"Stage 1 Decision Notice"', "Stage 1 Decision Notice"),
    ],
)
def test_output_literals(cell, value):
    assert evaluate(output_entry(cell), {}) == value
