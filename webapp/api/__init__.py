"""The JSON API under /api/v1, for police forces, ACRO and reporting tools.

Built with flask-smorest from marshmallow schemas; the OpenAPI document is generated from
them and served at /api/v1/openapi.json. Callers sign in with a bearer token
(``acro tokens create``) and act as that token's user, with the same group checks as the
browser. Errors are ``application/problem+json``.
"""

from __future__ import annotations

import http

from flask_smorest import Api
from flask_smorest.utils import prepare_response

from .core import PREFIX, PROBLEM, ProblemSchema, bp

API_CONFIG = {
    "API_TITLE": "ACRO Casework API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "Referrals, cases, tasks, messages, documents and the audit trail of ACRO "
            "Casework. Every call needs `Authorization: Bearer <token>` (made with "
            "`acro tokens create USERNAME`). Reading a case, and listing or searching "
            "cases, needs a purpose (an `X-Purpose` header or a `purpose` parameter), "
            "which is logged with what was asked and the cases shown (FD-1). Errors are "
            "`application/problem+json` with messages per field."
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    },
}


class ProblemApi(Api):
    """flask-smorest's Api, with problem+json errors and no app-wide error handler."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # the API blueprint handles its own errors (webapp/api/core.py); the pages keep theirs
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error (problem details).", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_app(app) -> None:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = ProblemApi(app)
    from . import views  # noqa: F401  (registers the endpoints on bp)

    api.register_blueprint(bp)
    # a bearer token is not sent by a browser on its own, so the API needs no CSRF token
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
    app.extensions.setdefault("acro", {})["api"] = api
