"""The rule catalogue (docs/acro-rules.md) and the rule IDs that diagram elements cite."""

from __future__ import annotations

import re
from pathlib import Path

RULE_LINE = re.compile(r"^- (?P<id>[A-Z]{2,4}-\d+) (?P<text>.+)$")
CITATION = re.compile(r"\b[A-Z]{2,4}-\d+\b")


def load_catalogue(path: str | Path) -> dict[str, str]:
    """Rule ID -> its text, from the markdown list items ``- ID text`` (continued lines join)."""
    rules, current = {}, None
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = RULE_LINE.match(line)
        if match:
            current = match.group("id")
            rules[current] = match.group("text").strip()
        elif current and line.startswith("  ") and line.strip():
            rules[current] += " " + line.strip()
        else:
            current = None
    return rules


def cited(documentation: str | None) -> list[str]:
    return sorted(set(CITATION.findall(documentation or "")), key=_order)


def _order(rule_id):
    prefix, _, number = rule_id.partition("-")
    return prefix, int(number)
