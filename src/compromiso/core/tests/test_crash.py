"""Crash tests: the production server under a steady load of case filings loses nothing and
acknowledges nothing falsely while its parts are killed and its database restarts.

A PostgreSQL cluster of the test's own (initdb into a temporary folder, a free port: the
machine's main cluster is never touched), `compromiso serve --production` (gunicorn and the task
worker) restarted whenever it exits, as a service manager does, a real SMTP server (aiosmtpd)
counting the e-mails it receives, and client threads filing cases through the API with an
Idempotency-Key. The faults, in turn:

1. kill -9 of a gunicorn worker;
2. kill -9 of the task worker while a batch of acknowledgement e-mails is going out (the SMTP
   server answers slowly, so a batch is always under way);
3. a restart of the database (`pg_ctl stop -m fast`, then start).

Then every request cut off is sent again with its key (as a client does), the tasks drain, and:
every acknowledged case is in the database with what was sent, no case is there twice or
without a request that asked for it, and every requester got exactly one e-mail.

The tables are made straight from the models (`migrate --run-syncdb`): several times quicker
than running every migration, and nothing here depends on the migrations' data.
"""

import asyncio
import email
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import compromiso
from compromiso.core import pgcluster
from compromiso.core.tests.production import free_port

pytestmark = pytest.mark.slow

CLIENTS = 4
SMTP_DELAY = 0.15  # seconds the SMTP server takes per recipient: a batch is always under way

SETUP = """
from compromiso.catalog.models import Channel
from compromiso.organizations.models import Membership, Organization, User
from compromiso.organizations.services import create_api_token
org = Organization.objects.create(name="Servicio de prueba", slug="crash", country="CL",
    subdivision="RM", jurisdiction="cl_public")
channel = Channel.objects.create(organization=org, kind="web", name="Sitio web")
user = User.objects.create_user("crash", "crash@example.org", "crash-pass")
Membership.objects.create(user=user, organization=org, role="quality_manager")
_token, raw = create_api_token(user=user, organization=org, name="crash")
print(raw, channel.pk)
"""

SYNCDB_SETTINGS = """
from compromiso.config.settings import *  # noqa: F403
from compromiso.config.settings import INSTALLED_APPS

MIGRATION_MODULES = {app.rsplit(".", 1)[-1]: None for app in INSTALLED_APPS}
"""


def _until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _tasks(cluster: pgcluster.Cluster, *statuses: str) -> int:
    """How many task rows of the crash database are in these states."""
    return int(
        cluster.query(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = ANY(%s)",
            [list(statuses)],
            database="crash",
        )
    )


class CountingSMTP:
    """aiosmtpd handler: slow to accept each recipient, records every message accepted."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []  # (recipient, Message-ID)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        await asyncio.sleep(SMTP_DELAY)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content)
        for recipient in envelope.rcpt_tos:
            self.received.append((recipient, str(message["Message-ID"])))
        return "250 Message accepted for delivery"


class Service:
    """`compromiso serve --production`, started again whenever it exits (a service manager)."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log.open("ab")
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.stopping = False
        self.watcher = threading.Thread(target=self._watch, daemon=True)

    def _start(self) -> None:
        self.starts += 1
        self.process = subprocess.Popen(
            [sys.executable, "-m", "compromiso.cli", "serve", "--production",
             f"127.0.0.1:{self.port}"],
            env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def start(self) -> None:
        self._start()
        self.watcher.start()
        self.wait_ready()

    def _watch(self) -> None:
        while not self.stopping:
            if self.process is not None and self.process.poll() is not None:
                time.sleep(0.5)
                if not self.stopping:
                    self._start()
            time.sleep(0.1)

    def wait_ready(self, seconds: float = 180) -> None:
        def answers() -> bool:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", "/accounts/login/")
                response = connection.getresponse()
                response.read()
                connection.close()
                return response.status < 500
            except (OSError, http.client.HTTPException):
                return False

        _until(answers, seconds, "the production server")

    def children(self, parent: int) -> list[tuple[int, str]]:
        out = subprocess.run(
            ["ps", "--ppid", str(parent), "-o", "pid=,args="],
            capture_output=True, text=True, check=False,
        ).stdout  # fmt: skip
        return [
            (int(pid), args) for pid, _sep, args in (line.strip().partition(" ") for line in
            out.splitlines()) if pid.isdigit()
        ]  # fmt: skip

    def task_worker(self) -> int:
        assert self.process is not None
        return next(p for p, args in self.children(self.process.pid) if "cli worker" in args)

    def gunicorn_workers(self) -> list[int]:
        assert self.process is not None
        master = next(p for p, args in self.children(self.process.pid) if "gunicorn" in args)
        return [pid for pid, _args in self.children(master)]

    def stop(self) -> None:
        self.stopping = True
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@dataclass
class Filing:
    key: str
    email: str
    status: int = 0  # 0: no answer (connection cut)
    case_id: int | None = None


@dataclass
class Load:
    port: int
    token: str
    channel: int
    filings: list[Filing] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, filing: Filing) -> None:
        body = json.dumps(
            {
                "kind": "complaint",
                "channel": self.channel,
                "subject": "Cobro duplicado",
                "description": "Me cobraron dos veces el certificado.",
                "requester_name": "Ana Pérez",
                "requester_email": filing.email,
            }
        )
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": filing.key,
        }
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            connection.request("POST", "/api/v1/cases", body, headers)
            response = connection.getresponse()
            payload = response.read()
            filing.status = response.status
            if response.status in (200, 201):
                filing.case_id = int(json.loads(payload)["id"])
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            filing.status = 0
            filing.case_id = None

    def client(self) -> None:
        while not self.stop.is_set():
            key = uuid.uuid4().hex
            filing = Filing(key=key, email=f"c-{key[:16]}@example.org")
            self.send(filing)
            with self.lock:
                self.filings.append(filing)
            time.sleep(0.2 if filing.status else 0.5)

    def acknowledged(self) -> int:
        with self.lock:
            return sum(1 for f in self.filings if f.status == 201)


@pytest.fixture
def cluster() -> Iterator[pgcluster.Cluster]:
    if not pgcluster.available():
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    with pgcluster.throwaway() as made:
        yield made


def test_acknowledged_cases_and_emails_survive_killed_workers_and_a_database_restart(
    cluster, tmp_path
):
    from aiosmtpd.controller import Controller

    began = time.monotonic()
    smtp = CountingSMTP()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    cluster.execute("CREATE DATABASE crash")
    source = str(Path(compromiso.__file__).resolve().parents[1])
    (tmp_path / "crash_settings.py").write_text(SYNCDB_SETTINGS)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("METRICS_", "PYTEST", "DJANGO_", "EMAIL_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
        DEBUG="false",
        SECRET_KEY="crash-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=cluster.url("crash"),
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        WEB_CONCURRENCY="2",
        TASKS_BACKEND="database",
        CONN_MAX_AGE="60",
        GUNICORN_LOG_LEVEL="warning",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(controller.port),
        EMAIL_USE_TLS="false",
    )
    cli = [sys.executable, "-m", "compromiso.cli"]
    subprocess.run(
        [*cli, "migrate", "--run-syncdb", "-v0"],
        env={**env, "PYTHONPATH": f"{tmp_path}{os.pathsep}{env['PYTHONPATH']}",
             "DJANGO_SETTINGS_MODULE": "crash_settings"},
        check=True, timeout=180,
    )  # fmt: skip
    token, channel = subprocess.run(
        [*cli, "shell", "-v0", "-c", SETUP],
        env=env, check=True, capture_output=True, text=True, timeout=120,
    ).stdout.split()[-2:]  # fmt: skip

    service = Service(env, free_port(), tmp_path / "server.log")
    load = Load(service.port, token, int(channel))
    clients = [threading.Thread(target=load.client, daemon=True) for _ in range(CLIENTS)]
    faults: dict[str, Any] = {}
    try:
        service.start()
        for thread in clients:
            thread.start()
        _until(lambda: load.acknowledged() >= 10, 60, "the first acknowledgements")

        # 1. A web worker dies in the middle of its requests.
        victim = service.gunicorn_workers()[0]
        os.kill(victim, signal.SIGKILL)
        faults["gunicorn worker killed"] = victim
        mark = load.acknowledged()
        _until(lambda: load.acknowledged() >= mark + 10, 60, "filings after the worker's death")

        # 2. The task worker dies while a batch of e-mails is going out.
        def batch_under_way() -> bool:
            ready = _tasks(cluster, "READY")
            return len(smtp.received) >= 3 and ready >= 3

        _until(batch_under_way, 60, "a batch of e-mails under way")
        faults["e-mails waiting when the task worker was killed"] = _tasks(
            cluster, "READY", "RUNNING"
        )
        os.kill(service.task_worker(), signal.SIGKILL)
        faults["e-mails received before the kill"] = len(smtp.received)
        _until(lambda: service.starts >= 2, 60, "the service manager's restart")
        service.wait_ready()
        mark = load.acknowledged()
        _until(lambda: load.acknowledged() >= mark + 10, 90, "filings after the restart")

        # 3. The database restarts under the load.
        cluster.restart()
        faults["database restarts"] = 1
        mark = load.acknowledged()
        _until(lambda: load.acknowledged() >= mark + 10, 60, "filings after the database restart")
    finally:
        load.stop.set()
        for thread in clients:
            thread.join(timeout=30)

    try:
        cut = [f for f in load.filings if f.status not in (200, 201)]
        # A request that got no acknowledgement is sent again with its key, as a client does.
        for filing in cut:
            for _attempt in range(3):
                load.send(filing)
                if filing.status in (200, 201):
                    break
                time.sleep(1)
        acknowledged = [f for f in load.filings if f.status in (200, 201)]
        assert len(acknowledged) == len(load.filings), "a retried filing was never accepted"

        def drained() -> bool:
            return _tasks(cluster, "READY", "RUNNING") == 0

        left = _tasks(cluster, "READY", "RUNNING")  # each takes SMTP_DELAY and a little more
        _until(drained, 60 + left * (SMTP_DELAY + 0.5), "the e-mail tasks to finish")
    finally:
        service.stop()
        controller.stop()

    with cluster.connect("crash") as db:
        cases = dict(db.execute("SELECT id, requester_email FROM cases_case").fetchall())
    # Every acknowledgement names a case that is in the database, with what was sent.
    for filing in acknowledged:
        assert cases.get(filing.case_id) == filing.email
    # Nothing extra: one case per request, none twice, none nobody asked for.
    assert len(cases) == len({f.key for f in load.filings})
    assert len({f.case_id for f in acknowledged}) == len(acknowledged)
    # Every requester got exactly one acknowledgement e-mail, the killed batch included. A
    # delivery repeated because the database went away between the SMTP server's acceptance and
    # the sent-marker's commit carries the same Message-ID: mail clients show it once.
    per_recipient = Counter(recipient for recipient, _id in set(smtp.received))
    assert set(per_recipient) == set(cases.values())
    assert max(per_recipient.values()) == 1, per_recipient.most_common(3)
    repeated = len(smtp.received) - len(set(smtp.received))
    assert _tasks(cluster, "FAILED") == 0

    figures = {
        "filings sent": len(load.filings),
        "first answers that were acknowledgements (201)": len(load.filings) - len(cut),
        "requests cut off (an error or no answer, never a 201)": len(cut),
        "cases in the database": len(cases),
        "e-mails received": len(smtp.received),
        "deliveries repeated under the same Message-ID": repeated,
        "server starts (1 + restarts after a kill)": service.starts,
        **faults,
        "seconds": round(time.monotonic() - began),
    }
    print("\ncrash test:", json.dumps(figures))
    assert service.starts >= 2  # the task worker's death restarted the service
