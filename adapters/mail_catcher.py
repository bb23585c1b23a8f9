"""A local SMTP server for the embedded mode: every email is kept as a .eml file."""

from __future__ import annotations

import time
from pathlib import Path

from aiosmtpd.controller import Controller


class _Keep:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns()}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def start(host: str, port: int, folder: Path) -> Controller:
    controller = Controller(_Keep(Path(folder)), hostname=host, port=port)
    controller.start()
    return controller
