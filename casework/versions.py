"""Moving running cases to a new version of the process (`acro migrate`).

New cases start on whatever is in ``processes/``; running cases stay on the version they
started on until an operator moves them. A case can move when every step it is waiting at
still exists in the new version; the waiting steps are then re-predicted from the new
diagrams (claims on its ready tasks are lost, so its tasks are re-listed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import audit, bundles
from .models import Case, CaseMove

ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class Plan:
    reference: str
    from_digest: str
    can_move: bool
    reasons: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    stage: str | None = None


def _assess(instance, new_bundle, registry):
    top, subs = diff_workflow(registry, instance.workflow, new_bundle.spec, new_bundle.subprocess_specs)
    reasons, changed = [], []
    for diff, workflow in [(top, instance.workflow)] + [
        (d, instance.workflow.subprocesses[i]) for i, d in subs.items()
    ]:
        active = [t for t in workflow.get_tasks(state=ACTIVE, skip_subprocesses=True)]
        if diff is None:
            if active:
                reasons.append(f"process {workflow.spec.name} is no longer in the new version")
            continue
        for task in diff.removed:
            if task in active and getattr(task.task_spec, "bpmn_id", None):
                reasons.append(
                    f"{task.task_spec.bpmn_name or task.task_spec.bpmn_id} "
                    f"({workflow.spec.name}) is not in the new version"
                )
        changed += sorted({t.task_spec.bpmn_id for t in diff.changed if getattr(t.task_spec, "bpmn_id", None)})
    return top, subs, reasons, changed


def plan(service) -> list[Plan]:
    """For each running case on an older version: can it move to the current one?"""
    version, new_bundle = bundles.current(service.session, service.settings.processes_dir)
    plans = []
    for case in service.session.scalars(
        select(Case).where(Case.state != "closed", Case.process_version_id != version.id).order_by(Case.id)
    ):
        instance = service.instance(case)
        _, _, reasons, changed = _assess(instance, new_bundle, service.engine.serializer.registry)
        plans.append(Plan(case.reference, case.process_version.digest[:12], not reasons, reasons, changed, case.stage))
    return plans


def migrate(service, actor, dry_run: bool = False, only: set[str] | None = None) -> list[Plan]:
    """Move every running case that can move (or those of ``only``, by reference); each
    move goes into the case's audit trail and the move log."""
    version, new_bundle = bundles.current(service.session, service.settings.processes_dir)
    plans = plan(service)
    if dry_run:
        return plans
    for item in plans:
        if not item.can_move or (only is not None and item.reference not in only):
            continue
        with service.uow:
            case = service.case(item.reference, for_update=True)
            instance = service.instance(case)
            top, subs, reasons, _ = _assess(instance, new_bundle, service.engine.serializer.registry)
            if reasons:  # it moved on since the plan was made
                continue
            for sp_id, diff in subs.items():
                subprocess = instance.workflow.subprocesses[sp_id]
                migrate_workflow(diff, subprocess, new_bundle.subprocess_specs[subprocess.spec.name])
            migrate_workflow(top, instance.workflow, new_bundle.spec)
            instance.workflow.subprocess_specs = new_bundle.subprocess_specs
            instance.bundle = new_bundle
            service.session.add(
                CaseMove(
                    case_id=case.id,
                    from_version_id=case.process_version_id,
                    to_version_id=version.id,
                    moved_by=actor.username,
                    at=service.clock.now(),
                    changed=list(item.changed),
                )
            )
            case.process_version = version
            audit.record(
                service.session,
                case,
                actor,
                "process version migrated",
                details={"from": item.from_digest, "to": version.digest[:12]},
                now=service.clock.now(),
            )
            service.steps.advance(case, instance, actor, resync=True)
            service.uow.commit()
    return plans
