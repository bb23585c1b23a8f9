"""Flask-SQLAlchemy for the web app: a session per request over the models' own ``Base``."""

from __future__ import annotations

from flask_sqlalchemy import SQLAlchemy

from casework.models import Base

db = SQLAlchemy(model_class=Base)
