"""Measure 6: an approval over HTTP. Create a referral over the API, show its first task and
complete it, against gunicorn with one sync worker, on a SQLite file and on PostgreSQL, with 1
and with 4 clients; against the same steps on the bare engine in memory.

A client shows the first task from the referral's answer when that answer carries the case's
ready tasks with their forms; otherwise it asks for the case's tasks and then for the task, as a
client had to before. Each round gives every server and client count the same time, one after
the other (the order turns each round), and runs a batch on the bare engine; ratios are taken
inside the round. SQL statements and commits are counted in process, through the same app on
the same kind of database (Flask's test client instead of gunicorn: the same requests, the
same code).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter

from sqlalchemy import create_engine, event

from webapp.db import db

from . import common, drive, web
from .stats import Row, Target, median

CLIENTS = (1, 4)
FIRST_TASK = "check_certificate"
TARGET_RATE = 30.0  # approvals per second, SQLite, one worker, one client (issue 14)
TARGET_STATEMENTS = 40


def _referral(scenario: dict) -> dict:
    body = {"referral": scenario["referral"]}
    if scenario.get("certificate"):
        body["certificate"] = scenario["certificate"]
    return body


def _first_task(scenario: dict) -> int:
    """The index of the scenario's first task step (``check`` steps may come before it)."""
    return next((i for i, step in enumerate(scenario["steps"]) if "task" in step), -1)


def _answers(scenario: dict) -> dict:
    index = _first_task(scenario)
    step = scenario["steps"][index] if index >= 0 else {}
    if step.get("task") != FIRST_TASK:
        raise RuntimeError(f"{common.REFERRAL_SCENARIO.name} must start with {FIRST_TASK}")
    return step.get("answers") or {}


def approve(http, body: dict, answers: dict) -> tuple[bool, int]:
    """One approval over HTTP; (done, requests made)."""
    status, _, created = http.post("/api/v1/referrals", body)
    if status != 201:
        return False, 1
    requests = 1
    ready = [t for t in created.get("tasks") or [] if t.get("bpmn_id") == FIRST_TASK and t.get("form")]
    if ready:
        task = ready[0]  # the answer carries the task with its form: nothing more to ask
    else:
        status, _, listed = http.get("/api/v1/tasks", {"case": created["reference"], "task": FIRST_TASK})
        requests += 1
        if status != 200 or not listed["items"]:
            return False, requests
        status, _, task = http.get(f"/api/v1/tasks/{listed['items'][0]['id']}")
        requests += 1
        if status != 200:
            return False, requests
    status, _, _ = http.post(f"/api/v1/tasks/{task['id']}/complete", {"answers": answers})
    return status == 200, requests + 1


class Load:
    def __init__(self, address, secrets: list[str], body: dict, answers: dict, seconds: float):
        self.address, self.secrets, self.body, self.answers, self.seconds = address, secrets, body, answers, seconds
        self.done = 0
        self.failed = 0
        self.requests = 0
        self.lock = threading.Lock()

    def client(self, token: str, deadline: float) -> None:
        http = web.Client(self.address, token)
        while time.perf_counter() < deadline:
            ok, requests = approve(http, self.body, self.answers)
            with self.lock:
                self.requests += requests
                if ok:
                    self.done += 1
                else:
                    self.failed += 1

    def run(self) -> float:
        started = time.perf_counter()
        deadline = started + self.seconds
        threads = [threading.Thread(target=self.client, args=(token, deadline)) for token in self.secrets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.done / (time.perf_counter() - started)


def count_sql(url: str, folder, tokens: list[str], body: dict, answers: dict, n: int) -> tuple[float, float, float]:
    """(statements, commits, requests) per approval, median over ``n``, through the app in process."""
    from casework.config import Settings
    from webapp import create_app

    settings = Settings.from_env(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "ACRO_INSTANCE_DIR": str(folder),
            "ACRO_DOCUMENTS_DIR": str(folder / "documents"),
            "ACRO_SEND_EMAIL": "false",
        }
    )
    app = create_app(settings=settings)
    counts = Counter()

    def statement(*_):
        counts["statements"] += 1

    def commit(*_):
        counts["commits"] += 1

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", statement)
        event.listen(engine, "commit", commit)
    http = _TestClient(app.test_client(), tokens[0])
    per = {"statements": [], "commits": [], "requests": []}
    try:
        for _ in range(n):
            counts.clear()
            ok, requests = approve(http, body, answers)
            if not ok:
                raise RuntimeError("an approval through the test client failed")
            per["statements"].append(counts["statements"])
            per["commits"].append(counts["commits"])
            per["requests"].append(requests)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return median(per["statements"]), median(per["commits"]), median(per["requests"])


class _TestClient:
    """``web.Client``'s calls over Flask's test client."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def get(self, path, params=None):
        response = self.client.get(path, query_string=params, headers=self.headers)
        return response.status_code, 0.0, response.get_json(silent=True)

    def post(self, path, body=None):
        response = self.client.post(path, json=body if body is not None else {}, headers=self.headers)
        return response.status_code, 0.0, response.get_json(silent=True)


def _bare(bundle, scenario: dict, settings, n: int) -> float:
    """ms per approval on the bare engine: start the case, run to its first task, complete it."""
    first = {**scenario, "steps": [s for s in scenario["steps"][: _first_task(scenario) + 1] if "task" in s]}
    started = time.perf_counter()
    for _ in range(n):
        drive.bare_referral(bundle, first, settings)
    return (time.perf_counter() - started) / n * 1000


def measure(run: common.Run) -> tuple[list[Row], list[str]]:
    what = "6. approval over HTTP"
    rounds, seconds = (2, 2.0) if run.quick else (4, 3.0)
    scenario = drive.load(common.REFERRAL_SCENARIO)
    body, answers = _referral(scenario), _answers(scenario)
    users = {f"approver{n}": ["workflow"] for n in range(max(CLIENTS))}
    rates: dict[tuple[str, int], list[float]] = {}
    bare_ms: list[float] = []
    sql: dict[str, tuple] = {}
    failed = Counter()
    requests = Counter()
    done = Counter()
    with contextlib.ExitStack() as stack:
        folder = stack.enter_context(common.workdir())
        settings = common.settings(folder, send_email=False)
        bundle = drive.current_bundle(settings)
        urls = {"SQLite": stack.enter_context(common.sqlite_file(folder, "approval.sqlite"))}
        if run.postgres:
            urls["PostgreSQL"] = stack.enter_context(common.postgres_schema(run.postgres, prefix="bench_approval"))[0]
        servers, secrets = {}, {}
        for name, url in urls.items():
            engine = create_engine(url)
            db.metadata.create_all(engine)
            engine.dispose()
            made = web.make_users(url, users)
            secrets[name] = [made[u] for u in users]
            sql[name] = count_sql(url, folder / f"count-{name}", secrets[name], body, answers, 5)
            run.log(f"  {name}: {sql[name][0]:.0f} statements, {sql[name][1]:.0f} commits per approval")
            servers[name] = stack.enter_context(web.serve(url, 1, folder / f"approval-{name}", f"approval-{name}"))
            warm = Load(servers[name].address, secrets[name][:1], body, answers, 1.0)
            warm.run()
        _bare(bundle, scenario, settings, 2)
        jobs = [(name, clients) for name in urls for clients in CLIENTS]
        for key in jobs:
            rates[key] = []
        for number in range(rounds):
            bare_ms.append(_bare(bundle, scenario, settings, 5 if run.quick else 10))
            turn = number % len(jobs)
            for name, clients in jobs[turn:] + jobs[:turn]:
                load = Load(servers[name].address, secrets[name][:clients], body, answers, seconds)
                rates[(name, clients)].append(load.run())
                failed[(name, clients)] += load.failed
                requests[(name, clients)] += load.requests
                done[(name, clients)] += load.done
            run.log(
                f"  round {number + 1}/{rounds}: bare {bare_ms[-1]:.0f} ms; "
                + ", ".join(f"{n} {c} client{'s' if c > 1 else ''} {rates[(n, c)][-1]:.1f}/s" for n, c in jobs)
            )
    rows = [Row(what, "bare engine in memory: the same steps, same handlers, fakes", "ms", bare_ms)]
    for name in ("SQLite", "PostgreSQL"):
        label = "SQLite file" if name == "SQLite" else "PostgreSQL"
        if name not in urls:
            rows.append(
                Row(what, f"{label}", text="not measured", spread_text=f"no PostgreSQL: {run.postgres_missing}")
            )
            continue
        statements, commits, asked = sql[name]
        rows.append(
            Row(
                what,
                f"{label}: SQL statements per approval",
                text=f"{statements:.0f}",
                judged=statements,
                spread_text=f"{commits:.0f} commits, {asked:.0f} requests",
                target=Target("<=", TARGET_STATEMENTS),
            )
        )
        for clients in CLIENTS:
            key = (name, clients)
            label_c = f"{label}, 1 worker, {clients} client{'s' if clients > 1 else ''}"
            rows.append(
                Row(
                    what,
                    f"{label_c}: approvals per second",
                    "/s",
                    rates[key],
                    Target(">=", TARGET_RATE) if (name, clients) == ("SQLite", 1) else None,
                    note=f"{failed[key]} failed" if failed[key] else "",
                )
            )
            ratios = [1000 / max(r, 1e-9) / b for r, b in zip(rates[key], bare_ms, strict=False)]
            rows.append(Row(what, f"{label_c}: ratio ms per approval / bare", "x", ratios))
    details = [
        "approvals done (requests made): "
        + ", ".join(f"{n} with {c}: {done[(n, c)]} ({requests[(n, c)]})" for n, c in rates)
    ]
    return rows, details
