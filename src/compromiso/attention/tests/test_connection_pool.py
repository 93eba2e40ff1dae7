"""The production server's workers share a pool of PostgreSQL connections among their threads.

A worker runs many threads (display streams hold one each for minutes), and PostgreSQL refuses
clients beyond `max_connections`: with a connection per thread, five workers of 32 threads asked
for 160 and a load test got "too many clients already" on a third of its requests. Here one
worker of 12 threads with DATABASE_POOL_SIZE=3 answers 36 requests sent 12 at a time, with four
display streams open, and never holds more than 3 connections."""

import concurrent.futures
import http.client
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from compromiso.core.tests.production import free_port, server_env, start

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

POOL = 3


def _database_url() -> str:
    settings = connection.settings_dict
    user = urllib.parse.quote(settings["USER"] or "")
    password = f":{urllib.parse.quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'compromiso-pool-test'"
        )
        return int(cursor.fetchone()[0])


def test_many_threads_share_a_few_connections(tmp_path, office):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL pool: run by the PostgreSQL pass of .ci/run")
    port = free_port()
    url = _database_url() + "?application_name=compromiso-pool-test"
    env = server_env(
        tmp_path,
        url,
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="12",
        DATABASE_POOL_SIZE=str(POOL),
    )
    command = ["gunicorn", "-c", "python:compromiso.config.gunicorn", "--bind", f"127.0.0.1:{port}"]
    log_path = tmp_path / "server.log"
    log = log_path.open("wb")
    server = start(command, env, log)
    base = f"http://127.0.0.1:{port}"
    streams: list[http.client.HTTPConnection] = []
    peak = 0
    sampling = threading.Event()
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health/", timeout=10) as answer:
                    assert answer.status == 200
                break
            except OSError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)
        for _n in range(4):  # four TVs: each stream holds a thread, not a connection
            stream = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            stream.request("GET", f"/display/{office.display_key}/events/")
            assert stream.getresponse().status == 200
            streams.append(stream)

        def sample() -> None:
            nonlocal peak
            try:
                while not sampling.is_set():
                    peak = max(peak, _server_connections())
                    time.sleep(0.02)
            finally:
                connection.close()  # this thread's own

        sampler = threading.Thread(target=sample)
        sampler.start()

        def fetch(path: str) -> int:
            with urllib.request.urlopen(f"{base}{path}", timeout=30) as answer:
                answer.read()
                return answer.status

        paths = ["/health/", f"/display/{office.display_key}/state/", "/accounts/login/"] * 12
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as clients:
            statuses = list(clients.map(fetch, paths))
        sampling.set()
        sampler.join()

        assert statuses == [200] * len(paths)
        assert 1 <= peak <= POOL
        assert "too many clients" not in log_path.read_text(errors="replace")
    finally:
        sampling.set()
        for stream in streams:
            stream.close()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
