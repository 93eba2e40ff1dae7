"""A busy branch on PostgreSQL: 100 kiosks issuing tickets and 50 desks calling the next one,
concurrently, while 200 displays hold their event streams open; the p95 of each action and of
the delay from a call to its event at the displays.

Setup: a fresh PostgreSQL database with one branch, two queues and 50 desks, each with its own
member of staff signed in. The server (uvicorn on the ASGI application when it is importable,
else Django's development server on the WSGI one: the run says which) serves the 200 display
streams, read by 200 client threads over plain HTTP. The kiosk and desk clients are threads of
this process calling the queue services directly (`issue_ticket`, `call_next`), which is where
an action's database work is (the kiosk and desk pages add their rendering). Each kiosk
issues a ticket every KIOSK_EVERY seconds and each desk calls
every DESK_EVERY seconds (open loop, random phase), so the load is 100 ÷ KIOSK_EVERY tickets and
50 ÷ DESK_EVERY calls a second. PostgreSQL's default 100 connections cannot hold 150 client
threads each keeping one, so a client connects for each action (not timed: the time is
measured from the connected client's call to the service's return, the commit included).

The delay of a call is measured from the service's return (its commit) to the moment a display
thread reads an event holding that number; every display reads every call it sees.

    .venv/bin/python bench/run.py attention_live   # or: python bench/bench_attention_live.py
"""

import http.client
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from pg import ROOT, VAR, database, free_port, require_postgresql, server

KIOSKS = int(os.environ.get("BENCH_KIOSKS", "100"))
DESKS = int(os.environ.get("BENCH_DESKS", "50"))
DISPLAYS = int(os.environ.get("BENCH_DISPLAYS", "200"))
DURATION = float(os.environ.get("BENCH_DURATION", "30"))
KIOSK_EVERY = float(os.environ.get("BENCH_KIOSK_EVERY", "2"))  # seconds between a kiosk's tickets
DESK_EVERY = float(os.environ.get("BENCH_DESK_EVERY", "2"))  # seconds between a desk's calls
MAX_CONNECTIONS = 80  # client connections open at once (PostgreSQL allows 100 in all)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def _setup() -> tuple[str, list[int], list[int]]:
    from compromiso.attention import services
    from compromiso.attention.models import Branch, Desk, Queue
    from compromiso.catalog.models import Channel, TouchPoint
    from compromiso.organizations.models import Membership, Organization, Role, Unit, User

    org = Organization.objects.create(
        name="Servicio de prueba", slug="bench", country="CL", time_zone="America/Santiago"
    )
    unit = Unit.objects.create(organization=org, name="Sucursal Centro", kind="branch")
    channel = Channel.objects.create(organization=org, name="Presencial", kind="in_person")
    point = TouchPoint.objects.create(
        organization=org, unit=unit, channel=channel, name="Oficina Centro"
    )
    branch = Branch.objects.create(organization=org, touch_point=point, code="centro")
    general = Queue.objects.create(branch=branch, name="Atención general", letter="A")
    quick = Queue.objects.create(branch=branch, name="Trámites rápidos", letter="B")
    desks = []
    for n in range(DESKS):
        desk = Desk.objects.create(branch=branch, name=f"Módulo {n + 1}")
        desk.queues.add(general, quick)
        user = User.objects.create_user(username=f"desk{n}", password=None)
        Membership.objects.create(user=user, organization=org, unit=unit, role=Role.CASE_OFFICER)
        services.sit_at(desk, by=user)
        desks.append(desk.pk)
    return branch.display_key, [general.pk, quick.pk], desks


class Display(threading.Thread):
    """One display: reads the event stream and notes when each called number first appears."""

    def __init__(self, port: int, key: str, seen: dict[str, float], stop: threading.Event):
        super().__init__(daemon=True)
        self.port, self.key, self.seen, self.stop = port, key, seen, stop
        self.connected = threading.Event()
        self.error = ""

    def run(self) -> None:
        try:
            link = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            link.request("GET", f"/display/{self.key}/events/", headers={"Host": "testserver"})
            answer = link.getresponse()
            if answer.status != 200:
                self.error = f"status {answer.status}"
                return
            self.connected.set()
            data = ""
            while not self.stop.is_set():
                line = answer.readline().decode()
                if not line:
                    return
                if line.startswith("data: "):
                    data = line[6:]
                elif line == "\n" and data:
                    arrived = time.monotonic()
                    for call in json.loads(data)["calls"]:
                        self.seen.setdefault(call["number"], arrived)
                    data = ""
            link.close()
        except Exception as error:
            self.error = repr(error)


def _load(key: str, queue_ids: list[int], desk_ids: list[int], port: int) -> dict[str, object]:
    from django.db import connection

    from compromiso.attention import services
    from compromiso.attention.models import Desk, Queue
    from compromiso.core.actors import PUBLIC

    stop = threading.Event()
    displays = [Display(port, key, {}, stop) for _ in range(DISPLAYS)]
    for display in displays:
        display.start()
        time.sleep(0.005)
    for display in displays:
        display.connected.wait(30)
    connected = sum(d.connected.is_set() for d in displays)

    gate = threading.Semaphore(MAX_CONNECTIONS)
    issue_ms: list[float] = []
    call_ms: list[float] = []
    called_at: dict[str, float] = {}
    errors: list[str] = []
    lock = threading.Lock()
    queues = list(
        Queue.objects.select_related("branch__touch_point__unit", "branch__organization").filter(
            pk__in=queue_ids
        )
    )
    desks = list(Desk.objects.select_related("branch__touch_point__unit").filter(pk__in=desk_ids))
    from compromiso.attention.models import DeskSession

    sitting = dict(DeskSession.objects.filter(ended_at__isnull=True).values_list("desk_id", "user"))
    from compromiso.organizations.models import User

    users = User.objects.in_bulk(list(sitting.values()))
    connection.close()
    until = time.monotonic() + DURATION

    def client(every: float, act) -> None:  # type: ignore[no-untyped-def]
        due = time.monotonic() + random.uniform(0, every)
        while True:
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            if time.monotonic() >= until:
                return
            with gate:
                try:
                    connection.ensure_connection()
                    act()
                except Exception as error:
                    with lock:
                        errors.append(repr(error)[:200])
                finally:
                    connection.close()
            due += every

    def kiosk(queue) -> None:  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        services.issue_ticket(queue, by=PUBLIC)
        with lock:
            issue_ms.append((time.perf_counter() - began) * 1000)

    def desk_call(desk) -> None:  # type: ignore[no-untyped-def]
        began = time.perf_counter()
        visit = services.call_next(desk, by=users[sitting[desk.pk]])
        done = time.monotonic()
        with lock:
            call_ms.append((time.perf_counter() - began) * 1000)
            if visit is not None:
                called_at[visit.number] = done

    threads = [
        threading.Thread(target=client, args=(KIOSK_EVERY, lambda q=queues[n % 2]: kiosk(q)))
        for n in range(KIOSKS)
    ] + [
        threading.Thread(target=client, args=(DESK_EVERY, lambda d=desk: desk_call(d)))
        for desk in desks
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    time.sleep(2)  # the last calls reach the displays
    stop.set()

    delays: list[float] = []
    missed = 0
    for display in displays:
        for number, at in called_at.items():
            arrived = display.seen.get(number)
            if arrived is None:
                missed += 1
            else:
                delays.append((arrived - at) * 1000)
    return {
        "connected": connected,
        "display_errors": sum(bool(d.error) for d in displays),
        "issue_ms": issue_ms,
        "call_ms": call_ms,
        "calls": len(called_at),
        "delays": delays,
        "missed": missed,
        "errors": errors,
    }


def measure() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    key, queue_ids, desk_ids = _setup()
    port = free_port()
    if importlib.util.find_spec("uvicorn") is not None:
        used = "uvicorn (ASGI)"
        command = [sys.executable, "-m", "uvicorn", "compromiso.config.asgi:application",
                   "--port", str(port), "--log-level", "warning"]  # fmt: skip
    else:
        used = "Django runserver (WSGI, threaded)"
        command = [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload",
                   "--skip-checks", f"127.0.0.1:{port}"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with server(command, env, port, ROOT):
        result = _load(key, queue_ids, desk_ids, port)
    issue, call, delays = result["issue_ms"], result["call_ms"], result["delays"]
    out = [
        (f"server: {used}", 0.0, ""),
        ("displays connected", float(result["connected"]), "streams"),  # type: ignore[arg-type]
        ("tickets issued", float(len(issue)), ""),  # type: ignore[arg-type]
        ("issue ticket p50", statistics.median(issue), "ms"),  # type: ignore[arg-type]
        ("issue ticket p95", _percentile(issue, 0.95), "ms"),  # type: ignore[arg-type]
        ("call next: calls", float(len(call)), ""),  # type: ignore[arg-type]
        ("call next p50", statistics.median(call), "ms"),  # type: ignore[arg-type]
        ("call next p95", _percentile(call, 0.95), "ms"),  # type: ignore[arg-type]
        ("call → display event p50", statistics.median(delays) if delays else float("nan"), "ms"),  # type: ignore[arg-type]
        ("call → display event p95", _percentile(delays, 0.95), "ms"),  # type: ignore[arg-type]
        ("calls never seen by a display (call × display)", float(result["missed"]), ""),  # type: ignore[arg-type]
        ("failed actions", float(len(result["errors"])), ""),  # type: ignore[arg-type]
    ]
    if result["errors"]:
        print(sorted(set(result["errors"]))[:5], file=sys.stderr)  # type: ignore[call-overload]
    print(json.dumps(out))


def run() -> list[tuple[str, float, str]]:
    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    with database(f"compromiso_attention_live_{os.getpid()}") as url:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "compromiso.config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "TASKS_BACKEND": "immediate",
            "EMAIL_BACKEND": "console",
            "PYTHONPATH": str(ROOT / "src"),
        }
        child = subprocess.run(
            [sys.executable, __file__, "--measure"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
    lines = child.stdout.strip().splitlines()
    if child.returncode or not lines:
        sys.exit(f"measuring failed (exit {child.returncode})")
    return [tuple(row) for row in json.loads(lines[-1])]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if sys.argv[1:] == ["--measure"]:
        measure()
    else:
        for label, value, unit in run():
            print(f"  {label:<60} {value:>12,.1f} {unit}")
