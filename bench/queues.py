"""Measure 2: the task queue (GET /api/v1/tasks) and case search (GET /api/v1/cases?q=) over
HTTP with 1,000 and with 100,000 cases loaded in bulk, against gunicorn on PostgreSQL.

Both databases are loaded and served at once (one gunicorn each); each request to one is
followed by the same request to the other, so the ratio of their p95s is taken inside one
round. The PostgreSQL statistics of the large database say which tables were read whole
(sequential scans) while the requests ran: those are the missing indexes.
"""

from __future__ import annotations

import contextlib
import time
from collections import defaultdict
from datetime import UTC

from sqlalchemy import create_engine, text

from . import bulk, common, web
from .stats import Row, Target, median, number, percentile

P95_LIMIT_MS = 50.0
RATIO_LIMIT = 1.3
TABLES = ("case_record", "subject", "alias", "user_task", "audit_entry")

TASK_QUERIES = (
    ("my groups' queue, soonest due", {}),
    ("a team's unassigned tasks", {"group": "cc-casework", "unassigned": "true"}),
    ("one kind of task", {"task": "consider_detention"}),
    ("overdue", {"overdue": "true"}),
    ("page 10", {"page": 10}),
    ("my own tasks", {"assignee": "me"}),
)
SEARCHES = ("family name", "given and family name", "alias", "PNC ID", "case reference")


def _searches(sample: dict, i: int) -> list[tuple[str, dict]]:
    family, given, pnc = sample["subjects"][i % len(sample["subjects"])]
    return [
        ("family name", {"q": family}),
        ("given and family name", {"q": f"{given} {family}"}),
        ("alias", {"q": sample["aliases"][i % len(sample["aliases"])]}),
        ("PNC ID", {"q": pnc}),
        ("case reference", {"q": sample["references"][i % len(sample["references"])]}),
    ]


def _stats(url: str) -> dict:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT relname, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables "
                "WHERE schemaname = current_schema()"
            )
        ).all()
    engine.dispose()
    return {r.relname: (r.seq_scan or 0, r.seq_tup_read or 0, r.idx_scan or 0) for r in rows}


def _browser_queries(urls: dict, sample: dict, repeat: int, log) -> dict:
    """The caseworkers' pages' own queries (casework/queries/), called in process on each
    database in turn: the team queue page and the search by name. No HTTP, no templates."""
    from datetime import datetime

    from sqlalchemy.orm import Session

    from casework.queries import cases as case_queries
    from casework.queries import tasks as task_queries

    engines = {size: create_engine(url) for size, url in urls.items()}
    timings: dict = defaultdict(list)
    try:
        for turn in range(repeat + 1):
            family = sample["subjects"][turn % len(sample["subjects"])][0]
            for size, engine in engines.items():
                with Session(engine) as session:
                    started = time.perf_counter()
                    task_queries.queue(session, now=datetime.now(UTC), group="cc-casework")
                    queue = (time.perf_counter() - started) * 1000
                    started = time.perf_counter()
                    case_queries.search(session, name=family)
                    search = (time.perf_counter() - started) * 1000
                if turn:  # the first is a warm-up
                    timings[("queue", size)].append(queue)
                    timings[("search", size)].append(search)
        log(
            "  browser queries: "
            + "; ".join(f"{kind} {size:,}: {median(v):.0f} ms" for (kind, size), v in sorted(timings.items()))
        )
    finally:
        for engine in engines.values():
            engine.dispose()
    return timings


def disk_bytes(url: str) -> dict:
    """Bytes on disk per table, with its TOAST and indexes; and the instance state as stored."""
    engine = create_engine(url)
    with engine.connect() as connection:
        sizes = {t: connection.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar() for t in TABLES}
        stored = connection.execute(
            text(
                "SELECT avg(pg_column_size(instance_state)), "
                "max(pg_column_size(instance_state)), count(*) FROM case_record"
            )
        ).one()
    engine.dispose()
    return {
        "tables": sizes,
        "state_mean": float(stored[0] or 0),
        "state_max": int(stored[1] or 0),
        "cases": int(stored[2]),
    }


def measure(run: common.Run, snapshots) -> tuple[list[Row], list[str], dict]:
    """Rows for the table, detail lines (per query, per size), and the on-disk sizes."""
    what = "2. queue and search"
    if not run.postgres:
        return (
            [
                Row(
                    what,
                    "task queue and case search over HTTP",
                    text="not measured",
                    spread_text=f"no PostgreSQL: {run.postgres_missing}",
                )
            ],
            [],
            {},
        )
    small, large = 1_000, (20_000 if run.quick else 100_000)
    rounds, repeat = (3, 2) if run.quick else (5, 3)
    generator = bulk.Generator(snapshots)
    latencies: dict = defaultdict(list)  # (kind, size, round) -> [ms]
    per_query: dict = defaultdict(list)  # (name, size) -> [ms]
    with common.workdir() as folder, contextlib.ExitStack() as stack:
        urls, secrets = {}, {}
        for size in (small, large):
            url, _ = stack.enter_context(common.postgres_schema(run.postgres, prefix=f"bench_{size}"))
            bulk.create_schema(url)
            started = time.perf_counter()
            bulk.load_postgres(url, generator, size, common.settings(folder), log=run.log)
            run.log(f"  loaded {size:,} cases in {time.perf_counter() - started:.0f} s")
            # one of the case owners the load assigns tasks to, so "my own tasks" finds some
            secrets[size] = web.make_users(url, {bulk.OWNERS[0]: ["caseworker"]})[bulk.OWNERS[0]]
            urls[size] = url
        addresses = {
            size: stack.enter_context(web.serve(urls[size], 1, folder / f"web{size}", f"web{size}")).address
            for size in (small, large)
        }
        clients = {size: web.Client(addresses[size], secrets[size]) for size in (small, large)}
        sample = bulk.sample(urls[small])  # names present in both: the large load starts with the same cases

        def call(kind, name, path, params, number_):
            for size in (small, large) if number_ % 2 == 0 else (large, small):
                status, seconds, body = clients[size].get(path, params)
                if status != 200:
                    raise RuntimeError(f"GET {path} {params} on {size:,} cases: {status} {body}")
                if number_ >= 0:
                    latencies[(kind, size, number_)].append(seconds * 1000)
                    per_query[(name, size)].append(seconds * 1000)

        for name, params in TASK_QUERIES:  # warm up: imports, connections, caches
            call("tasks", name, "/api/v1/tasks", params, -1)
        for name, params in _searches(sample, 0):
            call("search", name, "/api/v1/cases", params, -1)
        before = _stats(urls[large])
        for number_ in range(rounds):
            for i in range(repeat):
                for name, params in TASK_QUERIES:
                    call("tasks", name, "/api/v1/tasks", params, number_)
                for name, params in _searches(sample, number_ * repeat + i + 1):
                    call("search", name, "/api/v1/cases", params, number_)
            run.log(
                f"  round {number_ + 1}/{rounds}: "
                + "; ".join(
                    f"{kind} p95 {percentile(latencies[(kind, small, number_)], 95):.0f} ms / "
                    f"{percentile(latencies[(kind, large, number_)], 95):.0f} ms"
                    for kind in ("tasks", "search")
                )
            )
        time.sleep(1.5)  # let the servers' backends report their statistics
        after = _stats(urls[large])
        browser = _browser_queries(urls, sample, 2, run.log)
        disk = {size: disk_bytes(urls[size]) for size in (small, large)}

    rows = []
    big = f"{large:,}"
    judged = not run.quick
    for kind, label in (("tasks", "task queue GET /api/v1/tasks"), ("search", "case search GET /api/v1/cases?q=")):
        p = {
            (size, q): [percentile(latencies[(kind, size, r)], q) for r in range(rounds)]
            for size in (small, large)
            for q in (50, 95)
        }
        rows.append(Row(what, f"{label}: p50, 1,000 cases", "ms", p[(small, 50)]))
        rows.append(Row(what, f"{label}: p95, 1,000 cases", "ms", p[(small, 95)]))
        rows.append(Row(what, f"{label}: p50, {big} cases", "ms", p[(large, 50)]))
        rows.append(
            Row(
                what,
                f"{label}: p95, {big} cases",
                "ms",
                p[(large, 95)],
                Target("<=", P95_LIMIT_MS) if judged else None,
                note="" if judged else "quick run: the target is for 100,000 cases",
            )
        )
        ratios = [b / s for b, s in zip(p[(large, 95)], p[(small, 95)], strict=False)]
        rows.append(
            Row(what, f"{label}: p95 ratio {big} / 1,000", "x", ratios, Target("<=", RATIO_LIMIT) if judged else None)
        )
    for kind, label in (
        ("queue", "browser's team queue, queries.tasks.queue (in process)"),
        ("search", "browser's search by name, queries.cases.search (in process)"),
    ):
        rows.append(Row(what, f"{label}: 1,000 cases", "ms", browser[(kind, small)]))
        rows.append(Row(what, f"{label}: {big} cases", "ms", browser[(kind, large)]))
        rows.append(
            Row(
                what,
                f"{label}: ratio {big} / 1,000",
                "x",
                [b / s for b, s in zip(browser[(kind, large)], browser[(kind, small)], strict=False)],
            )
        )
    scans = []
    for table in TABLES:
        seq = after.get(table, (0, 0, 0))[0] - before.get(table, (0, 0, 0))[0]
        read = after.get(table, (0, 0, 0))[1] - before.get(table, (0, 0, 0))[1]
        if seq and read / seq > 1000:
            scans.append(f"{table} ({seq} scans, {read / seq:,.0f} rows each)")
    rows.append(
        Row(
            what,
            f"tables read whole (sequential scans) while serving {big} cases",
            text=str(len(scans)),
            spread_text="see note",
            note="; ".join(scans) or "none",
        )
    )
    details = [
        f"| {name} | {kind} | "
        + " | ".join(
            f"{number(median(per_query[(name, size)]))} / {number(percentile(per_query[(name, size)], 95))}"
            for size in (small, large)
        )
        + " |"
        for kind, names in (("task queue", [n for n, _ in TASK_QUERIES]), ("case search", SEARCHES))
        for name in names
    ]
    details.insert(0, f"| query | endpoint | 1,000 cases: p50 / p95 ms | {big} cases: p50 / p95 ms |")
    details.insert(1, "|---|---|---|---|")
    return rows, details, disk
