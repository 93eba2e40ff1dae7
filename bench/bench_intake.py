"""Public intake through the API on PostgreSQL, 50 concurrent clients, against django-helpdesk.

Both systems run on this machine under the same WSGI server (gunicorn, same workers and threads)
against the same PostgreSQL server, each in a fresh database and a virtualenv of its own under
var/bench/. Each client keeps one connection and POSTs new cases (Compromiso: /api/v1/cases with
a personal access token and an Idempotency-Key; django-helpdesk 2.6: /api/tickets/ with basic
auth, the API its documentation offers). Afterwards the rows in each database are counted against
the successful responses.

Two measurements: saturated (closed loop: each client sends again as soon as it is answered; the
throughput, whose latency is mostly queueing) and paced (open loop: BENCH_PACED_RATE requests per
second in all, default 50, spread over the clients; the latency of a server that is not
overloaded). Both servers are up together and are loaded in turn, in short slices (ABBA order),
so that both systems meet the same conditions: on this shared virtual machine the same work can
run twice as fast in one minute as in the next, which made two systems measured a few minutes
apart incomparable.

    .venv/bin/python bench/run.py intake        # or: .venv/bin/python bench/bench_intake.py
"""

import contextlib
import http.client
import json
import os
import statistics
import subprocess
import threading
import time
import uuid
from base64 import b64encode
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pg import ROOT, VAR, database, free_port, psql, require_postgresql, server, venv

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "5"))  # per system and measurement, unmeasured
DURATION = float(os.environ.get("BENCH_DURATION", "30"))  # measured, per system and measurement
SLICES = int(os.environ.get("BENCH_SLICES", "6"))  # the measured time is cut into this many turns
SETTLE = 1.0  # seconds at the start of each turn, not measured: the clients connect again
WORKERS = os.environ.get("BENCH_WORKERS", "4")
THREADS = os.environ.get("BENCH_THREADS", "4")
# Each gunicorn gthread worker accepts up to this many connections. Its default (1000) lets one
# worker take most of the clients' keep-alive connections at the start and keep them for the
# whole run: that process's one core then bounds the throughput while the others idle, and how
# the connections happened to fall made repeated runs differ by ±30 % or more. Capping it at the
# clients' fair share spreads them evenly over the workers, for both systems alike.
WORKER_CONNECTIONS = os.environ.get(
    "BENCH_WORKER_CONNECTIONS", str(-(-CLIENTS // int(WORKERS)) + 1)
)
PACED_RATE = float(os.environ.get("BENCH_PACED_RATE", "50"))
GUNICORN = "gunicorn==27.0.1"
HELPDESK = "django-helpdesk==2.6.1"

SETUP_COMPROMISO = """
from compromiso.catalog.models import Channel
from compromiso.organizations.models import Membership, Organization, User
from compromiso.organizations.services import create_api_token
org = Organization.objects.create(name="Servicio de prueba", slug="bench", country="CL",
    subdivision="RM", jurisdiction="cl_public")
channel = Channel.objects.create(organization=org, kind="web", name="Sitio web")
user = User.objects.create_user("bench", "bench@example.org", "bench-pass")
Membership.objects.create(user=user, organization=org, role="quality_manager")
_token, raw = create_api_token(user=user, organization=org, name="bench")
print(raw, channel.pk)
"""

HELPDESK_SETTINGS = """
import os
SECRET_KEY = "bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "hdurls"
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.sites", "django.contrib.messages",
    "django.contrib.staticfiles", "django.contrib.humanize", "rest_framework", "helpdesk"]
SITE_ID = 1
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages"]}}]
import dj_database_url  # noqa: E402
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ["HD_DB"],
    "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432", "CONN_MAX_AGE": 60}}
STATIC_URL = "/static/"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES":
    ["rest_framework.authentication.BasicAuthentication"]}
HELPDESK_TEAMS_MODE_ENABLED = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Basic auth checks the password on every request: a cheap hasher keeps the comparison about
# creating tickets, not about password hashing (Compromiso's tokens are one SHA-256 lookup).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
""".replace("import dj_database_url  # noqa: E402\n", "")

SETUP_HELPDESK = """
from django.contrib.auth.models import User
from helpdesk.models import Queue
User.objects.create_superuser("bench", "bench@example.org", "bench-pass")
print(Queue.objects.create(title="Reclamos", slug="reclamos").pk)
"""


@dataclass
class Target:
    """A running server, what to POST to it, and what it answered."""

    label: str
    port: int
    path: str
    headers: Callable[[], dict[str, str]]
    body: bytes
    created_total: int = 0  # every 201, warm-up included, to compare with the rows
    latencies: dict[str, list[float]] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)


def _load(target: Target, seconds: float, rate: float | None, measured: str | None) -> None:
    """CLIENTS threads, one keep-alive connection each, POSTing for `seconds`.

    Closed loop (rate None): each client sends its next request as soon as the previous one is
    answered. Open loop (`rate` requests per second in all): request n of client i is due at
    (n × CLIENTS + i) / rate, and its latency counts from that moment, so a server falling behind
    shows in the figures rather than slowing the clients down. Requests started after SETTLE are
    added to the `measured` figures (none: a warm-up).
    """
    begin = time.monotonic()
    measure_from, stop = begin + SETTLE, begin + seconds
    results: list[list[tuple[float, int, float]]] = [[] for _ in range(CLIENTS)]

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
        sent = 0
        while True:
            if rate is None:
                started = time.monotonic()
            else:
                started = begin + (sent * CLIENTS + slot) / rate
                time.sleep(max(0.0, started - time.monotonic()))
            if started >= stop:
                break
            sent += 1
            try:
                connection.request("POST", target.path, target.body, target.headers())
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
                status = 0
            results[slot].append((started, status, time.monotonic() - started))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [row for rows in results for row in rows]
    target.created_total += sum(1 for _s, status, _l in every if status == 201)
    if measured is not None:
        kept = [row for row in every if row[0] >= measure_from]
        target.latencies.setdefault(measured, []).extend(
            latency for _s, status, latency in kept if status == 201
        )
        target.failed[measured] = target.failed.get(measured, 0) + sum(
            1 for row in kept if row[1] != 201
        )


def _measure(targets: list[Target], name: str, rate: float | None) -> None:
    """Warm each target up, then load them in turn, SLICES times, in ABBA order."""
    for target in targets:
        _load(target, WARMUP, rate, measured=None)
    for turn in range(SLICES):
        for target in targets if turn % 2 == 0 else targets[::-1]:
            _load(target, SETTLE + DURATION / SLICES, rate, measured=name)


def _figures(target: Target, name: str) -> dict[str, float]:
    """Created per measured second, latency quantiles in ms, and failures of one measurement."""
    latencies = target.latencies.get(name, [])
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rate": len(latencies) / DURATION,
        "p50": quantiles[49] * 1000,
        "p95": quantiles[94] * 1000,
        "errors": target.failed.get(name, 0),
    }


def _gunicorn(bin_dir: Path, app: str, port: int) -> list[str]:
    return [
        str(bin_dir / "gunicorn"),
        app,
        "--workers", WORKERS,
        "--threads", THREADS,
        "--worker-connections", WORKER_CONNECTIONS,
        "--worker-class", "gthread",
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
    ]  # fmt: skip


@contextlib.contextmanager
def compromiso() -> Iterator[tuple[Target, Callable[[], int]]]:
    """Compromiso served, with a token and a channel; yields it and a count of its cases."""
    bin_dir = venv(VAR / "compromiso-venv", ["-e", str(ROOT), GUNICORN])
    with database(f"compromiso_bench_{os.getpid()}") as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "EMAIL_HOST": "smtp.invalid",
            "CONN_MAX_AGE": "60",
            "TASKS_BACKEND": "database",  # the request only enqueues the acknowledgement
        }
        manage = [str(bin_dir / "python"), str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        out = subprocess.run(
            [*manage, "shell", "-v0", "-c", SETUP_COMPROMISO],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
        token, channel = out[-2], int(out[-1])
        body = json.dumps(
            {
                "kind": "complaint",
                "channel": channel,
                "subject": "Cobro duplicado en la sucursal",
                "description": "Me cobraron dos veces el certificado de nacimiento. " * 5,
                "requester_name": "Ana Pérez",
                "requester_email": "ana@example.org",
                "requester_national_id": "12.345.678-5",
            }
        ).encode()

        def headers() -> dict[str, str]:
            return {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }

        port = free_port()
        app = _gunicorn(bin_dir, "compromiso.config.wsgi:application", port)
        with server(app, env, port, ROOT):
            yield (
                Target("Compromiso", port, "/api/v1/cases", headers, body),
                lambda: int(psql("SELECT count(*) FROM cases_case", url.rsplit("/", 1)[1])),
            )


@contextlib.contextmanager
def helpdesk() -> Iterator[tuple[Target, Callable[[], int]]]:
    """django-helpdesk served, with a user and a queue; yields it and a count of its tickets."""
    bin_dir = venv(VAR / "helpdesk-venv", [HELPDESK, GUNICORN, "psycopg[binary]"])
    site = VAR / "helpdesk_site"
    site.mkdir(parents=True, exist_ok=True)
    (site / "hdsite.py").write_text(HELPDESK_SETTINGS)
    (site / "hdurls.py").write_text(
        "from django.urls import include, path\n\n"
        'urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]\n'
    )
    (site / "hdwsgi.py").write_text(
        "from django.core.wsgi import get_wsgi_application\n\n"
        "application = get_wsgi_application()\n"
    )
    name = f"helpdesk_bench_{os.getpid()}"
    with database(name):
        env = {**os.environ, "HD_DB": name, "PYTHONPATH": str(site)}
        env["DJANGO_SETTINGS_MODULE"] = "hdsite"
        admin = [str(bin_dir / "django-admin")]
        subprocess.run([*admin, "migrate", "-v0"], env=env, check=True, cwd=site)
        out = subprocess.run(
            [*admin, "shell", "-v0", "-c", SETUP_HELPDESK],
            env=env, check=True, capture_output=True, text=True, cwd=site,
        ).stdout.split()  # fmt: skip
        queue = int(out[-1])
        body = json.dumps(
            {
                "queue": queue,
                "title": "Cobro duplicado en la sucursal",
                "description": "Me cobraron dos veces el certificado de nacimiento. " * 5,
                "submitter_email": "ana@example.org",
                "priority": 3,
            }
        ).encode()
        auth = "Basic " + b64encode(b"bench:bench-pass").decode()

        def headers() -> dict[str, str]:
            return {"Authorization": auth, "Content-Type": "application/json"}

        port = free_port()
        with server(_gunicorn(bin_dir, "hdwsgi:application", port), env, port, site):
            yield (
                Target("django-helpdesk 2.6.1", port, "/api/tickets/", headers, body),
                lambda: int(psql("SELECT count(*) FROM helpdesk_ticket", name)),
            )


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    with compromiso() as (ours, our_rows), helpdesk() as (theirs, their_rows):
        _measure([ours, theirs], "saturated", rate=None)
        _measure([ours, theirs], "paced", rate=PACED_RATE)
        rows = {ours.label: our_rows(), theirs.label: their_rows()}
    figures = []
    for target in (ours, theirs):
        saturated, paced = _figures(target, "saturated"), _figures(target, "paced")
        label, paced_label = target.label, f"{target.label}: paced {PACED_RATE:g}/s"
        figures += [
            (f"{label}: created per second ({CLIENTS} clients)", saturated["rate"], "/s"),
            (f"{label}: p50 latency", saturated["p50"], "ms"),
            (f"{label}: p95 latency", saturated["p95"], "ms"),
            (f"{label}: failed requests in the measured period", saturated["errors"], ""),
            (f"{paced_label}: created per second", paced["rate"], "/s"),
            (f"{paced_label}: p50 latency", paced["p50"], "ms"),
            (f"{paced_label}: p95 latency", paced["p95"], "ms"),
            (f"{paced_label}: failed requests", paced["errors"], ""),
            (
                f"{label}: rows in the database / successful responses",
                rows[label] / max(target.created_total, 1),
                "",
            ),
        ]
    ratio = _figures(ours, "saturated")["rate"] / max(_figures(theirs, "saturated")["rate"], 1e-9)
    figures.append(("Compromiso ÷ django-helpdesk (rate)", ratio, "×"))
    return figures


if __name__ == "__main__":
    for label, value, unit in run():
        print(f"{label:<62} {value:>10,.2f} {unit}")
