"""Ports for the servers the tests start (SMTP, gunicorn)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now (the server that takes it binds it straight after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
