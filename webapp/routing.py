"""Which methods a path has, for OPTIONS and 405 answers (the pages' and the API's alike)."""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import HTTPException

# routes that answer any method only to refuse it in their own words (the API's 404 and 405):
# they give a path no method of its own
CATCH_ALL_ENDPOINTS = {"api.unknown"}
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods() -> list[str]:
    """The methods the request's path has, without those only a catch-all route answers."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = []
    for method in METHODS:
        try:
            rule, _ = adapter.match(method=method, return_rule=True)
        except HTTPException:
            continue
        if rule.endpoint not in CATCH_ALL_ENDPOINTS:
            allowed.append(method)
    return allowed + ["OPTIONS"] if allowed else []
