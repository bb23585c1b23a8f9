"""No import cycle among the project's own modules, lazy imports (inside functions) included:
a cycle is how a layer comes to depend on the one above it (the engine on the web app, say)."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("engine", "handlers", "adapters", "casework", "webapp")


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _imports(name: str, path: Path, modules: dict) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            # `from casework import audit` imports the module casework.audit
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
    return {m for m in found if m in modules and m != name}


def test_the_modules_import_each_other_without_a_cycle():
    modules = _modules()
    assert "casework.service.steps" in modules and "webapp.views.cases" in modules  # the walk finds them
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    # relative (`from ..models import`) and absolute imports both resolve to the module
    assert {"casework.models", "casework.audit", "engine.instance"} <= graph["casework.service.steps"]
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
