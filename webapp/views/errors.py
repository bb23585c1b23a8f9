"""Error pages in the GOV.UK style, and the service's refusals turned into HTTP answers."""

from __future__ import annotations

from flask import render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden as HTTPForbidden
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound as HTTPNotFound

from casework.errors import Conflict, Forbidden, NotFound

from .filters import sentence

TITLES = {
    400: "There is a problem with your request",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Page not found",
    413: "The file is too big",
    409: "This has changed since you opened it",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def _is_page_request() -> bool:
    # the JSON API answers in its own way
    return not request.path.startswith("/api/")


def init_app(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error):
        if not _is_page_request():
            return error
        code = error.code or 500
        # werkzeug's own descriptions are for developers; a message of ours is for the reader
        message = error.description if error.description != type(error).description else ""
        return render_template(
            "errors/error.html", code=code, title=TITLES.get(code, error.name), message=message, error=error
        ), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if not _is_page_request():
            return error
        return render_template(
            "errors/error.html",
            code=400,
            title="Your form has expired",
            message="For your security, forms expire. Go back, reload the page and try again.",
            error=error,
        ), 400

    @app.errorhandler(NotFound)
    def not_found(error):
        return http_error(HTTPNotFound(sentence(error)))

    @app.errorhandler(Forbidden)
    def forbidden(error):
        return http_error(HTTPForbidden(sentence(error)))

    @app.errorhandler(Conflict)
    def conflict(error):
        """Someone else got there first (a task done or claimed meanwhile)."""
        if not _is_page_request():
            raise error
        return render_template(
            "errors/error.html",
            code=409,
            title="This has changed since you opened it",
            message=sentence(error),
            error=error,
        ), 409
