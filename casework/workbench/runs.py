"""Running the scenario suite against a draft: the scenario runner on a scratch in-memory
database, never the live one, away from the web request (a thread in the embedded mode, the
Celery worker in production). A full run of the 16 scenarios took 30 to 65 seconds on two
busy cores, most of it rendering the notices' PDFs."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from engine import bundle as engine_bundle

from ..database import session_factory
from ..errors import Conflict
from ..models import ProcessDraft, ScenarioRun
from ..scenarios import Runner, ScenarioError, load
from . import drafts

log = logging.getLogger(__name__)

# a run left "running" this long was lost with its process (a restart): another may start
ABANDONED_AFTER = timedelta(minutes=20)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def latest(session, draft: ProcessDraft) -> ScenarioRun | None:
    return session.scalars(
        select(ScenarioRun).where(ScenarioRun.draft_id == draft.id).order_by(ScenarioRun.id.desc()).limit(1)
    ).first()


def get(session, draft: ProcessDraft, run_id: int) -> ScenarioRun | None:
    run = session.get(ScenarioRun, run_id)
    return run if run is not None and run.draft_id == draft.id else None


def start(session, draft: ProcessDraft, actor, settings, now) -> tuple[ScenarioRun, bool]:
    """Record a run of the draft as it is now (and whether it is new: a run already going
    on is not started twice); the caller hands a new run's id to :func:`submit`. A draft
    that does not validate is refused: it cannot run."""
    if draft.status != "open":
        raise Conflict(f"draft {draft.id} is {draft.status}")
    found = drafts.problems(draft, settings)
    if found:
        raise Conflict(
            f"the draft has {len(found)} problem{'s' if len(found) != 1 else ''}: "
            f"fix {'them' if len(found) != 1 else 'it'} before running the scenarios"
        )
    current = latest(session, draft)
    if current is not None and current.state == "running" and now - current.started_at < ABANDONED_AFTER:
        return current, False
    run = ScenarioRun(
        draft_id=draft.id,
        digest=drafts.digest(draft),
        state="running",
        requested_by=actor.username,
        started_at=now,
        results=[],
        coverage={},
    )
    session.add(run)
    session.commit()
    return run, True


def submit(settings, run_id: int, clock, queue=None) -> None:
    """Run in the background: the worker's queue when there is one, else a thread of this
    process with a database session of its own."""
    if queue is not None:
        queue.run_scenarios(run_id)
        return
    global _executor
    with _executor_lock:
        if _executor is None:
            # one run at a time per process: runs are CPU-bound and the web requests come first
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scenario-run")
    _executor.submit(_in_thread, settings, run_id, clock)


def _in_thread(settings, run_id: int, clock) -> None:
    sessions = session_factory(settings.database_url)
    try:
        with sessions() as session:
            finish(session, run_id, settings, clock)
    finally:
        sessions.kw["bind"].dispose()  # an engine per run: its connections go with it


def finish(session, run_id: int, settings, clock) -> ScenarioRun | None:
    """Do a recorded run and store its outcome on the run."""
    run = session.get(ScenarioRun, run_id)
    if run is None or run.state != "running":
        return run
    draft = session.get(ProcessDraft, run.draft_id)
    files, kept = dict(draft.files), dict(draft.scenarios or {})
    changed = drafts.digest(draft) != run.digest
    session.commit()  # no transaction stays open through a minute of scenarios
    try:
        # the run answers for the draft as it was when it was asked for, or for nothing
        if changed:
            raise ValueError("the draft changed before the run began: run the scenarios again")
        if drafts.problems(files, settings):
            raise ValueError("the draft does not validate")
        results, coverage = perform(files, kept, settings)
        state = "passed" if results and all(r["passed"] for r in results) and coverage["complete"] else "failed"
        error = None
    except ValueError as exc:
        results, coverage, state, error = [], {}, "error", str(exc)
    except Exception as exc:  # the run's own failure is the analyst's answer, not a crash
        log.exception("scenario run %s failed", run_id)
        results, coverage, state, error = [], {}, "error", f"{type(exc).__name__}: {exc}"
    run = session.get(ScenarioRun, run_id)
    run.results, run.coverage, run.state, run.error = results, coverage, state, error
    run.finished_at = clock.now()
    session.commit()
    return run


def perform(files: dict[str, str], kept: dict, settings) -> tuple[list[dict], dict]:
    """Run the suite (settings.scenarios_dir with the draft's scenarios over it) against
    ``files`` on a fresh in-memory database per scenario; results and coverage."""
    with tempfile.TemporaryDirectory(prefix="acro-draft-run-") as tmp:
        processes = Path(tmp) / "processes"
        processes.mkdir()
        for name, text in files.items():
            (processes / name).write_text(text, encoding="utf-8")
        suite = Path(tmp) / "scenarios"
        source = Path(settings.scenarios_dir)
        if source.is_dir():
            shutil.copytree(source, suite, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            suite.mkdir()
        for name, text in kept.items():
            target = suite / name
            if text is None:
                target.unlink(missing_ok=True)
            else:
                target.write_text(text, encoding="utf-8")
        runner = Runner(processes, database_url="sqlite://")
        results = []
        started = time.perf_counter()
        try:
            for path in sorted(suite.glob("*.yaml")):
                begun = time.perf_counter()
                try:
                    result = runner.run(load(path), path.name)
                    failures, title = result.failures, result.name
                except ScenarioError as exc:
                    failures, title = [str(exc).replace(str(path), path.name)], path.stem
                except Exception as exc:  # a scenario that breaks the runner fails on its own
                    failures, title = [f"{type(exc).__name__}: {exc}"], path.stem
                results.append(
                    {
                        "file": path.name,
                        "name": title,
                        "passed": not failures,
                        "failures": failures,
                        "seconds": round(time.perf_counter() - begun, 2),
                    }
                )
            coverage = _coverage(runner.coverage, files, settings)
            coverage["seconds"] = round(time.perf_counter() - started, 1)
        finally:
            runner.close()
    return results, coverage


def _coverage(cov, files, settings) -> dict:
    catalogue = drafts.catalogue(settings)
    if cov is None:
        return {
            "complete": False,
            "processes": {},
            "rules": [{"id": r, "text": t, "covered": False, "modelled": False} for r, t in catalogue.items()],
            "nodes": [0, 0],
            "flows": [0, 0],
        }
    report = cov.report()
    file_of = {}
    for name, text in files.items():
        if name.endswith(".bpmn"):
            from lxml import etree

            root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
            for process in root.iter(f"{{{engine_bundle.BPMN_NS}}}process"):
                file_of[process.get("id")] = name
    processes = {}
    for process, row in report["processes"].items():
        processes[process] = {
            "file": file_of.get(process),
            "visited_nodes": sorted(b for p, b in cov.nodes if p == process),
            "visited_flows": sorted(f for p, f in cov.flows if p == process),
            "missing_nodes": row["missing_nodes"],
            "missing_flows": row["missing_flows"],
            "nodes": list(row["nodes"]),
            "flows": list(row["flows"]),
        }
    exercised, modelled = cov.rules_exercised(), cov.rules_modelled()
    rules = [{"id": r, "text": t, "covered": r in exercised, "modelled": r in modelled} for r, t in catalogue.items()]
    # a rule cited by an element that is not in the catalogue is already a validation problem
    complete = (
        report["nodes"][0] == report["nodes"][1]
        and report["flows"][0] == report["flows"][1]
        and all(r["covered"] and r["modelled"] for r in rules)
    )
    return {
        "complete": complete,
        "processes": processes,
        "rules": rules,
        "nodes": list(report["nodes"]),
        "flows": list(report["flows"]),
    }


def summary(run: ScenarioRun | None) -> dict:
    if run is None:
        return {}
    results = run.results or []
    coverage = run.coverage or {}
    rules = coverage.get("rules", [])
    return {
        "passed": sum(1 for r in results if r["passed"]),
        "failed": sum(1 for r in results if not r["passed"]),
        "total": len(results),
        "nodes": coverage.get("nodes", [0, 0]),
        "flows": coverage.get("flows", [0, 0]),
        "rules": [sum(1 for r in rules if r["covered"]), len(rules)],
        "complete": coverage.get("complete", False),
        "seconds": coverage.get("seconds"),
    }
