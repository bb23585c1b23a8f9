"""Every route of the app, read from its URL map, as a URL a test can call: a new page or
API endpoint is covered by the tests that walk these without anyone editing them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.routing import IntegerConverter, Rule

# the API's catch-all, which answers unknown paths and methods with problem details
CATCH_ALL_ENDPOINTS = {"api.unknown"}
# real values where a route's argument names a thing of the test's world; any other argument
# gets a value of its converter's kind
SAMPLE_ARGUMENTS = {
    "group": "cc-casework",
    "process_id": "acro_referral",
    "filename": "css/app.css",
    "package": "bpmn-js",
}


@dataclass
class Route:
    rule: Rule
    url: str
    arguments: dict

    @property
    def api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    @property
    def methods(self) -> list[str]:
        """The methods that do something (HEAD and OPTIONS only echo GET and the rule)."""
        return sorted(m for m in self.rule.methods if m not in ("HEAD", "OPTIONS"))

    def url_with(self, **overrides) -> str:
        return self.rule.build({**self.arguments, **overrides}, append_unknown=False)[1]


def sample_arguments(rule: Rule, world: dict) -> dict:
    values = {}
    for name in rule.arguments:
        if name == "reference":
            # the case with a generated document, where a route names one
            values[name] = world["b"] if "document_id" in rule.arguments else world["a"]
        elif name == "task_id":
            values[name] = world["a_task"]
        elif name == "document_id":
            is_int = isinstance(rule._converters[name], IntegerConverter)
            values[name] = world["b_document"] if is_int else f"document-{world['b_document']}"
        elif name in SAMPLE_ARGUMENTS:
            values[name] = SAMPLE_ARGUMENTS[name]
        elif isinstance(rule._converters[name], IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    return values


def concrete_routes(app, world: dict) -> list[Route]:
    """One Route per rule of the URL map (but the API's catch-all, which has no path of its own)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in CATCH_ALL_ENDPOINTS:
            continue
        arguments = sample_arguments(rule, world)
        routes.append(Route(rule, rule.build(arguments, append_unknown=False)[1], arguments))
    return routes


# -- hostile values ---------------------------------------------------------------------
HUGE = "9" * 30  # more than any integer column, SQLite's or PostgreSQL's
HOSTILE = {
    "huge integer": HUGE,
    "NUL": "a\x00b",
    "escape sequence": "\x1b[31mred",
    "bell": "ding\x07",
    "line break in one line": "/tasks\r\nSet-Cookie: stolen=1",
    "very long": "x" * 5000,
    "negative": "-1",
}
# fields many forms and queries share; each page's own fields are read from its forms
COMMON_FIELDS = (
    "page",
    "q",
    "name",
    "purpose",
    "other",
    "details",
    "event",
    "assignee",
    "next",
    "username",
    "password",
    "action",
    "dob-day",
    "dob-month",
    "dob-year",
    "pnc_id",
    "reference",
    "sort",
    "task",
    "overdue",
    "state",
    "stage",
    "outcome",
    "team",
    "case_owner",
    "page_size",
    "group",
    "assignee",
)
FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.I)


def form_fields(page: str) -> set[str]:
    """The names of the fields of a page's forms (but the CSRF token, which the client sends)."""
    return set(FIELD.findall(page)) - {"csrf_token"}


def hostile_path(route: Route, value: str) -> str | None:
    """The route's URL with every argument set to ``value``, where the argument takes text
    (an integer argument gets the huge integer instead); None if no argument is a path's."""
    if not route.arguments:
        return None
    values = {}
    for name in route.arguments:
        if isinstance(route.rule._converters[name], IntegerConverter):
            values[name] = HUGE if value == HUGE else route.arguments[name]
        else:
            values[name] = value
    try:
        return route.url_with(**values)
    except Exception:  # noqa: BLE001 - a value the converter cannot put in a URL cannot be sent either
        return None
