"""python -m bench [--quick] [--only 1,2,...] [--markdown FILE]

Runs the measures and prints one table (progress goes to stderr). PostgreSQL is taken from
ACRO_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test); each
measure works in a schema of its own that it drops afterwards. Without PostgreSQL, the
measures that need it say so in the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import common
from .stats import Row, markdown_table, notes, text_table

MEASURES = ("1", "2", "3", "4", "5", "6")


def _log(started):
    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    return log


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--quick", action="store_true", help="a short run of the same measures")
    parser.add_argument("--only", default=",".join(MEASURES), help="which measures, e.g. 1,3 (default: all)")
    parser.add_argument("--markdown", type=Path, help="also write the table and details as Markdown to FILE")
    args = parser.parse_args(argv)
    only = {m.strip() for m in args.only.split(",") if m.strip()}
    if only - set(MEASURES):
        parser.error(f"--only takes measure numbers from {', '.join(MEASURES)}")

    started = time.perf_counter()
    log = _log(started)
    missing = common.postgres_available()
    if missing:
        log(f"no PostgreSQL at {common.POSTGRES_URL} ({missing}): its measures are skipped")
    run = common.Run(args.quick, None if missing else common.POSTGRES_URL, missing, log)
    info = common.machine()
    log(
        f"{'quick run' if args.quick else 'full run'} on {info['nproc']} cores, {info['cpu']}, "
        f"Python {info['python']}, PostgreSQL {info['postgresql']}"
    )

    rows: dict[str, list[Row]] = {}
    details: dict[str, list[str]] = {}
    if "5" in only:
        from . import parsing

        log("5. loading the process")
        rows["5"] = parsing.measure(run)
    if "1" in only:
        from . import referral

        log("1. per referral: service layer against the bare engine")
        rows["1"] = referral.measure(run)
    snapshots = None
    if only & {"2", "3"}:
        from . import storage

        log("3. stored bytes per case at every wait state of every scenario")
        rows["3"], snapshots = storage.measure(run)
    if "2" in only:
        from . import queues

        log("2. task queue and case search over HTTP, 1,000 and many cases")
        rows["2"], details["2"], disk = queues.measure(run, snapshots)
        if "3" in only and disk:
            rows["3"].extend(_disk_rows(disk))
    if "4" in only:
        from . import concurrency

        log(f"4. {concurrency.CLIENTS} clients claiming and completing over HTTP, 1 and 2 web workers")
        rows["4"], details["4"] = concurrency.measure(run)
    if "6" in only:
        from . import approval

        log("6. approval over HTTP: referral, its first task, completed; gunicorn, 1 worker, 1 and 4 clients")
        rows["6"], details["6"] = approval.measure(run)
    if "3" not in only:
        rows.pop("3", None)

    ordered = [row for key in MEASURES for row in rows.get(key, [])]
    elapsed = time.perf_counter() - started
    heading = (
        f"{'Quick run' if args.quick else 'Full run'} of {info['date']} on {info['nproc']} cores "
        f"({info['cpu']}), Python {info['python']}, PostgreSQL {info['postgresql']}, "
        f"SQLite {info['sqlite']}, SpiffWorkflow {info['spiffworkflow']}, gunicorn {info['gunicorn']}; "
        f"took {elapsed:.0f} s."
    )
    print()
    print(heading)
    print()
    print(text_table(ordered))
    for line in notes(ordered):
        print(f"* {line}")
    for key in MEASURES:
        for line in details.get(key, []):
            if not line.startswith("|"):
                print(f"\n{key}. {line}")
    if details.get("2"):
        print("\n2. per query (p50 / p95 over every round):")
        print("\n".join(details["2"]))
    if args.markdown:
        text = [heading, "", markdown_table(ordered), "", *(f"* {line}" for line in notes(ordered))]
        if details.get("2"):
            text += ["", "Per query, over every round:", "", *details["2"]]
        for key in MEASURES:
            text += [f"\n{key}. {line}" for line in details.get(key, []) if not line.startswith("|")]
        args.markdown.write_text("\n".join(text) + "\n", encoding="utf-8")
    return 0


def _disk_rows(disk: dict) -> list[Row]:
    what = "3. stored per case"
    out = []
    for size, found in sorted(disk.items()):
        tables = found["tables"]
        per_case = sum(tables.values()) / max(found["cases"], 1)
        out.append(
            Row(
                what,
                f"on disk in PostgreSQL, with TOAST and indexes ({size:,} bulk cases)",
                "KB",
                text=f"{per_case / 1024:.1f} KB",
                spread_text="see note",
                note="KB per case: "
                + ", ".join(f"{t} {v / max(found['cases'], 1) / 1024:.1f}" for t, v in tables.items()),
            )
        )
    largest = disk[max(disk)]
    out.append(
        Row(
            what,
            "instance state as PostgreSQL stores it (zlib-compressed, in TOAST)",
            "KB",
            text=f"mean {largest['state_mean'] / 1024:.1f} KB, max {largest['state_max'] / 1024:.1f} KB",
            spread_text=f"{largest['cases']:,} bulk cases",
        )
    )
    return out


if __name__ == "__main__":
    sys.exit(main())
