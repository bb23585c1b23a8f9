"""Measure 1: what one referral costs through the service layer, persisting at every wait
state, against the same diagrams on the bare engine in memory with the same handlers.

Each round runs a batch on every side, one after the other (the order turns each round), and
takes the ratios inside the round.
"""

from __future__ import annotations

import contextlib
import time

from sqlalchemy.orm import Session

from adapters import pdf
from casework import bootstrap, database
from casework.models import Case
from engine.instance import Engine
from webapp.db import db

from . import common, drive
from .stats import Row, Target

TARGET = {"SQLite": 2.0, "PostgreSQL": 3.0}
TARGET_PLAIN = 4.0  # without PDFs, on either database (issue 14)


class Side:
    """One database the service layer persists to."""

    def __init__(self, name, url, settings, scenario, sender):
        self.name, self.url, self.settings, self.scenario, self.sender = name, url, settings, scenario, sender
        # with the app's own engine set-up (on SQLite: WAL, synchronous=NORMAL)
        self.engine = database.make_engine(url)
        db.metadata.create_all(self.engine)
        self.session = Session(self.engine)
        drive.ensure_people(self.session, scenario)

    def one(self) -> str:
        clock = drive.start_clock(self.scenario)
        service = bootstrap.build(self.session, self.settings, clock, self.sender)
        return drive.service_referral(service, clock, self.scenario)

    def batch(self, n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            self.one()
        return (time.perf_counter() - started) / n * 1000

    def close(self):
        self.session.close()
        self.engine.dispose()


@contextlib.contextmanager
def pdfs_not_rendered():
    """The real document store, with a stand-in for the PDF renderer (benchmark only)."""
    real = pdf.render
    pdf.render = lambda *args, **kwargs: b"%PDF-1.4\n% not rendered (benchmark)\n%%EOF\n"
    try:
        yield
    finally:
        pdf.render = real


def measure(run: common.Run) -> list[Row]:
    quick, postgres, log = run.quick, run.postgres, run.log
    rounds = 3 if quick else 7
    # referrals per batch: the bare engine is quicker, so it runs more per round
    bare_n, service_n = (3, 2) if quick else (6, 3)
    bare_plain_n = 10 if quick else 20  # without PDFs a bare referral takes ~15 ms: more of them
    scenario = drive.load(common.REFERRAL_SCENARIO)
    with common.workdir() as folder:
        settings = common.settings(folder)
        sender = common.DroppingSender()
        bundle = drive.current_bundle(settings)
        sides: dict[str, Side] = {}
        with common.sqlite_file(folder) as sqlite_url, common.maybe_postgres_schema(postgres) as pg_url:
            sides["SQLite"] = Side("SQLite", sqlite_url, settings, scenario, sender)
            if pg_url:
                sides["PostgreSQL"] = Side("PostgreSQL", pg_url, settings, scenario, sender)
            try:
                # warm up each side once, and check both ways take the same route to the same end
                bare = drive.bare_referral(bundle, scenario, settings)
                if not bare.completed:
                    raise RuntimeError("the bare engine did not finish the scenario")
                for side in sides.values():
                    reference = side.one()
                    case = side.session.query(Case).filter_by(reference=reference).one()
                    service_route = drive.visited(
                        Engine(drive.start_clock(scenario)).restore(bundle, case.instance_state)
                    )
                    if case.outcome != "Deported" or service_route != drive.visited(bare):
                        raise RuntimeError(
                            f"{side.name}: the service run and the bare run differ (outcome {case.outcome!r})"
                        )

                def bare_batch(render):
                    n = bare_n if render else bare_plain_n
                    started = time.perf_counter()
                    for _ in range(n):
                        drive.bare_referral(bundle, scenario, settings, render=render)
                    return (time.perf_counter() - started) / n * 1000

                def service_batch(side, render):
                    if render:
                        return side.batch(service_n)
                    with pdfs_not_rendered():
                        return side.batch(service_n)

                jobs = {("bare", True): lambda: bare_batch(True), ("bare", False): lambda: bare_batch(False)}
                for name, side in sides.items():
                    jobs[(name, True)] = lambda side=side: service_batch(side, True)
                    jobs[(name, False)] = lambda side=side: service_batch(side, False)
                times: dict = {key: [] for key in jobs}
                order = list(jobs)
                for job in jobs.values():  # one unmeasured batch each: caches, connections, imports
                    job()
                for number in range(rounds):
                    turn = number % len(order)
                    for key in order[turn:] + order[:turn]:
                        times[key].append(jobs[key]())
                    log(
                        f"  round {number + 1}/{rounds}: "
                        + ", ".join(
                            f"{name}{'' if render else ' (no PDF)'} {v[-1]:.0f} ms"
                            for (name, render), v in times.items()
                        )
                    )
            finally:
                for side in sides.values():
                    side.close()
    return _rows(run, times, sides)


def _rows(run, times, sides) -> list[Row]:
    what = "1. per referral"
    rows = [Row(what, "bare engine in memory, same handlers, fakes", "ms", times[("bare", True)])]
    for name in ("SQLite", "PostgreSQL"):
        label = "SQLite file" if name == "SQLite" else "PostgreSQL"
        if name not in sides:
            rows.append(
                Row(
                    what,
                    f"service layer, {label}",
                    text="not measured",
                    spread_text=f"no PostgreSQL: {run.postgres_missing}",
                )
            )
            continue
        rows.append(Row(what, f"service layer, {label}, saving at every wait state", "ms", times[(name, True)]))
        ratios = [s / b for s, b in zip(times[(name, True)], times[("bare", True)], strict=False)]
        rows.append(Row(what, f"ratio service ({label}) / bare", "x", ratios, Target("<=", TARGET[name])))
    rows.append(Row(what, "without PDF rendering: bare engine", "ms", times[("bare", False)]))
    for name in ("SQLite", "PostgreSQL"):
        if name not in sides:
            continue
        label = "SQLite file" if name == "SQLite" else "PostgreSQL"
        rows.append(Row(what, f"without PDF rendering: service layer, {label}", "ms", times[(name, False)]))
        ratios = [s / b for s, b in zip(times[(name, False)], times[("bare", False)], strict=False)]
        rows.append(
            Row(what, f"without PDF rendering: ratio ({label}) / bare", "x", ratios, Target("<=", TARGET_PLAIN))
        )
    return rows
