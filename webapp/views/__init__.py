"""The caseworkers' pages: server-rendered GOV.UK Design System pages over the service layer.

One blueprint per area (``auth``, ``tasks``, ``cases``, ``referrals``, ``dashboard``), their
templates under ``webapp/templates/<area>/``, the GOV.UK Frontend assets served by the app
itself (``assets``), and the security every page shares (``security``).
"""

from __future__ import annotations

import os

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

SIGNIN_RATE_LIMIT = "5 per minute;20 per hour"


def _flag(environ, name, default: bool) -> bool:
    value = environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def config_defaults(settings, environ=None) -> dict:
    """The web pages' settings, from the environment, before a test's overrides.

    The session cookie is Secure in production; the embedded mode serves plain http on
    this machine, so there it is Secure only when SESSION_COOKIE_SECURE says so.
    """
    environ = os.environ if environ is None else environ
    return {
        "SESSION_COOKIE_SECURE": _flag(environ, "SESSION_COOKIE_SECURE", settings.production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": int(environ.get("SESSION_LIFETIME_SECONDS") or 12 * 3600),
        # how long a stated reason for seeing a case holds before it is asked again (FD-1)
        "ACRO_PURPOSE_MINUTES": int(environ.get("ACRO_PURPOSE_MINUTES") or 30),
        # a decision may take longer to write than an hour: the token lives as long as the session
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "SIGNIN_RATE_LIMIT": environ.get("SIGNIN_RATE_LIMIT") or SIGNIN_RATE_LIMIT,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        "ACRO_GROUP_NAMES": {
            "cc-workflow": "CC Workflow team",
            "cc-casework": "CC casework team",
            "senior-caseworker": "Senior caseworkers",
            "cc-director": "CC Director",
            "process-analysts": "Process analysts",
        },
    }


def init_app(app) -> None:
    """Wire the pages into the app: templates, assets, security, blueprints, error pages."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(os.path.join(app.root_path, "templates")),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from . import admin, assets, auth, cases, dashboard, errors, filters, referrals, security, tasks, workbench

    filters.init_app(app)
    # <id:...> in a path, for the blueprints below
    app.url_map.converters["id"] = security.IdConverter
    security.init_app(app)
    assets.init_app(app)
    for module in (auth, tasks, cases, referrals, dashboard, admin, workbench):
        app.register_blueprint(module.bp)
    security.limit_sign_in(app)
    errors.init_app(app)
