"""What every page shares for its safety: CSRF tokens on every form, a Content Security
Policy with no inline script, sign-in attempts limited per address, and input no person
types (control characters, ids too big for the database) refused at the door."""

from __future__ import annotations

import re

from flask import abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from casework.referral import CONTROL_CHARACTERS

from ..routing import allowed_methods

csrf = CSRFProtect()

# everything comes from the app itself: no CDN, no inline script, no framing
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# a certificate's PDF is shown inside the app's own pages (the check task, the case page)
FRAMED_BY_OWN_PAGES = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
}

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def _bearer_api_call() -> bool:
    """A JSON API call that authenticates with a bearer token rides on no cookie, so a
    cross-site request cannot borrow it: CSRF does not apply. Any other request is checked."""
    return request.path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Bearer ")


def answer_options():
    """OPTIONS lists what the route has (werkzeug's own answer would add every method of the
    API's catch-all route to every API path); a path with no route is a 404."""
    if request.method != "OPTIONS":
        return None
    allowed = allowed_methods()
    if not allowed:
        if request.path.startswith("/api/"):
            return None  # the API's catch-all answers its own 404, as problem details
        abort(404)
    response = current_app.response_class(status=200)
    response.headers["Allow"] = ", ".join(allowed)
    return response


# -- input no person types ---------------------------------------------------------------
# a form's text may hold tabs and line ends (long answers); a path or a query string never does
IN_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
EVERY_FORM_FIELD = None
# pages that check some of their own fields and say what is wrong beside the field, keeping
# what was typed; every other field of every page is checked here
OWN_CHECKS: dict[str, frozenset | None] = {
    "tasks.task": EVERY_FORM_FIELD,  # each answer by the task's form (casework.forms)
    "referrals.new_referral": EVERY_FORM_FIELD,  # the one referral schema, naming each field
    "cases.record_event": frozenset({"details"}),
    "cases.purpose": frozenset({"other"}),
    "cases.search": frozenset({"name", "pnc_id", "reference", "dob-day", "dob-month", "dob-year", "other"}),
}
BAD_INPUT_MESSAGE = (
    "{where} has a character that cannot be used: a control character, such as one copied "
    "from another program. Go back, remove it and try again."
)


def _checked_here(own: frozenset | None, key: str, *, in_form: bool) -> bool:
    if own is EVERY_FORM_FIELD:
        return not in_form  # the page checks its form; its query string is checked here
    return key not in own


def refuse_control_characters():
    """400 for a page's path, query string or form with control characters: no person types
    them, PostgreSQL cannot keep NUL, and the API refuses them too (webapp/api/core.py)."""
    if request.path.startswith("/api/"):
        return  # the API says so in its own format, once it knows who is calling
    own = OWN_CHECKS.get(request.endpoint, frozenset())
    where = []
    if IN_ONE_LINE.search(request.path):
        where.append("The web address")
    for key, value in request.args.items(multi=True):
        if IN_ONE_LINE.search(key) or (_checked_here(own, key, in_form=False) and IN_ONE_LINE.search(value)):
            where.append("The web address")
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        for key, value in request.form.items(multi=True):
            if IN_ONE_LINE.search(key):
                where.append("A field name")
            elif _checked_here(own, key, in_form=True) and CONTROL_CHARACTERS.search(value):
                where.append(f"The field {key!r}")
        for key, upload in request.files.items(multi=True):
            if IN_ONE_LINE.search(key) or IN_ONE_LINE.search(upload.filename or ""):
                where.append("The name of the file you chose")
    if where:
        abort(400, description=BAD_INPUT_MESSAGE.format(where=where[0]))


MAX_ID = 2**31 - 1  # PostgreSQL's integer


class IdConverter(IntegerConverter):
    """A row id in a path: a whole number the database's integer column can hold. A bigger
    one is a page that does not exist (404), never a database error."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


def has_control_characters(value: str | None, *, one_line: bool = False) -> bool:
    """For the pages that check their own fields (OWN_CHECKS)."""
    return bool(value) and bool((IN_ONE_LINE if one_line else CONTROL_CHARACTERS).search(value))


def init_app(app) -> None:
    # before anything else: OPTIONS needs no sign-in and reads nothing
    app.before_request(answer_options)
    app.before_request(refuse_control_characters)
    # every unsafe request is checked (all forms), except bearer-token API calls
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def check_csrf():
        if app.config.get("WTF_CSRF_ENABLED", True) and not _bearer_api_call():
            csrf.protect(apply_exemptions=True)

    # one limiter per app, so each app (and each test's app) counts on its own storage
    limiter = Limiter(
        get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"], headers_enabled=False
    )
    app.extensions["acro"]["limiter"] = limiter

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # pages hold personal data: never keep them in a shared cache or the browser's history cache
        if response.mimetype == "text/html" or request.endpoint in NO_STORE_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response


NO_STORE_ENDPOINTS = {"cases.document", "cases.certificate", "cases.progress"}


def limit_sign_in(app) -> None:
    """Failed sign-ins are limited per address (SIGNIN_RATE_LIMIT); a success does not count."""
    limiter = app.extensions["acro"]["limiter"]
    view = app.view_functions["auth.sign_in"]
    app.view_functions["auth.sign_in"] = limiter.limit(
        app.config["SIGNIN_RATE_LIMIT"], methods=["POST"], deduct_when=lambda response: response.status_code != 302
    )(view)
