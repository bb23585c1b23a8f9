"""`acro serve` (what `make run` starts): the app on gunicorn with threads, the mail catcher
beside it, stopped cleanly by a signal."""

from __future__ import annotations

import requests

from tests.network import free_port
from tests.production.servers import BIN, Server, environment, wait_until_up


def test_acro_serve_runs_the_app_on_gunicorn_and_stops_on_a_signal(tmp_path):
    port, smtp = free_port(), free_port()
    env = environment(
        {
            "ACRO_INSTANCE_DIR": str(tmp_path / "instance"),
            "SECRET_KEY": "embedded",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'acro.sqlite'}",
            "SMTP_PORT": str(smtp),
        }
    )
    upgrade = Server("upgrade", [str(BIN / "acro"), "db", "upgrade"], env, tmp_path / "upgrade.log").start()
    assert upgrade.process.wait(timeout=120) == 0, (tmp_path / "upgrade.log").read_text()
    log = tmp_path / "serve.log"
    server = Server(
        "web", [str(BIN / "acro"), "serve", "--port", str(port), "--mail-catcher", "--threads", "2"], env, log
    ).start()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", timeout=60)
        page = requests.get(f"{base}/", timeout=10)
        assert page.status_code == 200 and "Sign in" in page.text
        assert requests.get(f"{base}/assets/images/favicon.svg", timeout=10).status_code == 200
    finally:
        server.stop()
    assert server.process.returncode == 0
    served = log.read_text()
    assert "Using worker: gthread" in served and f"mail catcher on 127.0.0.1:{smtp}" in served
