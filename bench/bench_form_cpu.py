"""The public complaint form against the API, in CPU time and SQL statements per request.

A measure that does not depend on how busy the machine is: the CPU time the process itself spends
(time.process_time) and the number of SQL statements, per request, through Django's test client
in one process, on a fresh SQLite database (a temporary file, removed afterwards; the demo
database is never touched). The same organisation as the intake benchmark (bench_intake.py's
SETUP_COMPROMISO: a web channel, a quality manager and an API token), with BENCH_FORM_SERVICES
public services (default 8) for the form's list. Then, after BENCH_FORM_WARMUP unmeasured
rounds (default 20), BENCH_FORM_INTAKES rounds (default 200), each:

(a) an API intake: POST /api/v1/cases with the token and a fresh Idempotency-Key, through the
    token API's short middleware chain (settings.TOKEN_API_SKIPPED_MIDDLEWARE, as
    core/handlers.py serves it);
(b) the form page: GET /o/bench/cases/new/ from a new visitor (no cookie), CSRF checks on;
(c) the form sent: POST with the page's CSRF cookie and token and its one-time submission id,
    answered by a 302; the client's address changes every 10 intakes, as in bench_intake.py, so
    the rate limit (20 an hour per address) is counted but never reached; (b) and (c), sent
    without a session cookie, take the anonymous public form's short middleware chain
    (settings.PUBLIC_FORM_SKIPPED_MIDDLEWARE), and every other page the full one, as
    core/handlers.py serves them;
(d) = (b) + (c), one form intake;
(e) the acknowledgement page the 302 leads to (not part of an intake in bench_intake.py either;
    shown so that work moved there is seen);
(b′), (c′) the same page and form sent by another new visitor through the full chain of
    settings.MIDDLEWARE (the test client's own handler), in the same round, from another address
    range, before (b) in odd rounds and after (e) in even ones: the short chain's saving measured
    side by side, in one process, not across runs.

SQLite runs inside this process, so its work is counted in the CPU time, where PostgreSQL's
would be in its own process: the figures compare the two paths with each other, not with a
server. Every request is checked (201, 200, 302, 200) and the cases are counted at
the end (three a round).

    .venv/bin/python bench/run.py form_cpu     # or: .venv/bin/python bench/bench_form_cpu.py
"""

import json
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTAKES = int(os.environ.get("BENCH_FORM_INTAKES", "200"))
WARMUP = int(os.environ.get("BENCH_FORM_WARMUP", "20"))
SERVICES = int(os.environ.get("BENCH_FORM_SERVICES", "8"))

MEASURE = r"""
import json, re, sys, time, uuid
from http.cookies import SimpleCookie
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
from django.test import Client
from django.test.client import ClientHandler

from bench_intake import SETUP_COMPROMISO

intakes, warmup, service_count = (int(v) for v in sys.argv[1:4])
scope = {}
exec(SETUP_COMPROMISO, scope)  # prints the token and the channel
token, channel = scope["raw"], scope["channel"].pk
from compromiso.catalog.models import Service
from compromiso.organizations.models import Unit
unit = Unit.objects.create(organization=scope["org"], name="Atención ciudadana", kind="area")
for n in range(service_count):
    Service.objects.create(organization=scope["org"], code=f"S{n:02d}",
        name=f"Certificado número {n}", provider_unit=unit)


from compromiso.core.handlers import (
    ShortChain, is_anonymous_public_form, public_form_middleware, token_api_middleware)


class TokenApiClientHandler(ShortChain, ClientHandler):
    # The chain a bearer-token API call takes in production (core/handlers.py).
    def middleware(self):
        return token_api_middleware()


class PublicFormClientHandler(ShortChain, ClientHandler):
    # The chain the public form takes in production without a session cookie (core/handlers.py).
    def middleware(self):
        return public_form_middleware()


class BrowserHandler:
    # The production dispatch (core/handlers.py's CompromisoHandler) for the test client.
    def __init__(self):
        self.full = ClientHandler(enforce_csrf_checks=True)
        self.public_form = PublicFormClientHandler(enforce_csrf_checks=True)

    def __call__(self, environ):
        if is_anonymous_public_form(environ):
            return self.public_form(environ)
        return self.full(environ)


statements = 0


def count(execute, sql, params, many, context):
    global statements
    statements += 1
    return execute(sql, params, many, context)


# One client per path, so that building the middleware chain (once per client) is not counted.
browser = Client(enforce_csrf_checks=True, headers={"Accept-Language": "es"})
browser.handler = BrowserHandler()
# The same visitor through settings.MIDDLEWARE's full chain, as before the short one.
full_chain = Client(enforce_csrf_checks=True, headers={"Accept-Language": "es"})
api = Client()
api.handler = TokenApiClientHandler(enforce_csrf_checks=False)
description = "Me cobraron dos veces el certificado de nacimiento. " * 5
body = json.dumps({
    "kind": "complaint", "channel": channel, "subject": "Cobro duplicado en la sucursal",
    "description": description, "requester_name": "Ana Pérez",
    "requester_email": "ana@example.org", "requester_national_id": "12.345.678-5",
})
url = "/o/bench/cases/new/"
totals = {
    name: [0.0, 0] for name in ("api", "get", "post", "ack", "get_full", "post_full")}


def hidden(page, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)" name="{name}"', page)
    assert found, f"no {name} in the form"
    return found.group(1)


def timed(name, measured, call, status):
    global statements
    before_statements = statements
    began = time.process_time()
    response = call()
    spent = time.process_time() - began
    assert response.status_code == status, (name, response.status_code)
    if measured:
        totals[name][0] += spent
        totals[name][1] += statements - before_statements
    return response


def form_intake(client, names, measured, address):
    client.cookies = SimpleCookie()  # a new visitor, without cookies
    page = timed(names[0], measured, lambda: client.get(url, REMOTE_ADDR=address),
                 200).content.decode()
    data = {
        "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        "submission_id": hidden(page, "submission_id"),
        "kind": "complaint", "service": "", "subject": "Cobro duplicado en la sucursal",
        "description": description, "requester_name": "Ana Pérez",
        "requester_national_id": "12.345.678-5", "requester_email": "ana@example.org",
        "reply_channel": "email", "website": "",
    }
    return timed(names[1], measured, lambda: client.post(url, data, REMOTE_ADDR=address), 302)


with connection.execute_wrapper(count):
    for round_ in range(warmup + intakes):
        measured = round_ >= warmup
        timed("api", measured, lambda: api.post(
            "/api/v1/cases", body, content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
        ), 201)
        block = round_ // 10  # a new address every 10 intakes
        address = f"{block // 65536 % 256}.{block // 256 % 256}.{block % 256}"
        # The same intake through the full chain, in the same round (another address range),
        # before the short chain's in odd rounds and after it in even ones: neither is always
        # the request that follows the API call.
        if round_ % 2:
            form_intake(full_chain, ("get_full", "post_full"), measured, f"11.{address}")
        sent = form_intake(browser, ("get", "post"), measured, f"10.{address}")
        ack = timed("ack", measured,
                    lambda: browser.get(sent["Location"], REMOTE_ADDR=f"10.{address}"), 200)
        assert b"tracking-code" in ack.content
        if not round_ % 2:
            form_intake(full_chain, ("get_full", "post_full"), measured, f"11.{address}")

from compromiso.cases.models import Case
rounds = warmup + intakes
assert Case.objects.count() == 3 * rounds, Case.objects.count()
print(json.dumps({name: [cpu / intakes, sql / intakes] for name, (cpu, sql) in totals.items()}))
"""


def run() -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory(prefix="compromiso-form-cpu-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "compromiso.config.settings",
            # As bench_intake.py serves it: DEBUG off, the acknowledgement only enqueued.
            "TASKS_BACKEND": "database",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "testserver",
            "EMAIL_HOST": "smtp.invalid",
            "MEDIA_ROOT": str(Path(folder) / "media"),
            "STATIC_ROOT": str(Path(folder) / "static"),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
        }
        measured = subprocess.run(
            [sys.executable, "-c", MEASURE, str(INTAKES), str(WARMUP), str(SERVICES)],
            env=env,
            capture_output=True,
            text=True,
            cwd=folder,
        )
        if measured.returncode:
            sys.exit(f"measuring failed:\n{measured.stderr[-3000:]}")
    figures = json.loads(measured.stdout.strip().splitlines()[-1])
    labels = {
        "api": "(a) API POST /api/v1/cases",
        "get": "(b) form GET",
        "post": "(c) form POST",
        "ack": "(e) acknowledgement page GET",
    }
    rows: list[tuple[str, float, str]] = []
    for name in ("api", "get", "post"):
        rows.append((f"{labels[name]}: CPU per request", figures[name][0] * 1000, "ms"))
        rows.append((f"{labels[name]}: SQL statements per request", figures[name][1], ""))
    api_cpu = figures["api"][0]
    intake_cpu = figures["get"][0] + figures["post"][0]
    rows.append(("(d) form GET + POST: CPU per intake", intake_cpu * 1000, "ms"))
    rows.append(
        (
            "(d) form GET + POST: SQL statements per intake",
            figures["get"][1] + figures["post"][1],
            "",
        )
    )
    rows.append((f"{labels['ack']}: CPU per request", figures["ack"][0] * 1000, "ms"))
    rows.append((f"{labels['ack']}: SQL statements per request", figures["ack"][1], ""))
    for name, label in (("get_full", "(b′) form GET"), ("post_full", "(c′) form POST")):
        rows.append(
            (f"{label} through the full chain: CPU per request", figures[name][0] * 1000, "ms")
        )
    for name in ("get", "post"):
        saved = (figures[f"{name}_full"][0] - figures[name][0]) * 1000
        rows.append((f"the short chain saves per form {name.upper()}, CPU", saved, "ms"))
    rows.append(("form POST ÷ API, CPU", figures["post"][0] / api_cpu, "×"))
    rows.append(
        ("form POST through the full chain ÷ API, CPU", figures["post_full"][0] / api_cpu, "×")
    )
    rows.append(("form GET + POST ÷ API, CPU", intake_cpu / api_cpu, "×"))
    rows.append(
        ("form intake rate ÷ API rate (API CPU ÷ GET + POST CPU)", api_cpu / intake_cpu, "×")
    )
    return rows


if __name__ == "__main__":
    print(f"{INTAKES} intakes after {WARMUP} unmeasured, {SERVICES} public services")
    for label, value, unit in run():
        print(f"{label:<62} {value:>10,.3f} {unit}")
