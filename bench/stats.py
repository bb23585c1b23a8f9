"""Medians, spreads, percentiles and the rows of the result table, with their targets."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field


def percentile(values, p: float) -> float:
    """The p-th percentile (0-100), interpolated between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else math.nan


@dataclass(frozen=True)
class Target:
    """``value <= limit`` (or ``>=``, ``>``, ``==``)."""

    op: str
    limit: float

    def met(self, value: float) -> bool:
        return {
            "<=": value <= self.limit,
            ">=": value >= self.limit,
            ">": value > self.limit,
            "==": value == self.limit,
        }[self.op]

    def __str__(self):
        return f"{self.op} {_number(self.limit)}"


@dataclass
class Row:
    """One figure of the table: its repeated values (one per round) or a summary given as text."""

    measure: str
    figure: str
    unit: str = ""
    values: list = field(default_factory=list)
    target: Target | None = None
    # for figures that are not a median over rounds (bytes: mean and max over wait states)
    text: str | None = None
    spread_text: str | None = None
    judged: float | None = None  # what the target is checked against when ``text`` is given
    note: str = ""

    @property
    def value(self) -> float:
        return self.judged if self.judged is not None else median(self.values)

    def value_text(self) -> str:
        if self.text is not None:
            return self.text
        return f"{_number(self.value)} {self.unit}".strip()

    def spread(self) -> str:
        if self.spread_text is not None:
            return self.spread_text
        if len(self.values) < 2:
            return "(one run)" if self.values else ""
        return f"{_number(min(self.values))}–{_number(max(self.values))} (n={len(self.values)})"

    def verdict(self) -> str:
        if self.target is None:
            return ""
        value = self.value
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "not measured"
        if self.target.met(value):
            return "met"
        limit = self.target.limit
        if self.target.op == "==":
            return f"MISSED: {_number(value)}, must be {_number(limit)}"
        if self.target.op == "<=":
            over = value - limit
            return f"MISSED by {_number(over)} {self.unit}".rstrip() + (
                f" ({value / limit:.2f}x the target)" if limit else ""
            )
        short = limit - value
        return f"MISSED by {_number(short)} {self.unit}".rstrip() + (
            f" ({value / limit:.2f}x the target)" if limit else ""
        )


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int) or float(value).is_integer() and abs(value) >= 100:
        return f"{int(round(value)):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def number(value) -> str:
    return _number(value)


HEADERS = ("measure", "figure", "median", "spread: min–max over runs", "target", "verdict")


def _cells(row: Row) -> tuple[str, ...]:
    return (row.measure, row.figure, row.value_text(), row.spread(), str(row.target or ""), row.verdict())


def text_table(rows: list[Row]) -> str:
    cells = [HEADERS, *(_cells(r) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = []
    for number_, line in enumerate(cells):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if number_ == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[Row]) -> str:
    def escape(text):
        return text.replace("|", "\\|")

    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        lines.append("| " + " | ".join(escape(c) for c in _cells(row)) + " |")
    return "\n".join(lines)


def notes(rows: list[Row]) -> list[str]:
    return [f"{row.measure}, {row.figure.strip()}: {row.note}" for row in rows if row.note]
