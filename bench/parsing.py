"""Measure 5: loading the process. Parsing and validating everything in processes/ as
`acro validate` does (XSD validation, handlers, forms, groups, rule citations), and parsing it
into the bundle a new case starts on (what the service does once per process version)."""

from __future__ import annotations

import time

from engine import bundle as engine_bundle
from engine.rules import load_catalogue
from engine.validate import validate_dir
from handlers import load_all, registry

from . import common
from .stats import Row

RULES = common.REPO / "docs" / "acro-rules.md"


def measure(run: common.Run) -> list[Row]:
    rounds = 5 if run.quick else 15
    processes = common.REPO / "processes"
    load_all()
    topics, rules = set(registry.topics()), set(load_catalogue(RULES))
    files = engine_bundle.read_dir(processes)
    validate_times, parse_times = [], []
    problems = validate_dir(processes, topics, rules)  # warm up
    for _ in range(rounds):
        started = time.perf_counter()
        problems = validate_dir(processes, topics, rules)
        validate_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        engine_bundle.parse(engine_bundle.read_dir(processes))
        parse_times.append((time.perf_counter() - started) * 1000)
    what = "5. loading the process"
    count = f"{sum(n.endswith('.bpmn') for n in files)} BPMN + {sum(n.endswith('.dmn') for n in files)} DMN files"
    return [
        Row(what, f"acro validate processes/ ({count}; {len(problems)} problems)", "ms", validate_times),
        Row(what, "parse processes/ into a runnable bundle (once per version)", "ms", parse_times),
    ]
