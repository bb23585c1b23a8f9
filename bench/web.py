"""The app under gunicorn, users with API tokens, and a plain HTTP client that times requests.

Servers are started as the production tests start them (tests/production/servers.py): each
in its own process group, stopped with SIGTERM at the end. Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from casework import tokens
from casework.users import create_user
from engine.clock import SystemClock
from tests.production.servers import environment, gunicorn, wait_until_up

PASSWORD = "a long enough benchmark password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_users(url: str, users: dict[str, list[str]]) -> dict[str, str]:
    """Create each user (username -> roles) with an API token; return username -> token."""
    engine = create_engine(url)
    secrets = {}
    with Session(engine) as session:
        for username, roles in users.items():
            create_user(session, username, username.title(), roles, PASSWORD)
        session.commit()
        for username in users:
            secrets[username] = tokens.create_token(session, username, "benchmark", SystemClock().now())[1]
        session.commit()
    engine.dispose()
    return secrets


@dataclass
class Served:
    address: tuple
    pid: int  # gunicorn's master: its workers are its children


@contextlib.contextmanager
def serve(database_url: str, workers: int, folder: Path, name: str = "web"):
    """gunicorn with ``workers`` sync workers on the database; yields a ``Served``. Emails are
    not sent (ACRO_SEND_EMAIL=false): they stay in the outbox."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = environment(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench",
            "ACRO_INSTANCE_DIR": str(folder),
            "ACRO_DOCUMENTS_DIR": str(folder / "documents"),
            "ACRO_SEND_EMAIL": "false",
        }
    )
    server = gunicorn(env, port, folder / f"{name}.log", workers=workers).start()
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", timeout=60)
        yield Served(("127.0.0.1", port), server.process.pid)
    finally:
        server.stop()


class Client:
    """One caller: a bearer token, a new connection per request (gunicorn's sync workers close
    it anyway), the time from sending to the last byte of the answer."""

    def __init__(self, address, token: str):
        self.host, self.port = address
        # a case list or search needs a purpose (FD-1), and is logged with it as in production
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "X-Purpose": "Measuring the service (bench)",
        }

    def request(self, method: str, path: str, params: dict | None = None, body: dict | None = None):
        """(status, seconds, parsed JSON or None)."""
        if params:
            path = f"{path}?{urlencode(params)}"
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        try:
            parsed = json.loads(data) if data else None
        except ValueError:
            parsed = None
        return response.status, elapsed, parsed

    def get(self, path, params=None):
        return self.request("GET", path, params)

    def post(self, path, body=None):
        return self.request("POST", path, body=body if body is not None else {})


# -- where the CPU went -------------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> list[tuple[int, str, int, float]]:
    """(pid, command, parent pid, CPU seconds) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        command = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        found.append((int(entry.name), command, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK))
    return found


def _machine_busy() -> float:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICK


def cpu_sample(server_pid: int) -> dict:
    """CPU seconds so far of: the server's process tree, PostgreSQL, this process, the machine.
    (A process that ended since the last sample takes its seconds with it.)"""
    processes = _processes()
    tree, grew = {server_pid}, True
    while grew:
        grew = False
        for pid, _, parent, _ in processes:
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    own = os.times()
    return {
        "web": sum(cpu for pid, _, _, cpu in processes if pid in tree),
        "postgres": sum(cpu for _, command, _, cpu in processes if command.startswith("postgres")),
        "clients": own.user + own.system,
        "machine": _machine_busy(),
    }


def cpu_shares(before: dict, after: dict, seconds: float) -> dict:
    """Cores used on average by each, and by everything else on the machine."""
    used = {k: (after[k] - before[k]) / seconds for k in before}
    used["others"] = max(used["machine"] - used["web"] - used["postgres"] - used["clients"], 0.0)
    return used
