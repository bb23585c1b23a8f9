"""What a set of finished instances visited: flow nodes, sequence flows and rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.util.task import TaskState

from .bundle import Bundle
from .rules import cited


def _bpmn_ancestor(task):
    """The nearest earlier task that stands for a BPMN element (skipping engine internals)."""
    parent = task.parent
    while parent is not None and not getattr(parent.task_spec, "bpmn_id", None):
        parent = parent.parent
    return parent


@dataclass
class Coverage:
    bundle: Bundle
    nodes: set = field(default_factory=set)  # (process, element id)
    flows: set = field(default_factory=set)  # (process, flow id)

    def add(self, workflow) -> None:
        by_ends = {(f.process, f.source, f.target): f.id for f in self.bundle.flows}
        # the top workflow's task list includes its subprocesses' tasks
        for task in workflow.get_tasks(state=TaskState.COMPLETED):
            bpmn_id = getattr(task.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            process = task.workflow.spec.name
            self.nodes.add((process, bpmn_id))
            source = _bpmn_ancestor(task)
            if source is not None:
                flow = by_ends.get((process, source.task_spec.bpmn_id, bpmn_id))
                if flow:
                    self.flows.add((process, flow))

    def all_nodes(self) -> set:
        return {(process, bpmn_id) for process, bpmn_id, _ in self.bundle.flow_nodes()}

    def all_flows(self) -> set:
        return {(f.process, f.id) for f in self.bundle.flows}

    def rules_modelled(self) -> set:
        return {r for _, _, spec in self.bundle.flow_nodes() for r in cited(spec.documentation)}

    def rules_exercised(self) -> set:
        specs = {(p, b): s for p, b, s in self.bundle.flow_nodes()}
        return {r for key in self.nodes if key in specs for r in cited(specs[key].documentation)}

    def report(self) -> dict:
        nodes, flows = self.all_nodes(), self.all_flows()
        per_process = {}
        for process in sorted({p for p, _ in nodes}):
            n = {x for x in nodes if x[0] == process}
            f = {x for x in flows if x[0] == process}
            per_process[process] = {
                "nodes": (len(n & self.nodes), len(n)),
                "flows": (len(f & self.flows), len(f)),
                "missing_nodes": sorted(b for _, b in n - self.nodes),
                "missing_flows": sorted(b for _, b in f - self.flows),
            }
        return {
            "processes": per_process,
            "nodes": (len(nodes & self.nodes), len(nodes)),
            "flows": (len(flows & self.flows), len(flows)),
        }
