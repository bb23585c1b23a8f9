"""Every process variable a handler sets is declared in the diagram, on the service task that
runs it (its output parameters), so an analyst sees where each variable comes from. The step
runner refuses an undeclared result when it happens; this reads every handler's returns, so a
branch no scenario reaches is covered too."""

import ast
import inspect
import textwrap
from pathlib import Path

import pytest

from engine.bundle import parse, read_dir
from engine.parser import ExternalServiceTask
from handlers import load_all, registry

REPO = Path(__file__).resolve().parents[2]


def returned_names(function) -> set[str]:
    """The keys of every dict a handler returns; a handler must return dict literals (or
    nothing) so that what it sets can be read here."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Return) or node.value is None:
            continue
        if isinstance(node.value, ast.Constant) and node.value.value is None:
            continue
        value = node.value
        assert isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys), (
            f"{function.__module__}.{function.__qualname__} returns {ast.unparse(value)}: return a dict literal "
            f"with fixed keys, so the variables it sets can be checked against the diagram"
        )
        names |= {k.value for k in value.keys}
    return names


def service_tasks():
    load_all()
    bundle = parse(read_dir(REPO / "processes"))
    return [(process, spec) for process, _, spec in bundle.flow_nodes() if isinstance(spec, ExternalServiceTask)]


@pytest.mark.parametrize("process, spec", service_tasks(), ids=lambda x: getattr(x, "bpmn_id", x))
def test_what_a_handler_sets_is_what_its_service_task_declares(process, spec):
    returned = returned_names(registry.function(spec.topic))
    assert returned - spec.declared == set(), (
        f"{process}/{spec.bpmn_id}: the handler for {spec.topic} sets {sorted(returned - spec.declared)}, "
        f"which the service task's output parameters do not declare"
    )
    assert spec.declared - returned == set(), (
        f"{process}/{spec.bpmn_id}: output parameters read {sorted(spec.declared - returned)}, which the handler "
        f"for {spec.topic} never gives"
    )


def test_a_handler_returning_an_undeclared_variable_is_found():
    def sets_more(data, *, case_store):
        if data.get("x"):
            return {"wanted_marker": True, "marker_colour": "red"}
        return None

    assert returned_names(sets_more) == {"wanted_marker", "marker_colour"}
