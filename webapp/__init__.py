"""The Flask application: caseworkers' pages and the JSON API over the service layer."""

from __future__ import annotations

from flask import Flask
from flask_migrate import Migrate

from casework.config import REPO, Settings
from casework.database import configure, engine_options

from .db import db


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Build the app: settings from the environment, then the test's overrides."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, instance_path=str(settings.instance_dir))
    app.config.from_mapping(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(settings.database_url),
        ACRO_SETTINGS=settings,
    )
    from . import views

    app.config.from_mapping(views.config_defaults(settings))
    if test_config:
        app.config.update(test_config)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        configure(db.engine)
    # the schema is Alembic's (migrations/): `acro db upgrade` applies it
    Migrate(app, db, directory=str(REPO / "migrations"), compare_type=True)
    from . import bootstrap

    bootstrap.init_app(app)
    from . import cli, health

    cli.init_app(app)
    app.register_blueprint(health.bp)
    views.init_app(app)
    from . import api, intake_pages

    api.init_app(app)
    intake_pages.init_app(app)
    return app
