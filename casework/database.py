"""The database connection outside the web app: the worker, the command line's background
jobs, scenarios and benchmarks get their sessions here, with the same engine options the web
app gives Flask-SQLAlchemy (webapp/__init__.py)."""
from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker


def engine_options(url: str) -> dict:
    """What every engine on ``url`` is made with."""
    if url.startswith("sqlite"):
        # SQLite's connections are local: nothing to ping
        return {}
    # a server's connections can be closed under us (a restart, an idle timeout)
    return {"pool_pre_ping": True}


def session_factory(url: str) -> sessionmaker:
    """Sessions on ``url``, without Flask."""
    return sessionmaker(bind=create_engine(url, **engine_options(url)))
