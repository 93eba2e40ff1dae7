"""`compromiso serve --production` starts gunicorn and the task worker on a fresh database,
answers its health check, a page and a static file, and stops cleanly on SIGTERM."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from compromiso.core.tests.production import free_port, server_env, start

# transaction=True: no transaction is left open on the test database while it is copied.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

START_SECONDS = 60  # collectstatic and three Django processes on a busy machine
STOP_SECONDS = 20


def _migrated_database(path: Path) -> None:
    """A copy of the test database (already migrated): far quicker than migrating again."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:  # the suite runs on PostgreSQL: migrate the temporary SQLite file
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}"}
        command = [sys.executable, "-m", "compromiso.cli", "migrate", "-v0"]
        subprocess.run(command, env=env, check=True, timeout=180)


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Content-Type", "")


def test_the_production_server_serves_and_stops_cleanly(tmp_path):
    database = tmp_path / "db.sqlite3"
    _migrated_database(database)
    port = free_port()
    env = server_env(tmp_path, f"sqlite:///{database}", WEB_CONCURRENCY="2")
    log = (tmp_path / "server.log").open("wb")
    server = start(["compromiso.cli", "serve", "--production", f"127.0.0.1:{port}"], env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, body, _type = _get(f"{base}/health/")
                break
            except OSError:
                time.sleep(0.3)
        log.flush()
        output = (tmp_path / "server.log").read_text(errors="replace")
        assert status == 200, output
        assert json.loads(body)["status"] == "ok"

        status, body, _type = _get(f"{base}/accounts/login/")
        assert status == 200
        assert b"<form" in body

        status, body, content_type = _get(f"{base}/static/vendor/bootstrap/bootstrap.min.css")
        assert status == 200
        assert content_type.startswith("text/css")

        # From this machine: allowed. The log-in page may have been served by the other worker,
        # whose counters reach the shared folder within 5 seconds.
        counted = b'compromiso_http_requests_total{method="GET",route="login",status="2xx"} 1'
        deadline = time.monotonic() + 8
        while True:
            status, body, _type = _get(f"{base}/metrics")
            assert status == 200
            if counted in body or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert counted in body
        assert b"compromiso_tasks_ready 0" in body

        children = subprocess.run(
            ["ps", "--ppid", str(server.pid), "-o", "args="],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        assert "gunicorn" in children
        assert "compromiso.cli worker" in children
        assert "compromiso.cli scheduler" in children

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=STOP_SECONDS) == 0
        with pytest.raises(urllib.error.URLError, match="refused"):
            _get(f"{base}/health/")
        log.flush()
        output = (tmp_path / "server.log").read_text(errors="replace")
        assert "Shutting down: Master" in output
        assert "Traceback" not in output
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        else:  # the children too, should one have outlived the parent
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
        log.close()
