"""What every page shares for its safety: CSRF tokens on every form, a Content Security
Policy with no inline script, and sign-in attempts limited per address."""
from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

# everything comes from the app itself: no CDN, no inline script, no framing
CONTENT_SECURITY_POLICY = "; ".join([
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
])

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


def init_app(app) -> None:
    # every unsafe request is checked (all forms), except bearer-token API calls
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)

    @app.before_request
    def check_csrf():
        if app.config.get("WTF_CSRF_ENABLED", True) and not _bearer_api_call():
            csrf.protect(apply_exemptions=True)
    # one limiter per app, so each app (and each test's app) counts on its own storage
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      headers_enabled=False)
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


NO_STORE_ENDPOINTS = {"cases.document", "cases.progress"}


def limit_sign_in(app) -> None:
    """Failed sign-ins are limited per address (SIGNIN_RATE_LIMIT); a success does not count."""
    limiter = app.extensions["acro"]["limiter"]
    view = app.view_functions["auth.sign_in"]
    app.view_functions["auth.sign_in"] = limiter.limit(
        app.config["SIGNIN_RATE_LIMIT"], methods=["POST"],
        deduct_when=lambda response: response.status_code != 302)(view)
