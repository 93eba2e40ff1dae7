"""Public intake through the API on PostgreSQL, 50 concurrent clients, against django-helpdesk.

Both systems run on this machine under the same WSGI server (gunicorn, same workers and threads)
against the same PostgreSQL server, each in a fresh database and a virtualenv of its own under
var/bench/. Each client keeps one connection and POSTs new cases (Compromiso: /api/v1/cases with
a personal access token and an Idempotency-Key; django-helpdesk 2.6: /api/tickets/ with basic
auth, the API its documentation offers) for a warm-up and then a measured period. Afterwards the
rows in each database are counted against the successful responses.

    .venv/bin/python bench/run.py intake        # or: .venv/bin/python bench/bench_intake.py
"""

import http.client
import json
import os
import statistics
import subprocess
import threading
import time
import uuid
from base64 import b64encode
from collections.abc import Callable
from pathlib import Path

from pg import ROOT, VAR, database, free_port, psql, require_postgresql, server, venv

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "5"))
DURATION = float(os.environ.get("BENCH_DURATION", "30"))
WORKERS = os.environ.get("BENCH_WORKERS", "4")
THREADS = os.environ.get("BENCH_THREADS", "4")
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


def _load(port: int, path: str, headers: Callable[[], dict[str, str]], body: bytes) -> dict:
    """CLIENTS threads, one keep-alive connection each, POSTing until the time is up."""
    begin = time.monotonic()
    measure_from, stop = begin + WARMUP, begin + WARMUP + DURATION
    results: list[list[tuple[float, int, float]]] = [[] for _ in range(CLIENTS)]

    def client(slot: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while (started := time.monotonic()) < stop:
            try:
                connection.request("POST", path, body, headers())
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            results[slot].append((started, status, time.monotonic() - started))
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [row for rows in results for row in rows]
    measured = [row for row in every if row[0] >= measure_from]
    created = [latency for _s, status, latency in measured if status == 201]
    quantiles = statistics.quantiles(created, n=100) if len(created) > 1 else [0.0] * 99
    return {
        "rate": len(created) / DURATION,
        "p50": quantiles[49] * 1000,
        "p95": quantiles[94] * 1000,
        "errors": sum(1 for row in measured if row[1] != 201),
        "created_total": sum(1 for row in every if row[1] == 201),
    }


def _gunicorn(bin_dir: Path, app: str, port: int) -> list[str]:
    return [
        str(bin_dir / "gunicorn"),
        app,
        "--workers", WORKERS,
        "--threads", THREADS,
        "--worker-class", "gthread",
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
    ]  # fmt: skip


def compromiso() -> dict:
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
            figures = _load(port, "/api/v1/cases", headers, body)
        figures["rows"] = int(psql("SELECT count(*) FROM cases_case", url.rsplit("/", 1)[1]))
    return figures


def helpdesk() -> dict:
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
            figures = _load(port, "/api/tickets/", headers, body)
        figures["rows"] = int(psql("SELECT count(*) FROM helpdesk_ticket", name))
    return figures


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    ours, theirs = compromiso(), helpdesk()
    rows = []
    for label, figures in (("Compromiso", ours), ("django-helpdesk 2.6.1", theirs)):
        rows += [
            (f"{label}: created per second ({CLIENTS} clients)", figures["rate"], "/s"),
            (f"{label}: p50 latency", figures["p50"], "ms"),
            (f"{label}: p95 latency", figures["p95"], "ms"),
            (f"{label}: failed requests in the measured period", figures["errors"], ""),
            (
                f"{label}: rows in the database / successful responses",
                figures["rows"] / max(figures["created_total"], 1),
                "",
            ),
        ]
    rows.append(
        ("Compromiso ÷ django-helpdesk (rate)", ours["rate"] / max(theirs["rate"], 1e-9), "×")
    )
    return rows


if __name__ == "__main__":
    for label, value, unit in run():
        print(f"{label:<62} {value:>10,.2f} {unit}")
