"""The API blueprint and what every endpoint shares: bearer-token sign-in, errors as
``application/problem+json`` (RFC 9457), the purpose of a read (FD-1) and paging.

Error handlers are registered on this blueprint only: the browser pages keep their own.
"""

from __future__ import annotations

import math

from flask import Blueprint as FlaskBlueprint
from flask import current_app, g, jsonify, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException

from casework import tokens
from casework.errors import CaseworkError, Conflict, Forbidden, InvalidAnswers, NotFound, StepFailed
from casework.permissions import actor_for
from casework.referral import CONTROL_CHARACTERS
from webapp.db import db

from ..routing import allowed_methods

PROBLEM = "application/problem+json"
PREFIX = "/api/v1"
PROBLEM_TYPE = "urn:acro-casework:problem:"
MAX_PURPOSE = 500

bp = Blueprint(
    "api",
    __name__,
    url_prefix=PREFIX,
    description="ACRO Casework JSON API: referrals, cases, tasks, messages, documents and audit.",
)


class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details, with a message list per field where a field is wrong."""

    type = fields.String(required=True, metadata={"description": "what kind of problem (a URN, or about:blank)"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={
            "description": "messages per field; nested fields as dotted paths "
            "(referral.subject.date_of_birth, answers.offences_on_pnc)"
        },
    )
    by = fields.String(metadata={"description": "409: who did it or holds it"})
    at = fields.DateTime(metadata={"description": "409: when"})


class ApiProblem(Exception):
    """A refusal the API gives in its own words."""

    def __init__(
        self, status: int, slug: str, title: str, detail: str, errors: dict | None = None, headers: dict | None = None
    ):
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.errors, self.headers = errors, headers or {}


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
):
    body = {"type": PROBLEM_TYPE + slug if slug else "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update({k: v for k, v in (extra or {}).items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten(messages, prefix: str = "") -> dict:
    """marshmallow's nested messages as ``{"a.b.0.c": ["..."]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = (
                "body"
                if key == "_schema" and not prefix
                else (prefix if key == "_schema" else f"{prefix}.{key}" if prefix else str(key))
            )
            for k, v in flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            out.setdefault(prefix or "body", []).extend(messages)
        else:
            for item in messages:
                for k, v in flatten(item, prefix).items():
                    out.setdefault(k, []).extend(v)
    else:
        out.setdefault(prefix or "body", []).append(str(messages))
    return out


def _webargs_errors(data: dict) -> dict:
    messages = data.get("messages") or data.get("errors") or {}
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        # webargs files messages under their location (json, query, headers): the field is what matters
        for inner in messages.values():
            for k, v in flatten(inner).items():
                out.setdefault(k, []).extend(v)
    return out


@bp.errorhandler(ApiProblem)
def api_problem(exc: ApiProblem):
    return problem(exc.status, exc.title, exc.detail, slug=exc.slug, errors=exc.errors, headers=exc.headers)


@bp.errorhandler(HTTPException)
def http_problem(exc: HTTPException):
    data = getattr(exc, "data", None) or {}
    errors = _webargs_errors(data) if data else None
    status = exc.code or 500
    if status == 422 and errors:
        detail = "The request is not valid: see errors for each field."
    elif status == 400 and errors:
        detail = "The request could not be read: see errors."
    else:
        detail = exc.description or exc.name
    headers = dict(data.get("headers") or {})
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return problem(status, exc.name, detail, errors=errors, headers=headers)


STATUS_OF = [
    (NotFound, 404, "not-found", "Not found"),
    (Forbidden, 403, "forbidden", "Forbidden"),
    (Conflict, 409, "conflict", "Conflict"),
    (InvalidAnswers, 422, "invalid", "Unprocessable content"),
    (StepFailed, 500, "step-failed", "The process could not continue"),
]


@bp.errorhandler(CaseworkError)
def casework_problem(exc: CaseworkError):
    for cls, status, slug, title in STATUS_OF:
        if isinstance(exc, cls):
            if status >= 500:
                current_app.logger.error("API step failed: %s", exc)
            errors = flatten(exc.messages) if isinstance(exc, InvalidAnswers) else None
            extra = {"by": exc.by, "at": exc.at.isoformat() if exc.at else None} if isinstance(exc, Conflict) else None
            return problem(status, title, str(exc), slug=slug, errors=errors, extra=extra)
    return problem(400, "Bad request", str(exc), slug="refused")


@bp.errorhandler(Exception)
def unexpected(exc: Exception):
    current_app.logger.exception("API error on %s %s", request.method, request.path)
    return problem(500, "Internal server error", "Something went wrong on our side; it has been logged.")


def unknown(rest):
    """Any other path under /api/v1: 404, or 405 where the path exists for other methods."""
    allowed = allowed_methods()
    if allowed:
        return problem(
            405,
            "Method Not Allowed",
            f"{request.path} allows {', '.join(allowed)}.",
            headers={"Allow": ", ".join(allowed)},
        )
    return problem(404, "Not Found", f"There is no {request.path} in this API (see {PREFIX}/openapi.json).")


# registered on the Flask blueprint itself, so it stays out of the OpenAPI document
FlaskBlueprint.add_url_rule(
    bp, "/<path:rest>", "unknown", unknown, methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
)


# -- who is calling ---------------------------------------------------------------------
def _unauthorized(detail: str) -> ApiProblem:
    return ApiProblem(
        401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="acro-casework"'}
    )


@bp.before_request
def authenticate():
    """Every endpoint needs ``Authorization: Bearer <token>`` (``acro tokens create``)."""
    if request.endpoint == "api.unknown":
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized("Send a token: Authorization: Bearer <token> (made with 'acro tokens create').")
    clock = current_app.extensions["acro"]["clock"]
    caller = tokens.caller(db.session, token.strip(), clock.now())
    if caller is None:
        raise _unauthorized("The token is not valid: unknown, revoked, or its user is not active.")
    g.api_actor = actor_for(caller.username, caller.roles, current_app.config["ACRO_SETTINGS"].role_groups)
    refuse_control_characters()


# refused at the door, never a server error later
BAD_TEXT = CONTROL_CHARACTERS
BAD_TEXT_MESSAGE = "Control characters are not allowed."


def _bad_values(body) -> dict:
    """Fields of a JSON body with control characters, or numbers JSON does not have (NaN,
    Infinity: Python reads them, PostgreSQL refuses them)."""
    found = {}
    stack = [("", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if BAD_TEXT.search(value):
                found[path or "body"] = [BAD_TEXT_MESSAGE]
        elif isinstance(value, float) and not math.isfinite(value):
            found[path or "body"] = ["Not a valid number."]
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if BAD_TEXT.search(str(key)):
                    found[path or "body"] = [BAD_TEXT_MESSAGE]
                else:
                    stack.append((name, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return found


def refuse_control_characters():
    """400 for a path, parameter or header with control characters; 422 for such a body field."""
    where = {}
    if BAD_TEXT.search(request.path):
        where["path"] = [BAD_TEXT_MESSAGE]
    for key, value in request.args.items(multi=True):
        if BAD_TEXT.search(key) or BAD_TEXT.search(value):
            where[key if not BAD_TEXT.search(key) else "query"] = [BAD_TEXT_MESSAGE]
    for header in ("X-Purpose", "Idempotency-Key"):
        if BAD_TEXT.search(request.headers.get(header, "")):
            where[header] = [BAD_TEXT_MESSAGE]
    if where:
        raise ApiProblem(400, "control-characters", "Bad request", "The request has control characters.", errors=where)
    if request.is_json:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            raise ApiProblem(
                400,
                "too-deep",
                "Bad request",
                "The JSON body is nested too deeply.",
                errors={"body": ["Nested too deeply."]},
            ) from None
        found = _bad_values(body)
        if request.endpoint == "api.create_referral":
            # the one referral schema refuses these itself, naming the field as every channel does
            found = {k: v for k, v in found.items() if v != [BAD_TEXT_MESSAGE]}
        if found:
            raise ApiProblem(
                422,
                "invalid-values",
                "Unprocessable content",
                "The request has control characters or numbers that are not numbers: see errors.",
                errors=found,
            )


@bp.after_request
def no_store(response):
    # answers carry personal data: never kept by a shared cache
    response.headers["Cache-Control"] = "no-store"
    return response


def actor():
    return g.api_actor


def purpose(what: str = "this case") -> str:
    """Why the caller reads personal data (FD-1): the X-Purpose header or the purpose parameter."""
    text = (request.headers.get("X-Purpose") or request.args.get("purpose") or "").strip()
    if not text:
        raise ApiProblem(
            400,
            "purpose-required",
            "Purpose required",
            f"Say why you need {what}: an X-Purpose header or a purpose query parameter "
            "(every use of a subject's data is attributable to a person and a purpose, FD-1).",
            errors={"X-Purpose": [f"Enter why you need to see {what}."]},
        )
    if len(text) > MAX_PURPOSE:
        raise ApiProblem(
            400,
            "purpose-too-long",
            "Purpose too long",
            f"The purpose has {len(text)} characters; at most {MAX_PURPOSE}.",
            errors={"X-Purpose": [f"At most {MAX_PURPOSE} characters."]},
        )
    return text


def refuse(detail: str):
    raise ApiProblem(403, "forbidden", "Forbidden", detail)


PURPOSE_HEADER = {
    "in": "header",
    "name": "X-Purpose",
    "required": False,
    "schema": {"type": "string", "maxLength": MAX_PURPOSE},
    "description": "Why you read this personal data (FD-1). Either this header or the purpose "
    "query parameter is required; 400 without both.",
}


class PurposeQuery(Schema):
    purpose = fields.String(
        validate=validate.Length(max=MAX_PURPOSE),
        metadata={"description": "Why you read this case (FD-1), if not in X-Purpose."},
    )


class PageQuery(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def errors(*codes):
    """Document the problem responses an endpoint can give."""
    descriptions = {
        400: "The request could not be read (or a purpose is missing).",
        401: "No valid bearer token.",
        403: "The caller's groups do not allow this.",
        404: "No such case, task or document.",
        409: "The case is not in a state for this.",
        422: "The data is not valid: messages per field.",
        413: "The request is too large.",
    }

    def decorate(view):
        for code in reversed(codes):
            view = bp.alt_response(
                code, schema=ProblemSchema, content_type=PROBLEM, description=descriptions.get(code)
            )(view)
        return view

    return decorate
