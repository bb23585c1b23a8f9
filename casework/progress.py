"""Where a case is in its process, for the diagram on its page: per process, the elements done,
the flows taken and the elements it is at now; and the diagram files of the case's own
process version. This is the one read that restores a case's workflow."""

from __future__ import annotations

from lxml import etree
from SpiffWorkflow.util.task import TaskState

from engine.coverage import Coverage

from .models import Case

BPMN_PROCESS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}process"


def of(instance) -> dict:
    """Per process: the elements done, the flows taken and the elements the case is at now."""
    coverage = Coverage(instance.bundle)
    coverage.add(instance.workflow)
    process_of, label = {}, {}
    for process, bpmn_id, spec in instance.bundle.flow_nodes():
        process_of[bpmn_id] = process
        label[(process, bpmn_id)] = " ".join((spec.bpmn_name or bpmn_id).split())
    current: set[tuple[str, str]] = set()
    for task in instance.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if bpmn_id:
            current.add((task.workflow.spec.name, bpmn_id))
    for bpmn_id in instance.waiting_elements():
        if bpmn_id in process_of:
            current.add((process_of[bpmn_id], bpmn_id))
    processes: dict[str, dict] = {}
    names = {spec.name: (spec.description or spec.name) for spec in instance.bundle.all_specs()}
    for process in names:
        done = sorted(b for p, b in coverage.nodes if p == process and (p, b) not in current)
        now = sorted(b for p, b in current if p == process)
        flows = sorted(f for p, f in coverage.flows if p == process)
        processes[process] = {
            "name": names[process],
            "done": done,
            "current": now,
            "flows": flows,
            "current_names": [label.get((process, b), b) for b in now],
        }
    return {"main": instance.bundle.main, "completed": instance.completed, "processes": processes}


def diagram_xml(case: Case, process_id: str) -> str | None:
    """The BPMN file of the case's own process version that holds ``process_id``."""
    for name, text in sorted((case.process_version.files or {}).items()):
        if not name.endswith(".bpmn"):
            continue
        root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
        if any(p.get("id") == process_id for p in root.iter(BPMN_PROCESS)):
            return text
    return None
