"""What every measure shares: settings, a sender that sends nothing, empty databases (a SQLite
file, a PostgreSQL schema), and what machine this is."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

from casework.config import Settings
from casework.permissions import Actor

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "tests" / "scenarios"
# part 1's scenario: disclosable, located at once, Stage 1 with 20 days, deportation enforced
REFERRAL_SCENARIO = SCENARIOS / "located_at_once_stage1_deported.yaml"
POSTGRES_URL = os.environ.get("ACRO_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class DroppingSender:
    """Takes every email and sends it nowhere: the outbox is drained as in production (each
    email claimed, built as MIME with its PDFs, marked sent), but no email leaves the machine."""

    def __init__(self):
        self.count = 0

    def send(self, message) -> None:
        self.count += 1


def settings(workdir: Path, send_email: bool = True) -> Settings:
    base = Settings.from_env(
        {"ACRO_INSTANCE_DIR": str(workdir), "SECRET_KEY": "bench", "ACRO_SEND_EMAIL": "true" if send_email else "false"}
    )
    base.documents_dir = workdir / "documents"
    return base


def actor_for(settings_: Settings, role: str, user: str | None = None) -> Actor:
    return Actor(user or role, frozenset(settings_.role_groups[role]), frozenset([role]))


def postgres_available(url: str = POSTGRES_URL) -> str | None:
    """None when the server answers, else why not."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: no PostgreSQL for this run
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


@contextlib.contextmanager
def postgres_schema(url: str = POSTGRES_URL, prefix: str = "bench"):
    """Yield the URL of an empty schema of its own on the server, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options={quote(f'-csearch_path={schema}')}", schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def sqlite_file(workdir: Path, name: str = "bench.sqlite"):
    path = workdir / name
    yield f"sqlite:///{path}"
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def workdir(prefix: str = "acro-bench-"):
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


def machine() -> dict:
    """Date, cores, CPU model, Python and PostgreSQL versions, for the table's heading."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    postgres = "not reached"
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
            postgres = re.split(r"\s", version)[0]
        engine.dispose()
    except Exception:
        pass
    try:
        sqlite_version = __import__("sqlite3").sqlite_version
    except ImportError:
        sqlite_version = "?"
    return {
        "date": date.today().isoformat(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "postgresql": postgres,
        "sqlite": sqlite_version,
        "kernel": platform.release(),
        "gunicorn": _version("gunicorn"),
        "spiffworkflow": _version("SpiffWorkflow"),
    }


def _version(package: str) -> str:
    try:
        from importlib.metadata import version

        return version(package)
    except Exception:
        return "?"


@dataclass
class Run:
    """What every measure is given: how long to run, where PostgreSQL is, where to log."""

    quick: bool
    postgres: str | None
    postgres_missing: str | None
    log: Callable[[str], None]


@contextlib.contextmanager
def maybe_postgres_schema(url: str | None, prefix: str = "bench"):
    """An empty schema on ``url``, or None when there is no PostgreSQL for this run."""
    if not url:
        yield None
        return
    with postgres_schema(url, prefix) as (schema_url, _):
        yield schema_url
