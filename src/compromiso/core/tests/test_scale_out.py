"""Scale-out on real PostgreSQL clusters: two production servers sharing one primary (sessions,
rate limits and reference data hold across them), a streaming replica serving the dashboards
with read-your-writes, and two task workers sharing one queue.

The clusters are throwaway ones (core/pgcluster.py) holding a copy of the suite's test database,
so these run when the suite runs on PostgreSQL and the server binaries are installed."""

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

import compromiso
from compromiso.core import pgcluster

# django_db: the suite's test database is made only for a run that holds a test marked so, and
# the clusters start from a copy of it (the tests themselves talk to the clusters only).
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

START_SECONDS = 90  # a bound: on a busy 2-core machine gunicorn took over 40 s
SOURCE = str(Path(compromiso.__file__).resolve().parents[1])
PASSWORD = "correct horse battery staple"
MAX_LAG = 5  # DATABASE_REPLICA_MAX_LAG_SECONDS of the replica test's server
PIN = 6  # DATABASE_REPLICA_PIN_SECONDS

SEED = """
import json
from compromiso.catalog.models import Channel
from compromiso.core.permissions import Role
from compromiso.organizations.services import create_api_token
from compromiso.organizations.tests.factories import (
    MembershipFactory, OrganizationFactory, UserFactory)
org = OrganizationFactory(name="Servicio de Escala", country="CL", subdivision="RM")
ana = UserFactory(username="ana")
MembershipFactory(user=ana, organization=org, role=Role.ADMINISTRATOR)
bob = UserFactory(username="bob")
MembershipFactory(user=bob, organization=org, role=Role.VIEWER)
channel = Channel.objects.create(organization=org, kind="web", name="Web")
_token, raw = create_api_token(user=ana, organization=org, name="scale")
print(json.dumps({"token": raw, "channel": channel.pk}))
"""


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("METRICS_", "PYTEST", "DJANGO_", "DATABASE_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [SOURCE, os.environ.get("PYTHONPATH")])),
        DEBUG="false",
        SECRET_KEY="scale-out-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        EMAIL_BACKEND="file",
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY="1",
        TASKS_BACKEND="database",
        LANGUAGE_CODE="es",
    )
    env.update(extra)
    return env


def _compromiso(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "compromiso.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def primary(django_db_setup: Any, django_db_blocker: Any) -> Iterator[pgcluster.Cluster]:
    """A throwaway primary holding a copy of the migrated test database, seeded."""
    if not pgcluster.available():
        pytest.skip("PostgreSQL server binaries are not installed")
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.skip("the clusters copy the suite's PostgreSQL test database")
        source = connection.settings_dict
    with pgcluster.throwaway() as cluster:
        cluster.execute("CREATE DATABASE compromiso")
        dump = subprocess.run(
            [
                str(pgcluster.BIN_DIR / "pg_dump"),
                "--format=custom",
                "--no-owner",
                "-h",
                source["HOST"] or "127.0.0.1",
                "-p",
                str(source["PORT"] or 5432),
                "-U",
                source["USER"],
                source["NAME"],
            ],
            capture_output=True,
            check=True,
            timeout=120,
            env={**os.environ, "PGPASSWORD": str(source.get("PASSWORD") or "")},
        ).stdout
        subprocess.run(
            [str(pgcluster.BIN_DIR / "pg_restore"), "--no-owner", "-d", cluster.url("compromiso")],
            input=dump,
            capture_output=True,
            check=True,
            timeout=120,
        )
        seeded = _compromiso(_env(cluster.url("compromiso")), "shell", "-c", SEED)
        cluster.seed = json.loads(seeded.strip().splitlines()[-1])  # type: ignore[attr-defined]
        yield cluster


@contextlib.contextmanager
def _servers(tmp_path: Path, env: dict[str, str], count: int = 1) -> Iterator[list[str]]:
    """`compromiso serve --production` on `count` free ports, started together; yields their
    base URLs once each answers its health check."""
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for _ in range(count):
            port = pgcluster.free_port()
            folder = tmp_path / f"server-{port}"
            folder.mkdir()
            own_env = {
                **env,
                "STATIC_ROOT": str(folder / "static"),
                "MEDIA_ROOT": str(folder / "media"),
                "EMAIL_FILE_PATH": str(folder / "mail"),
            }
            log_path = folder / "server.log"
            with log_path.open("wb") as log:
                server = subprocess.Popen(
                    [sys.executable, "-m", "compromiso.cli", "serve", "--production", str(port)],
                    env=own_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own group: nothing is left behind
                )
            started.append((server, f"http://127.0.0.1:{port}", log_path))
        deadline = time.monotonic() + START_SECONDS
        for server, base, log_path in started:
            while True:
                try:
                    with urllib.request.urlopen(f"{base}/health/", timeout=5):
                        break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise AssertionError(log_path.read_text(errors="replace")) from None
                    time.sleep(0.3)
        yield [base for _server, base, _log in started]
    finally:
        for server, _base, _log in started:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
        for server, _base, _log in started:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
    for _server, _base, log_path in started:
        assert "Traceback" not in log_path.read_text(errors="replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class BehindTls(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies sent back over plain HTTP, as a TLS proxy in front of the servers does."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return True


class Browser:
    """Cookies kept like a browser's: one jar for every port of 127.0.0.1 (one address)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar(BehindTls())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def request(
        self, url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def post_form(self, page: str, fields: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        """Open the form's page, then send it with its CSRF token."""
        status, html, _headers = self.request(page)
        assert status == 200, html
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, html
        return self.request(page, {"csrfmiddlewaretoken": match.group(1), **fields})

    def log_in(self, base: str, username: str) -> None:
        status, body, _headers = self.post_form(
            f"{base}/accounts/login/", {"username": username, "password": PASSWORD}
        )
        assert status == 302, body

    def api(self, url: str, token: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            url,
            data=json.dumps(payload).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


def _new_case(client: Browser, base: str, seed: dict[str, Any], channel: int) -> None:
    """Register a case through the API (the client keeps the cookies the answer sets)."""
    status, body = client.api(
        f"{base}/api/v1/cases",
        seed["token"],
        {
            "kind": "suggestion",
            "channel": channel,
            "subject": "Atención lenta",
            "description": "Esperé dos horas.",
            "is_anonymous": True,
        },
    )
    assert status == 201, body


def test_two_servers_share_sessions_rate_limits_and_reference_data(primary, tmp_path):
    seed = primary.seed
    env = _env(primary.url("compromiso"))
    with _servers(tmp_path, env, 2) as (one, two):
        # A session opened on one server is valid on the other.
        ana = Browser()
        ana.log_in(one, "ana")
        status, body, _headers = ana.request(f"{two}/staff/cases/analytics/")
        assert status == 200, body
        status, body, headers = Browser().request(f"{two}/staff/cases/analytics/")
        assert status == 302
        assert "/accounts/login/" in headers["Location"]

        # Failed tracking look-ups count on both: ten allowed in all, the eleventh refused.
        citizen = Browser()
        wrong = {"code": "RC-NOPE-0000", "secret": "wrong-secret"}
        for attempt in range(10):
            status, body, _headers = citizen.post_form(f"{(one, two)[attempt % 2]}/track/", wrong)
            assert status == 200, body
        for base in (one, two):
            status, body, _headers = citizen.post_form(f"{base}/track/", wrong)
            assert status == 429

        # Reference data: a channel added through server two is accepted by server one, which
        # holds the organisation's channels since its first case.
        client = Browser()
        _new_case(client, one, seed, seed["channel"])
        status, created = client.api(
            f"{two}/api/v1/channels", seed["token"], {"kind": "phone", "name": "Teléfono"}
        )
        assert status == 201, created
        _new_case(client, one, seed, created["id"])


def _received(browser: Browser, url: str) -> int:
    """The "Received" key figure of the analytics page, as this browser is shown it."""
    status, html, _headers = browser.request(url)
    assert status == 200, html
    match = re.search(r'<dd class="fs-4 mb-0">(\d+)</dd>', html)
    assert match, html
    return int(match.group(1))


def test_dashboards_read_the_replica_and_a_writer_reads_its_own_writes(primary, tmp_path):
    seed = primary.seed
    replica = primary.replica()
    env = _env(
        primary.url("compromiso"),
        DATABASE_REPLICA_URL=replica.url("compromiso"),
        DATABASE_REPLICA_MAX_LAG_SECONDS=str(MAX_LAG),
        DATABASE_REPLICA_PIN_SECONDS=str(PIN),
    )
    analytics = "/staff/cases/analytics/"
    with _servers(tmp_path, env) as (base,):
        bob, ana = Browser(), Browser()
        bob.log_in(base, "bob")
        bob_pinned_until = time.monotonic() + PIN + 0.5
        ana.log_in(base, "ana")
        # Ana registers a case and sees it at once (her reads stay on the primary).
        _new_case(ana, base, seed, seed["channel"])
        before = _received(ana, f"{base}{analytics}")
        replica.wait_for(primary)
        time.sleep(max(bob_pinned_until - time.monotonic(), 0))
        assert _received(bob, f"{base}{analytics}") == before

        # The replica stops replaying: what the primary gets now is not on the replica.
        replica.execute("SELECT pg_wal_replay_pause()", database="compromiso")
        try:
            _new_case(ana, base, seed, seed["channel"])
            assert _received(ana, f"{base}{analytics}") == before + 1  # her own write, at once
            # Bob's dashboard comes from the replica, which has not replayed Ana's case.
            assert _received(bob, f"{base}{analytics}") == before

            # Once the replica is further behind than the bound, Bob reads from the primary.
            time.sleep(MAX_LAG + 1.5)
            assert _received(bob, f"{base}{analytics}") == before + 1
        finally:
            replica.execute("SELECT pg_wal_replay_resume()", database="compromiso")
    replica.remove()


def test_two_workers_run_each_task_exactly_once(primary, tmp_path):
    tasks = 30
    env = _env(primary.url("compromiso"))
    _compromiso(
        env,
        "shell",
        "-c",
        "from compromiso.core.tests.scale_tasks import count_once\n"
        f"for n in range({tasks}): count_once.enqueue(key=f'scale-{{n}}', seconds=0.1)",
    )
    command = [
        sys.executable,
        "-m",
        "compromiso.cli",
        "worker",
        "--batch",
        "--no-startup-delay",
        "--interval",
        "0",
    ]
    workers = [subprocess.Popen(command, env=env) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=90) == 0
    counted = primary.query(
        "SELECT json_build_array(count(*), min(hits), max(hits)) FROM core_ratecounter "
        "WHERE key LIKE 'scale-%%'",
        database="compromiso",
    )
    assert counted == [tasks, 1, 1]
    finished = primary.query(
        "SELECT json_build_array(count(*) FILTER (WHERE status = 'SUCCESSFUL'), "
        "count(DISTINCT worker_ids ->> 0)) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE '%%count_once'",
        database="compromiso",
    )
    assert finished[0] == tasks
    assert finished[1] == 2  # both workers took part


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis server of the test's own, on a free port, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = pgcluster.free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as link:
                    link.sendall(b"PING\r\n")
                    if link.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_two_workers_on_a_redis_broker_run_each_task_exactly_once(primary, redis_url):
    """The broker path of docs/operations.md, tried: the same task code, queued in Redis with
    TASKS_BACKEND=rq, run by two `compromiso worker` processes (RQ's worker), each task once."""
    tasks = 30
    env = _env(primary.url("compromiso"), TASKS_BACKEND="rq", TASKS_REDIS_URL=redis_url)
    _compromiso(
        env,
        "shell",
        "-c",
        "from compromiso.core.tests.scale_tasks import count_once\n"
        f"for n in range({tasks}): count_once.enqueue(key=f'broker-{{n}}', seconds=0.1)",
    )
    command = [sys.executable, "-m", "compromiso.cli", "worker", "--batch"]
    workers = [subprocess.Popen(command, env=env) for _ in range(2)]
    for worker in workers:
        assert worker.wait(timeout=90) == 0
    counted = primary.query(
        "SELECT json_build_array(count(*), min(hits), max(hits)) FROM core_ratecounter "
        "WHERE key LIKE 'broker-%%'",
        database="compromiso",
    )
    assert counted == [tasks, 1, 1]
    # Nothing went through the database queue: the tasks were in Redis.
    queued_in_database = primary.query(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path LIKE "
        "'%%count_once' AND args_kwargs::text LIKE '%%broker-%%'",
        database="compromiso",
    )
    assert queued_in_database == 0
