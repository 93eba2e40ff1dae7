"""A branch display under the production server (`compromiso serve --production`, gunicorn's
threaded workers): the event stream stays open past the worker timeout, and a ticket taken at
the kiosk reaches it within a second or two, while the other pages are still served."""

import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
from django.db import connection

from compromiso.core.tests.production import free_port, server_env, start
from compromiso.core.tests.test_production_server import START_SECONDS, STOP_SECONDS

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _database_url(tmp_path: Path) -> str:
    """The test database as the server's: a file copy on SQLite, the same database on
    PostgreSQL (the rows made here are committed)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return f"sqlite:///{path}"
    settings = connection.settings_dict
    user = urllib.parse.quote(settings["USER"] or "")
    password = f":{urllib.parse.quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


class Stream:
    """An EventSource's reading of `/display/<key>/events/`: the state events, in order."""

    def __init__(self, port: int, key: str) -> None:
        self.link = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.link.request("GET", f"/display/{key}/events/", headers={"Host": "127.0.0.1"})
        self.answer = self.link.getresponse()
        assert self.answer.status == 200
        assert self.answer.getheader("Content-Type", "").startswith("text/event-stream")

    def next_state(self) -> dict:
        data = ""
        while True:
            line = self.answer.readline().decode()
            assert line, "the stream ended"
            if line.startswith("data: "):
                data = line[6:]
            elif line == "\n" and data:
                return json.loads(data)

    def ends(self) -> bool:
        """Read to the end of the stream (True), or False when it does not end in time."""
        try:
            while self.answer.readline():
                pass
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.link.close()


def _post_kiosk(port: int, key: str, choice: str) -> int:
    """Take a ticket through the kiosk's two pages, as the touch screen does."""
    link = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    path = f"/kiosk/queue/{key}/?choice={urllib.parse.quote(choice)}"
    link.request("GET", path, headers={"Host": "127.0.0.1"})
    page = link.getresponse()
    body = page.read().decode()
    cookie = page.getheader("Set-Cookie", "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    secret = re.search(r"csrftoken=([^;]+)", cookie)
    assert token, body[:500]
    assert secret, cookie
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "choice": choice, "priority": ""}
    )
    link.request(
        "POST",
        f"/kiosk/queue/{key}/",
        body=form,
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={secret.group(1)}",
        },
    )
    answer = link.getresponse()
    answer.read()
    link.close()
    return answer.status


def test_a_display_stream_outlives_the_worker_timeout_and_shows_a_kiosk_ticket(
    tmp_path, office, general_queue
):
    from compromiso.attention.services import public
    from compromiso.attention.tests.conftest import open_now_for_real

    open_now_for_real(office)  # the kiosk issues tickets only while the branch is open
    choice = public.choices(office)[0].choices[0].key
    port = free_port()
    env = server_env(
        tmp_path,
        _database_url(tmp_path),
        WEB_CONCURRENCY="1",  # one worker: the stream and the kiosk share it
        GUNICORN_THREADS="4",
        GUNICORN_TIMEOUT="3",  # a sync worker holding a stream would be killed after this
    )
    connection.close()  # SQLite: the server's writes are not blocked by this process
    log = (tmp_path / "server.log").open("wb")
    server = start(["compromiso.cli", "serve", "--production", f"127.0.0.1:{port}"], env, log)
    stream = None
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                stream = Stream(port, office.display_key)
                break
            except OSError:
                output = (tmp_path / "server.log").read_text(errors="replace")
                assert server.poll() is None, output
                assert time.monotonic() < deadline, output
                time.sleep(0.3)
        first = stream.next_state()
        assert [queue["waiting"] for queue in first["queues"]] == [0]

        time.sleep(4)  # longer than GUNICORN_TIMEOUT: the worker is not killed for the stream
        assert _post_kiosk(port, office.display_key, choice) == 302
        taken = time.monotonic()
        state = stream.next_state()
        delay = time.monotonic() - taken
        assert [queue["waiting"] for queue in state["queues"]] == [1]
        assert delay < 2.0, f"the ticket reached the display after {delay:.1f} s"
        output = (tmp_path / "server.log").read_text(errors="replace")
        assert "WORKER TIMEOUT" not in output
        assert "Using worker: gthread" in output

        # A graceful stop ends the open stream at once (the screen reconnects elsewhere)
        # instead of waiting for it through gunicorn's graceful timeout (20 s).
        stream.link.sock.settimeout(10)
        stopped = time.monotonic()
        server.send_signal(signal.SIGTERM)  # as a service manager stops it
        assert stream.ends()
        assert server.wait(timeout=STOP_SECONDS) == 0
        assert time.monotonic() - stopped < 8, "the open stream held the stop"
    finally:
        if stream is not None:
            stream.close()
        if server.poll() is None:  # the test failed before it stopped the server
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=STOP_SECONDS + 20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()
