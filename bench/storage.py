"""Measure 3: the bytes stored per case at each wait state (the instance state as stored, the
ready-task rows, the audit rows, the access-log rows), over every scenario in tests/scenarios,
and how they grow with the length of a case's history.

The same pass keeps every wait state it sees (the case row, its subject, its task rows and
audit rows) as templates for the bulk load of measure 2.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.types import TypeDecorator

from casework.models import AccessLog, Alias, AuditEntry, Case, Subject, UserTask
from casework.scenarios import Runner, load

from . import common
from .stats import Row, Target, median

TARGET_BYTES = 16 * 1024  # on average over every wait state of every scenario (issue 14)
TARGET_FIRST_BYTES = 10 * 1024  # after the first step: the referral and its first task done


def value_bytes(value) -> int:
    """What a column value takes as stored: JSON and text as their UTF-8 bytes, numbers and
    times as 8 bytes. Row headers, indexes and compression are left out."""
    if value is None:
        return 0
    if isinstance(value, (dict, list)):
        return len(json.dumps(value).encode())  # SQLAlchemy's JSON type writes json.dumps(value)
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, bytes):
        return len(value)
    return 8


def columns(obj) -> dict:
    return {attr.key: getattr(obj, attr.key) for attr in sa_inspect(obj).mapper.column_attrs}


def stored_bytes(obj, key: str) -> int:
    """``value_bytes`` of the value as the column's type writes it (a compressed column's
    bytes, not the JSON it holds)."""
    value = getattr(obj, key)
    kind = sa_inspect(obj).mapper.columns[key].type
    if isinstance(kind, TypeDecorator):
        value = kind.process_bind_param(value, None)
    return value_bytes(value)


def row_bytes(obj) -> int:
    return sum(stored_bytes(obj, key) for key in columns(obj))


@dataclass
class Snapshot:
    """One case at one wait state."""

    scenario: str
    step: int
    reference: str
    state: str
    stage: str | None
    instance_bytes: int
    task_bytes: int
    audit_bytes: int
    access_bytes: int
    audit_entries: int
    engine_tasks: int
    case: dict = field(repr=False)
    subject: dict | None = field(repr=False)
    aliases: list = field(repr=False)
    tasks: list = field(repr=False)
    audit: list = field(repr=False)

    @property
    def total(self) -> int:
        return self.instance_bytes + self.task_bytes + self.audit_bytes + self.access_bytes


def _engine_tasks(state: dict) -> int:
    workflow = state.get("workflow") or {}
    count = len(workflow.get("tasks") or {})
    for sub in (workflow.get("subprocesses") or {}).values():
        count += len(sub.get("tasks") or {})
    return count


class MeasuringRunner(Runner):
    """Runs scenarios as `acro scenario run` does, and looks at every case after every step."""

    def __init__(self, **kwargs):
        super().__init__(sender=common.DroppingSender(), **kwargs)
        self.snapshots: list[Snapshot] = []
        self._seen: set = set()
        self._scenario = ""
        self._step_number = 0

    def run_file(self, path: Path):
        self._scenario, self._step_number = path.stem, 0
        result = self.run(load(path), str(path), inspect=lambda session, result: self._look(session, result.cases))
        if result.failures:
            raise RuntimeError(f"{path.name}: {result.failures}")
        return result

    def _step(self, service, clock, step, cases, result, where):
        self._look(service.session, [v for k, v in cases.items() if k != "latest"])
        self._step_number += 1
        return super()._step(service, clock, step, cases, result, where)

    def _look(self, session, references):
        for reference in dict.fromkeys(references):
            case = session.scalars(select(Case).where(Case.reference == reference)).one()
            key = (self._scenario, reference, case.revision)
            if key in self._seen:
                continue
            self._seen.add(key)
            tasks = session.scalars(select(UserTask).where(UserTask.case_id == case.id)).all()
            audit = session.scalars(
                select(AuditEntry).where(AuditEntry.case_id == case.id).order_by(AuditEntry.id)
            ).all()
            subject = session.get(Subject, case.subject_id) if case.subject_id else None
            aliases = session.scalars(select(Alias).where(Alias.subject_id == subject.id)).all() if subject else []
            self.snapshots.append(
                Snapshot(
                    scenario=self._scenario,
                    step=self._step_number,
                    reference=reference,
                    state=case.state,
                    stage=case.stage,
                    instance_bytes=stored_bytes(case, "instance_state"),
                    task_bytes=sum(row_bytes(t) for t in tasks),
                    audit_bytes=sum(row_bytes(a) for a in audit),
                    access_bytes=sum(
                        row_bytes(a) for a in session.scalars(select(AccessLog).where(AccessLog.case_id == case.id))
                    ),
                    audit_entries=len(audit),
                    engine_tasks=_engine_tasks(case.instance_state),
                    case=columns(case),
                    subject=columns(subject) if subject else None,
                    aliases=[columns(a) for a in aliases],
                    tasks=[columns(t) for t in tasks],
                    audit=[columns(a) for a in audit],
                )
            )


def collect(log=lambda *_: None) -> list[Snapshot]:
    """Every wait state of every scenario (in-memory SQLite: sizes do not depend on the database)."""
    runner = MeasuringRunner()
    try:
        for path in sorted(common.SCENARIOS.glob("*.yaml")):
            runner.run_file(path)
    finally:
        runner.close()
    log(f"  {len(runner.snapshots)} wait states of {len({s.scenario for s in runner.snapshots})} scenarios")
    return runner.snapshots


def slope(xs, ys) -> float:
    """Least-squares growth of ys per unit of xs."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False)) / var if var else 0.0


def kb(value: float) -> str:
    return f"{value / 1024:.1f} KB"


def rows(snapshots: list[Snapshot]) -> list[Row]:
    what = "3. stored per case"
    out = []
    parts = (
        ("instance state (JSON, zlib-compressed as stored)", lambda s: s.instance_bytes),
        ("ready-task rows", lambda s: s.task_bytes),
        ("audit rows", lambda s: s.audit_bytes),
        ("access-log rows", lambda s: s.access_bytes),
        ("all four", lambda s: s.total),
    )
    for name, get in parts:
        values = [get(s) for s in snapshots]
        mean, largest = sum(values) / len(values), max(values)
        worst = max(snapshots, key=get)
        out.append(
            Row(
                what,
                f"{name}: mean, max over {len(values)} wait states",
                "KB",
                text=f"mean {kb(mean)}, max {kb(largest)}",
                spread_text=f"median {kb(median(values))}",
                note=f"the largest is {worst.scenario}, step {worst.step} ({worst.stage})",
                judged=mean / 1024 if name == "all four" else None,
                target=Target("<=", TARGET_BYTES / 1024) if name == "all four" else None,
            )
        )
    first = _after_first_step(snapshots)
    if first:
        values = [s.total for s in first]
        worst = max(first, key=lambda s: s.total)
        out.append(
            Row(
                what,
                f"all four after the first step (the referral and its first task), max over {len(first)} scenarios",
                "KB",
                text=f"max {kb(max(values))}, mean {kb(sum(values) / len(values))}",
                spread_text=f"median {kb(median(values))}",
                note=f"the largest is {worst.scenario} ({worst.stage})",
                judged=max(values) / 1024,
                target=Target("<=", TARGET_FIRST_BYTES / 1024),
            )
        )
    main = [s for s in snapshots if s.scenario == common.REFERRAL_SCENARIO.stem]
    if main:
        out.append(
            Row(
                what,
                f"all four at each wait state of {common.REFERRAL_SCENARIO.stem}",
                "KB",
                text=" → ".join(f"{s.total / 1024:.0f}" for s in main) + " KB",
                spread_text=f"{len(main)} wait states, {main[-1].audit_entries} audit entries at the end",
            )
        )
    history = [s.audit_entries for s in snapshots]
    out.append(
        Row(
            what,
            "growth: instance state per audit entry (least squares)",
            "B",
            text=f"{slope(history, [s.instance_bytes for s in snapshots]):.0f} B per entry",
            spread_text=f"{slope([s.engine_tasks for s in snapshots], [s.instance_bytes for s in snapshots]):.0f}"
            " B per engine task kept",
        )
    )
    out.append(
        Row(
            what,
            "growth: all four per audit entry (least squares)",
            "B",
            text=f"{slope(history, [s.total for s in snapshots]):.0f} B per entry",
            spread_text=f"{min(history)}–{max(history)} entries; at 0 entries "
            f"{kb(_intercept(history, [s.total for s in snapshots]))}",
        )
    )
    return out


def _after_first_step(snapshots: list[Snapshot]) -> list[Snapshot]:
    """Each scenario's first case at its second wait state: after the referral, and after the
    first step on it."""
    seen: dict[str, list[Snapshot]] = {}
    for snap in snapshots:
        first = seen.setdefault(snap.scenario, [])
        if not first or first[0].reference == snap.reference:
            first.append(snap)
    return [states[1] for states in seen.values() if len(states) > 1]


def _intercept(xs, ys) -> float:
    n = len(xs)
    return sum(ys) / n - slope(xs, ys) * sum(xs) / n


def measure(run: common.Run) -> tuple[list[Row], list[Snapshot]]:
    started = datetime.now()
    snapshots = collect(run.log)
    run.log(f"  storage pass took {(datetime.now() - started).total_seconds():.1f} s")
    return rows(snapshots), snapshots
