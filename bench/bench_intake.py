"""Public intake on PostgreSQL, 50 concurrent clients, against django-helpdesk.

Both systems run on this machine under the same WSGI server settings against the same PostgreSQL
server, each in a fresh database and a virtualenv of its own under var/bench/. The targets:

- Compromiso's API: POST /api/v1/cases with a personal access token and an Idempotency-Key;
- Compromiso's public complaint form: GET /o/bench/cases/new/ (CSRF cookie and token, the form's
  one-time submission id), then POST it (a 302 to the acknowledgement page);
- django-helpdesk 2.6.1's public ticket form, its cheapest intake: GET /tickets/submit/ for the
  CSRF token, then POST it (a 302 to the ticket's public page);
- django-helpdesk's REST API (POST /api/tickets/ with basic auth), when BENCH_HELPDESK_API=1.

A form intake is timed from its GET to the POST's answer. The public forms are rate-limited per
client address (Compromiso: 20 an hour), as for citizens: each form client takes a new loopback
address (127.x.y.z) every FORM_REQUESTS_PER_ADDRESS intakes, as many citizens would, for both
systems alike. Afterwards the rows in each database are counted against the successful intakes.

BENCH_SERVERS lists the server settings, each measured in turn with both systems under it:
`granian` (WSGI, BENCH_WORKERS processes × BENCH_THREADS blocking threads), `sync` (gunicorn's
sync workers, BENCH_WORKERS processes, no keep-alive) and `gthread` (gunicorn, BENCH_WORKERS ×
BENCH_THREADS). BENCH_PORTAL_PAGE=0 leaves out Compromiso's public charter list (a GET target).
BENCH_COMPARE_SERVERS=1 measures Compromiso alone under every setting at once, in ABBA turns.

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
import re
import statistics
import subprocess
import threading
import time
import urllib.parse
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
PACED = os.environ.get("BENCH_PACED", "1") != "0"
SERVERS = os.environ.get("BENCH_SERVERS", "granian,sync").split(",")
HELPDESK_API = os.environ.get("BENCH_HELPDESK_API", "0") == "1"
PORTAL_PAGE = os.environ.get("BENCH_PORTAL_PAGE", "1") == "1"
FORM_REQUESTS_PER_ADDRESS = 10
GUNICORN = "gunicorn==27.0.1"
GRANIAN = "granian==2.8.7"
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

SETUP_HELPDESK_PUBLIC = (
    "from helpdesk.models import Queue\nQueue.objects.update(allow_public_submission=True)\n"
)

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
    form: Callable[[str], str] | None = None  # the form page's HTML -> the urlencoded POST body
    method: str = "POST"
    created: int = 201  # the status of a success
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

    def connect(slot: int, count: int) -> http.client.HTTPConnection:
        if target.form is None:
            return http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)
        address = (1 + slot, *divmod(count // FORM_REQUESTS_PER_ADDRESS % 65000, 256))
        source = ("127.{}.{}.{}".format(*address), 0)
        return http.client.HTTPConnection(
            "127.0.0.1", target.port, timeout=60, source_address=source
        )

    def client(slot: int) -> None:
        count = slot * 100_000 + int(begin * 10) % 50_000  # a fresh address range each turn
        connection = connect(slot, count)
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
            count += 1
            if target.form is not None and count % FORM_REQUESTS_PER_ADDRESS == 0:
                connection.close()
                connection = connect(slot, count)
            try:
                status = _send(connection, target)
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = connect(slot, count)
                status = 0
            results[slot].append((started, status, time.monotonic() - started))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [row for rows in results for row in rows]
    target.created_total += sum(1 for _s, status, _l in every if status == target.created)
    if measured is not None:
        kept = [row for row in every if row[0] >= measure_from]
        target.latencies.setdefault(measured, []).extend(
            latency for _s, status, latency in kept if status == target.created
        )
        target.failed[measured] = target.failed.get(measured, 0) + sum(
            1 for row in kept if row[1] != target.created
        )


def _send(connection: http.client.HTTPConnection, target: Target) -> int:
    """One intake (or page): the status of its last response."""
    if target.form is None:
        connection.request(target.method, target.path, target.body, target.headers())
        response = connection.getresponse()
        response.read()
        return response.status
    connection.request("GET", target.path, headers={"Accept-Language": "es"})
    response = connection.getresponse()
    page = response.read().decode()
    if response.status != 200:
        return response.status
    cookies = "; ".join(
        value.split(";", 1)[0]
        for key, value in response.getheaders()
        if key.lower() == "set-cookie"
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": cookies,
        "Referer": f"http://127.0.0.1:{target.port}{target.path}",
        "Accept-Language": "es",
    }
    connection.request("POST", target.path, target.form(page), headers)
    response = connection.getresponse()
    response.read()
    return response.status


def _hidden(page: str, name: str) -> str:
    """The value of a form's hidden input."""
    match = re.search(rf'name="{name}" value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)" name="{name}"', page
    )
    if match is None:
        raise http.client.HTTPException(f"no {name} in the form")
    return match.group(1)


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


def _server(setting: str, bin_dir: Path, app: str, port: int) -> list[str]:
    """The command serving `app` on `port` under one server setting, the same for both systems."""
    if setting == "granian":
        return [
            str(bin_dir / "granian"),
            "--interface", "wsgi",
            "--workers", WORKERS,
            "--blocking-threads", THREADS,
            "--host", "127.0.0.1",
            "--port", str(port),
            "--log-level", "warning",
            "--no-ws",
            app,
        ]  # fmt: skip
    common = [str(bin_dir / "gunicorn"), app, "--workers", WORKERS]
    common += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    if setting == "sync":
        return [*common, "--worker-class", "sync"]
    return [
        *common,
        "--threads", THREADS,
        "--worker-connections", WORKER_CONNECTIONS,
        "--worker-class", "gthread",
    ]  # fmt: skip


Serve = Callable[[str], contextlib.AbstractContextManager[list[Target]]]


@contextlib.contextmanager
def compromiso() -> Iterator[tuple[Serve, Callable[[], int]]]:
    """Compromiso's database, with a token and a channel; yields how to serve it under a server
    setting (its targets) and a count of its cases."""
    bin_dir = venv(VAR / "compromiso-venv", ["-e", str(ROOT), GUNICORN, GRANIAN])
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

        def form(page: str) -> str:
            return urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
                    "submission_id": _hidden(page, "submission_id"),
                    "kind": "complaint",
                    "service": "",
                    "subject": "Cobro duplicado en la sucursal",
                    "description": "Me cobraron dos veces el certificado de nacimiento. " * 5,
                    "requester_name": "Ana Pérez",
                    "requester_national_id": "12.345.678-5",
                    "requester_email": "ana@example.org",
                    "reply_channel": "email",
                    "website": "",
                }
            )

        @contextlib.contextmanager
        def serve(setting: str) -> Iterator[list[Target]]:
            port = free_port()
            app = _server(setting, bin_dir, "compromiso.config.wsgi:application", port)
            with server(app, env, port, ROOT):
                targets = [
                    Target("Compromiso API", port, "/api/v1/cases", headers, body),
                    Target(
                        "Compromiso form", port, "/o/bench/cases/new/", dict, b"", form, created=302
                    ),
                ]
                if PORTAL_PAGE:
                    targets.append(
                        Target(
                            "Compromiso portal page",
                            port,
                            "/o/bench/charters/",
                            lambda: {"Accept-Language": "es"},
                            b"",
                            method="GET",
                            created=200,
                        )
                    )
                yield targets

        yield serve, lambda: int(psql("SELECT count(*) FROM cases_case", url.rsplit("/", 1)[1]))


@contextlib.contextmanager
def helpdesk() -> Iterator[tuple[Serve, Callable[[], int]]]:
    """django-helpdesk's database, with a user and a queue open to public submission; yields how
    to serve it under a server setting (its targets) and a count of its tickets."""
    bin_dir = venv(VAR / "helpdesk-venv", [HELPDESK, GUNICORN, GRANIAN, "psycopg[binary]"])
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
        subprocess.run(
            [*admin, "shell", "-v0", "-c", SETUP_HELPDESK_PUBLIC], env=env, check=True, cwd=site
        )
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

        def form(page: str) -> str:
            return urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": _hidden(page, "csrfmiddlewaretoken"),
                    "queue": str(queue),
                    "title": "Cobro duplicado en la sucursal",
                    "body": "Me cobraron dos veces el certificado de nacimiento. " * 5,
                    "priority": "3",
                    "submitter_email": "ana@example.org",
                }
            )

        @contextlib.contextmanager
        def serve(setting: str) -> Iterator[list[Target]]:
            port = free_port()
            with server(_server(setting, bin_dir, "hdwsgi:application", port), env, port, site):
                targets = [
                    Target(
                        "django-helpdesk form",
                        port,
                        "/tickets/submit/",
                        dict,
                        b"",
                        form,
                        created=302,
                    )
                ]
                if HELPDESK_API:
                    targets.append(
                        Target("django-helpdesk API", port, "/api/tickets/", headers, body)
                    )
                yield targets

        yield serve, lambda: int(psql("SELECT count(*) FROM helpdesk_ticket", name))


def _rows_ratio(targets: list[Target], rows: int) -> float:
    created = sum(t.created_total for t in targets if t.created != 200)
    return rows / max(created, 1)


def compare_servers() -> list[tuple[str, float, str]]:
    """Compromiso alone under every setting of SERVERS at once (one database), loaded in turn in
    ABBA order: the servers compared in the same conditions, like the systems in `run`."""
    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    with compromiso() as (serve, _rows), contextlib.ExitStack() as stack:
        targets = []
        for setting in SERVERS:
            for target in stack.enter_context(serve(setting)):
                target.label = f"[{setting}] {target.label}"
                targets.append(target)
        _measure(targets, "saturated", rate=None)
    figures = []
    for target in targets:
        saturated = _figures(target, "saturated")
        figures += [
            (f"{target.label}: per second ({CLIENTS} clients)", saturated["rate"], "/s"),
            (f"{target.label}: p50 latency", saturated["p50"], "ms"),
            (f"{target.label}: p95 latency", saturated["p95"], "ms"),
            (f"{target.label}: failed requests", saturated["errors"], ""),
        ]
    return figures


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    figures: list[tuple[str, float, str]] = []
    with compromiso() as (serve_ours, our_rows), helpdesk() as (serve_theirs, their_rows):
        every_ours: list[Target] = []
        every_theirs: list[Target] = []
        for setting in SERVERS:
            with serve_ours(setting) as ours, serve_theirs(setting) as theirs:
                targets = ours + theirs
                _measure(targets, "saturated", rate=None)
                if PACED:
                    _measure(targets, "paced", rate=PACED_RATE)
            every_ours += ours
            every_theirs += theirs
            figures += _setting_figures(setting, targets)
        figures.append(
            ("Compromiso: rows / successful intakes", _rows_ratio(every_ours, our_rows()), "")
        )
        figures.append(
            (
                "django-helpdesk: rows / successful intakes",
                _rows_ratio(every_theirs, their_rows()),
                "",
            )
        )
    return figures


def _setting_figures(setting: str, targets: list[Target]) -> list[tuple[str, float, str]]:
    figures: list[tuple[str, float, str]] = []
    for target in targets:
        saturated = _figures(target, "saturated")
        label = f"[{setting}] {target.label}"
        figures += [
            (f"{label}: per second ({CLIENTS} clients)", saturated["rate"], "/s"),
            (f"{label}: p50 latency", saturated["p50"], "ms"),
            (f"{label}: p95 latency", saturated["p95"], "ms"),
            (f"{label}: failed requests", saturated["errors"], ""),
        ]
        if PACED:
            paced = _figures(target, "paced")
            figures += [
                (f"{label}: paced {PACED_RATE:g}/s p50", paced["p50"], "ms"),
                (f"{label}: paced {PACED_RATE:g}/s p95", paced["p95"], "ms"),
                (f"{label}: paced failed requests", paced["errors"], ""),
            ]
    rate = {t.label: _figures(t, "saturated")["rate"] for t in targets}
    peer = max(rate["django-helpdesk form"], 1e-9)
    versus = f"[{setting}] Compromiso"
    figures += [
        (f"{versus} API ÷ django-helpdesk form", rate["Compromiso API"] / peer, "×"),
        (f"{versus} form ÷ django-helpdesk form", rate["Compromiso form"] / peer, "×"),
        (
            f"[{setting}] Compromiso form ÷ Compromiso API",
            rate["Compromiso form"] / max(rate["Compromiso API"], 1e-9),
            "×",
        ),
    ]  # fmt: skip
    return figures


if __name__ == "__main__":
    # BENCH_COMPARE_SERVERS=1: Compromiso alone under each server setting, side by side.
    compare = os.environ.get("BENCH_COMPARE_SERVERS") == "1"
    for label, value, unit in compare_servers() if compare else run():
        print(f"{label:<66} {value:>10,.2f} {unit}")
