"""Measure 4: many caseworkers at once. K clients over HTTP against gunicorn on PostgreSQL,
each listing the unassigned tasks of its groups, claiming one of the first few (so that they
collide on purpose) and completing it; with 1 and with 2 web workers.

Both servers run on one database; each round gives both the same time, one after the other
(the order turns each round), so the ratio of their throughputs is taken inside one round.
Afterwards every completion the clients were told succeeded must be in the audit trail
exactly once, and every case's ready-task rows must be the tasks its workflow waits on.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections import Counter

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from casework import bootstrap
from casework.models import AuditEntry, Case, UserTask
from casework.permissions import Actor
from engine.clock import SystemClock
from webapp.db import db

from . import common, drive, web
from .stats import Row, Target, median, percentile

CLIENTS = 8
ANSWERS = {
    "check_certificate": {"certificate_purpose": "immigration_deportation", "offences_on_pnc": "no"},
    "establish_whereabouts": {"whereabouts_known": "yes", "current_address": "HMP Wandsworth"},
    "allocate_case_owner": {"case_owner": "carl"},
}


def _submit_cases(url: str, folder, count: int, scenario: dict) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        service = bootstrap.build(
            session, common.settings(folder, send_email=False), SystemClock(), common.DroppingSender()
        )
        for _ in range(count):
            service.submit_referral(scenario["referral"], Actor("acro-intake"), certificate=scenario.get("certificate"))
    engine.dispose()


class Load:
    """K client threads against one server for a fixed time."""

    def __init__(self, address, secrets: dict[str, str], seconds: float, seed: int):
        self.address, self.secrets, self.seconds, self.seed = address, secrets, seconds, seed
        self.completed: list[tuple[str, str]] = []  # (task id, bpmn id) answered 200
        self.latencies: list[float] = []  # ms of each completion
        self.statuses = Counter()
        self.lock = threading.Lock()

    def client(self, username: str, deadline: float) -> None:
        http = web.Client(self.address, self.secrets[username])
        rng = random.Random(f"{self.seed}-{username}")
        while time.perf_counter() < deadline:
            status, _, body = http.get("/api/v1/tasks", {"unassigned": "true", "sort": "age"})
            self.tally(f"list {status}")
            items = [t for t in (body or {}).get("items", []) if t["bpmn_id"] in ANSWERS] if status == 200 else []
            if not items:
                time.sleep(0.05)
                continue
            task = rng.choice(items[:CLIENTS])  # as many candidates as clients: they collide, on purpose
            status, _, _ = http.post(f"/api/v1/tasks/{task['id']}/claim")
            self.tally(f"claim {status}")
            if status != 200:
                continue
            status, seconds, _ = http.post(
                f"/api/v1/tasks/{task['id']}/complete", {"answers": ANSWERS[task["bpmn_id"]]}
            )
            self.tally(f"complete {status}")
            if status == 200:
                with self.lock:
                    self.completed.append((task["id"], task["bpmn_id"]))
                    self.latencies.append(seconds * 1000)

    def tally(self, key):
        with self.lock:
            self.statuses[key] += 1

    def run(self) -> float:
        """Completions per second."""
        started = time.perf_counter()
        deadline = started + self.seconds
        threads = [threading.Thread(target=self.client, args=(name, deadline)) for name in self.secrets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(self.completed) / (time.perf_counter() - started)


def _check(url: str, loads: list[Load], folder) -> tuple[int, int, list[str]]:
    """(lost, repeated, problems): compare what the clients were told with what was stored."""
    told = Counter(task_id for load in loads for task_id, _ in load.completed)
    problems = []
    engine = create_engine(url)
    with Session(engine) as session:
        stored = Counter(session.scalars(select(AuditEntry.task_id).where(AuditEntry.action == "task completed")).all())
        per_step = Counter(
            session.execute(
                select(AuditEntry.case_id, AuditEntry.task_bpmn_id).where(AuditEntry.action == "task completed")
            ).all()
        )
        repeated = sum(n - 1 for n in per_step.values() if n > 1) + sum(n - 1 for n in told.values() if n > 1)
        lost = sum(1 for task_id in told if stored.get(task_id, 0) == 0)
        unexpected = sum(1 for task_id in stored if task_id not in told)
        if unexpected:
            problems.append(f"{unexpected} completions stored that no client was told of")
        # every case's ready-task rows are the tasks its workflow waits on
        service = bootstrap.build(session, common.settings(folder), SystemClock())
        mismatched = 0
        for case in session.scalars(select(Case)):
            rows = {t.id for t in session.scalars(select(UserTask).where(UserTask.case_id == case.id))}
            ready = {t.id for t in service.instance(case).ready_tasks()}
            mismatched += rows != ready
        if mismatched:
            problems.append(f"{mismatched} cases whose task rows differ from their workflow")
        lost += mismatched
        cases = session.scalar(select(func.count()).select_from(Case))
    engine.dispose()
    return lost, repeated, problems + [f"{cases} cases checked"]


def measure(run: common.Run) -> tuple[list[Row], list[str]]:
    what = "4. K clients at once"
    if not run.postgres:
        return [
            Row(
                what,
                "claims and completions over HTTP",
                text="not measured",
                spread_text=f"no PostgreSQL: {run.postgres_missing}",
            )
        ], []
    # each round: short slices, 1 worker then 2 workers (then the other way round), so that
    # whatever else the machine does falls on both alike
    rounds, slices, seconds = (2, 2, 2.0) if run.quick else (4, 4, 2.0)
    spare = int(80 * seconds)  # steps waiting before each slice: more than the fastest server does in it
    scenario = drive.load(common.REFERRAL_SCENARIO)
    users = {f"clerk{n}": ["workflow", "caseworker"] for n in range(CLIENTS)}
    loads: dict[int, list[list[Load]]] = {1: [], 2: []}  # per round, its slices
    cpu: dict[int, list[dict]] = {1: [], 2: []}  # per slice
    with common.workdir() as folder, common.postgres_schema(run.postgres, prefix="bench_load") as (url, _):
        engine = create_engine(url)
        db.metadata.create_all(engine)
        engine.dispose()
        secrets = web.make_users(url, users)
        web.make_users(url, {ANSWERS["allocate_case_owner"]["case_owner"]: ["caseworker"]})  # the case owner named
        submitted = 0

        def top_up():
            """Submit referrals until ``spare`` steps wait (each case gives three)."""
            nonlocal submitted
            done = sum(len(load.completed) for per_round in loads.values() for r in per_round for load in r)
            missing = -(-(spare - (3 * submitted - done)) // 3)
            if missing > 0:
                _submit_cases(url, folder, missing, scenario)
                submitted += missing

        started = time.perf_counter()
        top_up()
        run.log(f"  {submitted} referrals submitted in {time.perf_counter() - started:.0f} s")
        with contextlib.ExitStack() as stack:
            servers = {
                workers: stack.enter_context(web.serve(url, workers, folder / f"w{workers}", f"w{workers}"))
                for workers in (1, 2)
            }
            for workers, served in servers.items():  # warm every worker up
                client = web.Client(served.address, secrets["clerk0"])
                for _ in range(2 * workers):
                    client.get("/api/v1/tasks", {"unassigned": "true"})
            for number in range(rounds):
                for workers in (1, 2):
                    loads[workers].append([])
                for piece in range(slices):
                    for workers in (1, 2) if (number + piece) % 2 == 0 else (2, 1):
                        top_up()
                        load = Load(
                            servers[workers].address, secrets, seconds, seed=(number * slices + piece) * 10 + workers
                        )
                        before = web.cpu_sample(servers[workers].pid)
                        started = time.perf_counter()
                        load.run()
                        cpu[workers].append(
                            web.cpu_shares(before, web.cpu_sample(servers[workers].pid), time.perf_counter() - started)
                        )
                        loads[workers][-1].append(load)
                run.log(
                    f"  round {number + 1}/{rounds}: "
                    + "; ".join(
                        f"{w} worker{'s' if w > 1 else ''} {_rate(loads[w][-1], seconds):.1f}/s, "
                        f"p95 {percentile(_latencies(loads[w][-1]), 95):.0f} ms"
                        for w in (1, 2)
                    )
                    + f"; other processes used {_others(cpu, slices):.2f} cores"
                )
        everything = [load for per_round in loads.values() for r in per_round for load in r]
        lost, repeated, problems = _check(url, everything, folder)
    statuses = Counter()
    for load in everything:
        statuses.update(load.statuses)
    server_errors = sum(n for key, n in statuses.items() if key.split()[1].startswith("5"))
    if server_errors:
        problems.insert(0, f"{server_errors} server errors")
    rows = []
    for workers in (1, 2):
        label = f"{workers} web worker{'s' if workers > 1 else ''}, {CLIENTS} clients"
        rows.append(Row(what, f"{label}: completions per second", "/s", [_rate(r, seconds) for r in loads[workers]]))
        rows.append(
            Row(what, f"{label}: p95 of a completion", "ms", [percentile(_latencies(r), 95) for r in loads[workers]])
        )
    ratios = [_rate(b, seconds) / max(_rate(a, seconds), 1e-9) for a, b in zip(loads[1], loads[2], strict=False)]
    rows.append(Row(what, "throughput 2 workers / 1 worker (2 cores)", "x", ratios, Target(">", 1.0)))
    rows.append(
        Row(
            what,
            "lost or repeated steps",
            text=str(lost + repeated),
            judged=lost + repeated,
            spread_text=f"lost {lost}, repeated {repeated}",
            target=Target("==", 0),
            note=f"{sum(len(x.completed) for x in everything)} completions; {'; '.join(problems)}",
        )
    )
    details = [f"requests: {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}"]
    for workers in (1, 2):
        shares = {k: median([c[k] for c in cpu[workers]]) for k in ("web", "postgres", "clients", "others", "machine")}
        details.append(
            f"CPU with {workers} web worker{'s' if workers > 1 else ''} (cores in use, median over slices, "
            f"of {os.cpu_count()}): web {shares['web']:.2f}, PostgreSQL {shares['postgres']:.2f}, "
            f"the {CLIENTS} clients {shares['clients']:.2f}, other processes {shares['others']:.2f}; "
            f"machine busy {shares['machine']:.2f}"
        )
    return rows, details


def _rate(slices: list[Load], seconds: float) -> float:
    return sum(len(load.completed) for load in slices) / (seconds * len(slices)) if slices else 0.0


def _latencies(slices: list[Load]) -> list[float]:
    return [ms for load in slices for ms in load.latencies]


def _others(cpu, slices: int) -> float:
    """The cores other processes used over the last slices of the one- and two-worker runs."""
    return median([c["others"] for c in cpu[1][-slices:] + cpu[2][-slices:]])
