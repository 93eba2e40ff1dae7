"""Busy branches on PostgreSQL: 100 kiosks issuing tickets and 50 desks calling the next one,
concurrently, while 200 displays hold their event streams open; the p95 of each action and of
the delay from a call to its event at the displays.

Setup: a fresh PostgreSQL database with BRANCHES branches (default 10) of one organisation, each
with two queues, a tenth of the desks (each with its own member of staff signed in), a tenth of
the kiosks and a tenth of the displays (BRANCHES=1 puts everything in one branch). The server is
the production server (`compromiso serve --production`: gunicorn's threaded workers, BENCH_WORKERS
× BENCH_THREADS), which serves the display streams, read over plain HTTP by one client process
(an event loop with a connection per display). The kiosk and desk clients are threads of
BENCH_CLIENT_PROCESSES other processes calling the queue services directly (`issue_ticket`,
`call_next`), which is where an action's database work is (the kiosk and desk pages add their
rendering). Each kiosk issues a ticket every KIOSK_EVERY seconds and each desk calls every
DESK_EVERY seconds (open loop, random phase), so the load is 100 ÷ KIOSK_EVERY tickets and
50 ÷ DESK_EVERY calls a second. PostgreSQL's default 100 connections cannot hold 150 client
threads each keeping one, so the client threads of a process share a pool of connections, as the
server's threads do (DATABASE_POOL_SIZE); the time is measured from the client's call to the
service's return, the commit included, once the client holds a connection.

The delay of a call is measured from the service's return (its commit) to the moment a display
of its branch reads an event holding that number (the monotonic clock is the machine's, shared
by the processes); every display reads every call of its branch it sees.

    .venv/bin/python bench/run.py attention_live   # or: python bench/bench_attention_live.py
"""

import contextlib
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
BRANCHES = int(os.environ.get("BENCH_BRANCHES", "10"))  # kiosks, desks and displays spread out
DURATION = float(os.environ.get("BENCH_DURATION", "30"))
KIOSK_EVERY = float(os.environ.get("BENCH_KIOSK_EVERY", "2"))  # seconds between a kiosk's tickets
DESK_EVERY = float(os.environ.get("BENCH_DESK_EVERY", "2"))  # seconds between a desk's calls
MAX_CONNECTIONS = 60  # client connections open at once (PostgreSQL allows 100 in all)
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "3"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))  # the server's processes
THREADS = int(os.environ.get("BENCH_THREADS", "80"))  # threads per process: displays hold one


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def _setup() -> tuple[list[tuple[int, str]], list[int], list[int]]:
    """BRANCHES branches of one organisation, each with two queues and its share of the desks,
    each desk with its own member of staff signed in."""
    from compromiso.attention import services
    from compromiso.attention.models import Branch, Desk, Queue
    from compromiso.catalog.models import Channel, TouchPoint
    from compromiso.organizations.models import Membership, Organization, Role, Unit, User

    org = Organization.objects.create(
        name="Servicio de prueba", slug="bench", country="CL", time_zone="America/Santiago"
    )
    channel = Channel.objects.create(organization=org, name="Presencial", kind="in_person")
    branches, queues, desks = [], [], []
    for b in range(BRANCHES):
        unit = Unit.objects.create(organization=org, name=f"Sucursal {b + 1}", kind="branch")
        point = TouchPoint.objects.create(
            organization=org, unit=unit, channel=channel, name=f"Oficina {b + 1}"
        )
        branch = Branch.objects.create(organization=org, touch_point=point, code=f"s{b + 1}")
        general = Queue.objects.create(branch=branch, name="Atención general", letter="A")
        quick = Queue.objects.create(branch=branch, name="Trámites rápidos", letter="B")
        branches.append((branch.pk, branch.display_key))
        queues += [general.pk, quick.pk]
        for n in range(b, DESKS, BRANCHES):
            desk = Desk.objects.create(branch=branch, name=f"Módulo {n + 1}")
            desk.queues.add(general, quick)
            user = User.objects.create_user(username=f"desk{n}", password=None)
            Membership.objects.create(
                user=user, organization=org, unit=unit, role=Role.CASE_OFFICER
            )
            services.sit_at(desk, by=user)
            desks.append(desk.pk)
    return branches, queues, desks


def _displays(port: int, branches: list[list[object]], count: int) -> dict[str, object]:
    """`count` displays in one event loop, shared out over the branches: each reads its branch's
    event stream and notes when (monotonic clock, shared by the processes of this machine) each
    called number first appears, as "<branch id>:<number>"."""
    import asyncio

    seen: list[dict[str, float]] = [{} for _ in range(count)]
    connected = 0
    errors: list[str] = []
    until = time.monotonic() + 3600.0  # set when the parent says go
    ready = asyncio.Event()

    async def display(n: int) -> None:
        nonlocal connected
        branch_id, key = branches[n % len(branches)]
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(
                f"GET /display/{key}/events/ HTTP/1.0\r\nHost: testserver\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            await writer.drain()
            status = (await reader.readline()).decode()
            if " 200 " not in status:
                errors.append(status.strip())
                return
            connected += 1
            if connected == count:
                ready.set()
            data = ""
            while time.monotonic() < until:
                remaining = until - time.monotonic()
                try:
                    raw = await asyncio.wait_for(reader.readline(), timeout=max(remaining, 0.01))
                except TimeoutError:
                    break
                if not raw:
                    break
                line = raw.decode().rstrip("\r\n")
                if line.startswith("data: "):
                    data = line[6:]
                elif line == "" and data:
                    arrived = time.monotonic()
                    for call in json.loads(data)["calls"]:
                        seen[n].setdefault(f"{branch_id}:{call['number']}", arrived)
                    data = ""
                elif line and not line.startswith((":", "event:", "id:", "retry:")):
                    # a chunk-size line of the chunked transfer encoding: not an event line
                    continue
            writer.close()
        except Exception as error:
            errors.append(repr(error)[:200])

    async def all_displays() -> None:
        nonlocal until
        tasks = []
        for n in range(count):
            tasks.append(asyncio.create_task(display(n)))
            await asyncio.sleep(0.005)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=60)
        print("ready", flush=True)
        until = float(await asyncio.to_thread(sys.stdin.readline))
        await asyncio.gather(*tasks)

    asyncio.run(all_displays())
    shown = [branches[n % len(branches)][0] for n in range(count)]
    return {"connected": connected, "errors": errors, "seen": seen, "branch": shown}


def _clients(setup: dict[str, object], part: int, parts: int) -> dict[str, object]:
    """One client process: its share of the kiosks and desks, each a thread acting open loop
    through the queue services, timed from the call to the service's return (commit
    included)."""
    from django.db import connection

    from compromiso.attention import services
    from compromiso.attention.models import Desk, DeskSession, Queue
    from compromiso.core.actors import PUBLIC
    from compromiso.organizations.models import User

    queue_ids: list[int] = setup["queues"]  # type: ignore[assignment]
    desk_ids: list[int] = setup["desks"]  # type: ignore[assignment]
    kiosks = [n for n in range(KIOSKS) if n % parts == part]
    my_desks = [pk for n, pk in enumerate(desk_ids) if n % parts == part]
    queues = list(
        Queue.objects.select_related("branch__touch_point__unit", "branch__organization")
        .filter(pk__in=queue_ids)
        .order_by("pk")
    )
    desks = list(Desk.objects.select_related("branch__touch_point__unit").filter(pk__in=my_desks))
    sitting = dict(DeskSession.objects.filter(ended_at__isnull=True).values_list("desk_id", "user"))
    users = User.objects.in_bulk(list(sitting.values()))
    connection.close()
    print("ready", flush=True)
    until = float(sys.stdin.readline())

    gate = threading.Semaphore(max(MAX_CONNECTIONS // parts, 1))
    issue_ms: list[float] = []
    call_ms: list[float] = []
    called_at: dict[str, float] = {}
    errors: list[str] = []
    lock = threading.Lock()

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
                called_at[f"{visit.branch_id}:{visit.number}"] = done

    queue_count = len(queues)
    threads = [
        threading.Thread(
            target=client, args=(KIOSK_EVERY, lambda q=queues[n % queue_count]: kiosk(q))
        )
        for n in kiosks
    ] + [
        threading.Thread(target=client, args=(DESK_EVERY, lambda d=desk: desk_call(d)))
        for desk in desks
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"issue_ms": issue_ms, "call_ms": call_ms, "called_at": called_at, "errors": errors}


def _spawn(*args: str) -> subprocess.Popen[str]:
    """A client process; it prints "ready" once set up, then waits for the time to stop."""
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DATABASE_POOL_SIZE": str(max(MAX_CONNECTIONS // CLIENT_PROCESSES, 1))},
    )


def _ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError("a client process failed to start")


def _result(process: subprocess.Popen[str]) -> dict[str, object]:
    out, _ = process.communicate(timeout=DURATION + 300)
    lines = out.strip().splitlines()
    if process.returncode or not lines:
        raise RuntimeError(f"a client process failed (exit {process.returncode})")
    return json.loads(lines[-1])  # type: ignore[no-any-return]


def _load(
    branches: list[tuple[int, str]], queue_ids: list[int], desk_ids: list[int], port: int
) -> dict[str, object]:
    """The displays connect first (one process), then the kiosks and desks act for DURATION
    seconds (CLIENT_PROCESSES processes); the displays keep reading 2 s longer."""
    setup = json.dumps({"branches": branches, "queues": queue_ids, "desks": desk_ids, "port": port})
    displays = _spawn("--displays", setup)
    clients = [
        _spawn("--clients", setup, str(part), str(CLIENT_PROCESSES))
        for part in range(CLIENT_PROCESSES)
    ]
    for process in [displays, *clients]:
        _ready(process)
    until = time.monotonic() + DURATION
    for process, stop in [(displays, until + 2), *((c, until) for c in clients)]:
        assert process.stdin is not None
        process.stdin.write(f"{stop}\n")
        process.stdin.flush()
    parts = [_result(process) for process in clients]
    shown = _result(displays)
    issue_ms = [ms for part in parts for ms in part["issue_ms"]]  # type: ignore[attr-defined]
    call_ms = [ms for part in parts for ms in part["call_ms"]]  # type: ignore[attr-defined]
    called_at: dict[str, float] = {}
    for part in parts:
        called_at.update(part["called_at"])  # type: ignore[call-overload]
    delays: list[float] = []
    missed = 0
    for seen, branch_id in zip(shown["seen"], shown["branch"], strict=True):  # type: ignore[call-overload]
        for number, at in called_at.items():
            if not number.startswith(f"{branch_id}:"):
                continue  # another branch's call: not on this display
            arrived = seen.get(number)
            if arrived is None:
                missed += 1
            else:
                delays.append((arrived - at) * 1000)
    return {
        "connected": shown["connected"],
        "display_errors": len(shown["errors"]),  # type: ignore[arg-type]
        "issue_ms": issue_ms,
        "call_ms": call_ms,
        "calls": len(called_at),
        "delays": delays,
        "missed": missed,
        "errors": [error for part in parts for error in part["errors"]],  # type: ignore[attr-defined]
    }


def measure() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    branches, queue_ids, desk_ids = _setup()
    port = free_port()
    used = f"gunicorn ({WORKERS} workers × {THREADS} threads), as `compromiso serve --production`"
    command = [sys.executable, "-m", "compromiso.cli", "serve", "--production",
               f"127.0.0.1:{port}"]  # fmt: skip
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        "GUNICORN_LOG_LEVEL": "warning",
        "TASKS_BACKEND": "database",  # the production server runs its task worker beside it
    }
    from django.db import connection

    connection.close()
    with server(command, env, port, ROOT):
        result = _load(branches, queue_ids, desk_ids, port)
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
    elif sys.argv[1:2] == ["--displays"]:
        setup = json.loads(sys.argv[2])
        print(json.dumps(_displays(setup["port"], setup["branches"], DISPLAYS)))
    elif sys.argv[1:2] == ["--clients"]:
        import django

        django.setup()
        setup = json.loads(sys.argv[2])
        print(json.dumps(_clients(setup, int(sys.argv[3]), int(sys.argv[4]))))
    else:
        for label, value, unit in run():
            print(f"  {label:<60} {value:>12,.1f} {unit}")
