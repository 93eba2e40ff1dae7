"""A day's mixed traffic against a running Compromiso, for locust (headless).

    LOAD_TARGETS=var/bench/load-targets.json LOAD_ACKS=var/bench/load-acks.jsonl \\
        .venv/bin/locust -f bench/load/locustfile.py --headless -u 40 -r 4 -t 10m \\
        --host http://127.0.0.1:8000

bench/bench_load.py prepares the targets (organisation, survey links, staff log-ins, an API
token) and checks the acknowledgements afterwards. Four kinds of visitor, weighted roughly like
a public service's traffic:

- Citizen: files a case through the public form (with a file attached), reads the
  acknowledgement, follows the case with its tracking code and secret;
- Respondent: answers a public survey, on the web link or on a branch's kiosk;
- Officer: logs in, works the inbox, opens cases, replies to one now and then, reads the
  overview and the case analytics;
- Intake system: POSTs cases to /api/v1/cases with a token and an Idempotency-Key.

Every acknowledgement a client receives (a tracking code on the "request received" page, a 201
with its id, a survey's thank-you page) is appended as a JSON line to LOAD_ACKS, for the driver
to find in the database.

Like a browser, a client sends a request once more, on a new connection, when the server closed
the kept-alive connection it went out on without answering a byte (HTTP/1.1 lets either side
close an idle connection at any moment, RFC 9112 §9.3.1; Chromium and Firefox resend in that case,
whatever the method). Each such resend is written to LOAD_RESENDS with the connection's idle
time before the request, so the driver can show when they happen; the database checks afterwards
would show any request the server had in fact received twice.

Each simulated citizen or respondent connects from an address of its own in 127.0.0.0/8: the
public forms are rate-limited per address, as they are for real people.
"""

import html.parser
import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from typing import Any

import requests.adapters
import requests.cookies
import urllib3.exceptions
from locust import HttpUser, between, events, task

with open(os.environ["LOAD_TARGETS"]) as targets:
    TARGETS: dict[str, Any] = json.load(targets)
ACKS = open(os.environ["LOAD_ACKS"], "a", buffering=1)  # noqa: SIM115 - lives as long as locust
REQUESTS = open(os.environ["LOAD_REQUESTS"], "a", buffering=1)  # noqa: SIM115
RESENDS = open(os.environ["LOAD_RESENDS"], "a", buffering=1)  # noqa: SIM115
_ack_lock = threading.Lock()
_addresses = itertools.count(1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def acknowledge(kind: str, **fields: Any) -> None:
    with _ack_lock:
        ACKS.write(json.dumps({"kind": kind, "at": time.time(), **fields}) + "\n")


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    """Every request's time, page and outcome, for the driver's figures per minute."""
    REQUESTS.write(f"{time.time():.3f},{name},{response_time:.1f},{int(exception is None)}\n")


class _Connections(requests.adapters.HTTPAdapter):
    """One visitor's connections, from its own source address if given, resending like a browser."""

    def __init__(self, address: str = "") -> None:
        self.address = address
        self.last_answer = 0.0  # when this visitor last got an answer (0: never)
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        if self.address:
            kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        idle = time.monotonic() - self.last_answer if self.last_answer else None
        try:
            response = super().send(request, *args, **kwargs)
        except requests.ConnectionError as error:
            reason = error.args[0] if error.args else None
            if idle is None or not isinstance(reason, urllib3.exceptions.ProtocolError):
                raise  # not a kept-alive connection closed under the request: a real failure
            RESENDS.write(
                f"{time.time():.3f},{request.method},{request.path_url.split('?')[0]},"
                f"{idle:.3f},{type(reason.args[-1]).__name__ if reason.args else ''}\n"
            )
            response = super().send(request, *args, **kwargs)
        self.last_answer = time.monotonic()
        return response


def _connections(user: HttpUser, address: str = "") -> None:
    adapter = _Connections(address)
    user.client.mount("http://", adapter)


def _own_address(user: HttpUser) -> None:
    n = next(_addresses)
    _connections(user, f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}")


class _BehindTLS(requests.cookies.RequestsCookieJar):
    """In production TLS ends at the proxy in front of gunicorn, and the session and CSRF cookies
    are Secure. The load goes to gunicorn in plain HTTP: keep them as plain cookies."""

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> None:
        cookie.secure = False
        super().set_cookie(cookie, *args, **kwargs)


class Visitor(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.cookies = _BehindTLS()
        _connections(self)


class _Forms(html.parser.HTMLParser):
    """The POST forms of a page: for each, its fields' values and choices."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[_Form] = []
        self.current: _Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.current = _Form()
            self.forms.append(self.current)
            return
        form, name = self.current, a.get("name", "")
        if form is None or not name:
            if tag == "option" and form is not None and self.select and a.get("value"):
                form.fields[self.select].append(a["value"])
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "radio":
                form.fields.setdefault(name, []).append(a.get("value", ""))
            else:
                form.values.setdefault(name, a.get("value", ""))
        elif tag == "select":
            self.select = name
            form.fields.setdefault(name, [])
        elif tag == "textarea":
            form.values.setdefault(name, "")
        if "required" in a:
            form.required.add(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None


class _Form:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}  # radios and selects: the values to choose from
        self.values: dict[str, str] = {}  # other inputs: their value as sent
        self.required: set[str] = set()

    def names(self) -> set[str]:
        return set(self.fields) | set(self.values)


def form_of(page: str, field: str) -> _Form:
    """The page's POST form that has `field` (an empty one when there is none)."""
    parser = _Forms()
    parser.feed(page)
    return next((f for f in parser.forms if field in f.names()), _Form())


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    return found.group(1) if found else ""


class Citizen(Visitor):
    """Files a case with a file attached, then follows it by its code."""

    weight = 3
    wait_time = between(2, 8)

    @task
    def file_and_follow(self) -> None:
        _own_address(self)  # each case comes from another person
        self.client.cookies.clear()
        slug = TARGETS["organization"]
        page = self.client.get(f"/o/{slug}/cases/new/", name="portal: case form")
        form = form_of(page.text, "subject")
        data = {
            "csrfmiddlewaretoken": form.values.get("csrfmiddlewaretoken", ""),
            "submission_id": form.values.get("submission_id", ""),
            "kind": random.choice(["complaint", "complaint", "suggestion", "inquiry"]),
            "service": random.choice(form.fields.get("service", [""]) or [""]),
            "subject": "Atención en la oficina",
            "description": "Esperé más de una hora y nadie me informó del motivo. " * 3,
            "requester_name": "Persona de prueba",
            "requester_email": f"load-{uuid.uuid4().hex[:12]}@example.org",
            "reply_channel": "email",
            "website": "",
        }
        files = {"attachments": ("comprobante.pdf", PDF, "application/pdf")}
        with self.client.post(
            f"/o/{slug}/cases/new/",
            data=data,
            files=files,
            name="portal: file a case",
            catch_response=True,
        ) as response:
            code = re.search(r'id="tracking-code">([^<]+)<', response.text)
            secret = re.search(r'id="tracking-secret">([^<]+)<', response.text)
            if response.status_code != 200 or code is None or secret is None:
                response.failure(f"no acknowledgement ({response.status_code})")
                return
            acknowledge("case_web", code=code.group(1))
        page = self.client.get("/track/", name="portal: track form")
        track = form_of(page.text, "secret")
        with self.client.post(
            "/track/",
            data={
                "csrfmiddlewaretoken": track.values.get("csrfmiddlewaretoken", ""),
                "code": code.group(1),
                "secret": secret.group(1),
            },
            name="portal: follow a case",
            catch_response=True,
        ) as response:
            if code.group(1) not in response.text:
                response.failure("the tracked case was not shown")


class Respondent(Visitor):
    """Answers a public survey, on the web or on a kiosk."""

    weight = 4
    wait_time = between(2, 8)

    @task
    def answer(self) -> None:
        _own_address(self)  # each answer comes from another person
        self.client.cookies.clear()
        token = random.choice(TARGETS["surveys"])
        kiosk = random.random() < 0.4
        path = f"/s/{token}/kiosk/" if kiosk else f"/s/{token}/"
        label = "kiosk" if kiosk else "web"
        page = self.client.get(path, name=f"survey ({label}): page")
        form = form_of(page.text, "website")
        data: dict[str, str] = dict(form.values)
        for name, choices in form.fields.items():
            if choices and (name in form.required or name.startswith("q") or name == "service"):
                data[name] = random.choice(choices)
        data["website"] = ""
        with self.client.post(
            path, data=data, name=f"survey ({label}): answer", catch_response=True
        ) as response:
            done = ("thanks=1" in response.url) if kiosk else "/thanks/" in response.url
            if not done:
                response.failure(f"no thank-you page ({response.status_code})")
                return
            acknowledge(f"survey_{label}", wave=token)


class Officer(Visitor):
    """Logs in, works the inbox, opens cases, replies now and then, reads dashboards."""

    weight = 2
    wait_time = between(2, 6)

    def on_start(self) -> None:
        super().on_start()
        page = self.client.get("/accounts/login/", name="staff: login form")
        self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": csrf_of(page.text),
                "username": random.choice(TARGETS["staff"]),
                "password": TARGETS["password"],
            },
            name="staff: log in",
        )

    def _case_ids(self) -> list[str]:
        page = self.client.get("/staff/cases/", name="staff: inbox")
        return re.findall(r'href="/staff/cases/(\d+)/"', page.text)

    @task(4)
    def inbox_and_case(self) -> None:
        ids = self._case_ids()
        if ids:
            self.client.get(f"/staff/cases/{random.choice(ids)}/", name="staff: case page")

    @task(1)
    def reply(self) -> None:
        ids = self._case_ids()
        if not ids:
            return
        pk = random.choice(ids)
        page = self.client.get(f"/staff/cases/{pk}/", name="staff: case page")
        if f"/staff/cases/{pk}/act/reply/" not in page.text:
            return
        self.client.post(
            f"/staff/cases/{pk}/act/reply/",
            data={
                "csrfmiddlewaretoken": csrf_of(page.text),
                "text": "Estamos revisando su caso y le responderemos dentro del plazo.",
            },
            name="staff: reply to a case",
        )

    @task(2)
    def dashboards(self) -> None:
        self.client.get("/staff/", name="staff: overview")
        self.client.get("/staff/cases/analytics/", name="staff: case analytics")


class IntakeSystem(HttpUser):
    """Another system (a call centre) registering cases through the API."""

    weight = 1
    wait_time = between(1, 5)

    def on_start(self) -> None:
        _connections(self)

    @task
    def create_case(self) -> None:
        body = {
            "kind": "complaint",
            "channel": TARGETS["api_channel"],
            "subject": "Llamada: cobro duplicado",
            "description": "La persona indica que se le cobró dos veces el trámite.",
            "requester_name": "Persona de prueba",
            "requester_email": f"api-{uuid.uuid4().hex[:12]}@example.org",
        }
        with self.client.post(
            "/api/v1/cases",
            json=body,
            headers={
                "Authorization": f"Bearer {TARGETS['api_token']}",
                "Idempotency-Key": uuid.uuid4().hex,
            },
            name="api: POST /api/v1/cases",
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 201):  # 200: the key's first answer, replayed
                response.failure(f"status {response.status_code}")
                return
            acknowledge("case_api", id=response.json()["id"])
