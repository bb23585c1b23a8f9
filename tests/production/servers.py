"""Real servers for the production tests: gunicorn with several workers and a Celery worker
with beat, each in its own process group so a test can SIGKILL all of it at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


class Server:
    def __init__(self, name, command, env, log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process = None
        self.kills = 0

    def start(self):
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, env=self.env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def kill(self):
        """SIGKILL the whole process group: master and workers die mid-step."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.kills += 1

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def environment(base: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACRO_", "DATABASE_URL", "CELERY_"))}
    env.update(base)
    env["PYTHONPATH"] = str(REPO)
    return env


def gunicorn(env, port, log, workers=4) -> Server:
    return Server(
        "web",
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "webapp:create_app()",
        ],
        env,
        log,
    )


def celery_worker(env, log, concurrency=2) -> Server:
    return Server(
        "worker",
        [
            str(BIN / "celery"),
            "-A",
            "casework.worker",
            "worker",
            "--beat",
            "--loglevel=INFO",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--schedule",
            str(log.with_suffix(".beat")),
        ],
        env,
        log,
    )


def wait_until_up(url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")
