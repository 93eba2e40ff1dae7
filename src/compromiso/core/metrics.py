"""`/metrics`: Prometheus text exposition (format 0.0.4), written by hand.

Two kinds of figures:

- per request, counted by `MetricsMiddleware` in the memory of the process that served it:
  requests by method, route name and status class, and a latency histogram by route name. The
  route is the URL pattern's name (`cases:detail`), never the path with its ids; a request no
  pattern matched is `unmatched`.
- read from the database at scrape time, the same whichever process answers: the task queue's
  depth and oldest age, e-mail tasks that failed, and what other apps register with
  `register_collector` (cases received per organisation).

Several processes (gunicorn's workers): when `METRICS_DIR` names a folder, each process writes
its counters there every `FLUSH_SECONDS` (and on exit) as `<pid>.json`, and a scrape adds up
every file, so any worker answers with the whole server's figures, a few seconds late at most.
The files of workers that ended stay and keep counting, so totals never go down while the
server runs; `compromiso serve --production` gives the folder and empties it on start. Without
`METRICS_DIR` each process exposes only its own counters.

Access: a bearer token equal to `METRICS_TOKEN` (when set), or a request from the machine itself
(127.0.0.1 or ::1, not relayed by a proxy). Anyone else gets the site's 404.
"""

import atexit
import contextlib
import hmac
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
FLUSH_SECONDS = 5.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LOOPBACK = frozenset({"127.0.0.1", "::1"})

# An e-mail sent by a task that failed stays a failed task row (kept TASKS_KEEP_DAYS days).
EMAIL_TASKS = (
    "compromiso.attention.tasks.send_appointment_mail",
    "compromiso.audits.tasks.send_request_reminder",
    "compromiso.cases.tasks.send_acknowledgement",
    "compromiso.cases.tasks.send_answer_notice",
    "compromiso.charters.tasks.notify_breach",
    "compromiso.charters.tasks.send_review_reminder",
    "compromiso.core.tasks.send_password_reset",
    "compromiso.organizations.tasks.send_welcome_email",
    "compromiso.surveys.tasks.send_invitation",
)

Sample = tuple[dict[str, str], float]


class Registry:
    """The request counters of this process (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = {}
        # route -> [count per bucket (not cumulative)..., +Inf bucket, sum of seconds]
        self.latency: dict[str, list[float]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        status_class = f"{status // 100}xx"
        with self.lock:
            key = (method, route, status_class)
            self.requests[key] = self.requests.get(key, 0) + 1
            row = self.latency.get(route)
            if row is None:
                row = self.latency[route] = [0.0] * (len(BUCKETS) + 2)
            index = next((i for i, bound in enumerate(BUCKETS) if seconds <= bound), len(BUCKETS))
            row[index] += 1
            row[-1] += seconds

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": [[*key, count] for key, count in self.requests.items()],
                "latency": {route: list(row) for route, row in self.latency.items()},
            }

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.latency.clear()


REGISTRY = Registry()
COLLECTORS: list[Callable[[], list[str]]] = []


def register_collector(collector: Callable[[], list[str]]) -> None:
    """Add figures read at scrape time; `collector` returns exposition lines (see `family`)."""
    if collector not in COLLECTORS:
        COLLECTORS.append(collector)


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name if match.url_name else (match.route or "unmatched")


class MetricsMiddleware:
    """Counts every request and its time; first in MIDDLEWARE so the time is the whole stack's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _flusher_pid != [os.getpid()]:  # first request of this process (or forked child)
            _start_flusher()
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        REGISTRY.observe(
            str(method), route_of(request), response.status_code, time.perf_counter() - started
        )
        return response


# -- several processes: one file per process in METRICS_DIR ---------------------------------

_flusher_lock = threading.Lock()
_flusher_pid: list[int] = []


def metrics_dir() -> Path | None:
    folder = os.environ.get("METRICS_DIR", "")
    return Path(folder) if folder else None


def flush() -> None:
    """Write this process's counters to METRICS_DIR/<pid>.json (atomically), if set."""
    folder = metrics_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{os.getpid()}.json"
    partial = folder / f".{os.getpid()}.json.partial"
    partial.write_text(json.dumps(REGISTRY.snapshot()), encoding="utf-8")
    partial.replace(target)


def _flush_forever() -> None:
    while True:
        time.sleep(FLUSH_SECONDS)
        with contextlib.suppress(OSError):
            flush()


def _start_flusher() -> None:
    """One flushing thread per process (started again in a forked child)."""
    with _flusher_lock:
        if _flusher_pid == [os.getpid()]:
            return
        _flusher_pid[:] = [os.getpid()]
    if metrics_dir() is None:
        return
    threading.Thread(target=_flush_forever, name="metrics-flush", daemon=True).start()
    atexit.register(flush)


def merged_snapshot() -> dict[str, Any]:
    """This process's live counters plus every other process's last written ones."""
    snapshots = [REGISTRY.snapshot()]
    folder = metrics_dir()
    if folder is not None and folder.is_dir():
        own = f"{os.getpid()}.json"
        for path in sorted(folder.glob("*.json")):
            if path.name != own:
                with contextlib.suppress(OSError, ValueError):
                    snapshots.append(json.loads(path.read_text(encoding="utf-8")))
    requests: dict[tuple[str, str, str], float] = {}
    latency: dict[str, list[float]] = {}
    for snapshot in snapshots:
        for method, route, status_class, count in snapshot.get("requests", []):
            key = (method, route, status_class)
            requests[key] = requests.get(key, 0) + count
        for route, row in snapshot.get("latency", {}).items():
            total = latency.setdefault(route, [0.0] * (len(BUCKETS) + 2))
            for index, value in enumerate(row[: len(total)]):
                total[index] += value
    return {"requests": requests, "latency": latency}


# -- exposition ------------------------------------------------------------------------------


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(str(v))}"' for key, v in labels.items()) + "}"


def family(name: str, kind: str, help_text: str, samples: Iterable[Sample]) -> list[str]:
    """The lines of one metric family: HELP, TYPE and one line per sample."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines.extend(f"{name}{_labels(labels)} {_number(value)}" for labels, value in samples)
    return lines


def request_lines(snapshot: dict[str, Any]) -> list[str]:
    requests = sorted(snapshot["requests"].items())
    lines = family(
        "compromiso_http_requests_total",
        "counter",
        "HTTP requests answered, by method, route name and status class.",
        [({"method": m, "route": r, "status": s}, n) for (m, r, s), n in requests],
    )
    name = "compromiso_http_request_duration_seconds"
    lines += [
        f"# HELP {name} Time to answer a request, by route name.",
        f"# TYPE {name} histogram",
    ]
    for route, row in sorted(snapshot["latency"].items()):
        cumulative = 0.0
        for bound, count in zip((*map(str, BUCKETS), "+Inf"), row[:-1], strict=True):
            cumulative += count
            lines.append(
                f"{name}_bucket{_labels({'route': route, 'le': bound})} {_number(cumulative)}"
            )
        lines.append(f"{name}_sum{_labels({'route': route})} {row[-1]!r}")
        lines.append(f"{name}_count{_labels({'route': route})} {_number(cumulative)}")
    return lines


def task_lines() -> list[str]:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from compromiso.core.health import task_backlog

    count, age = task_backlog()
    failed = dict(
        DBTaskResult.objects.failed()
        .filter(task_path__in=EMAIL_TASKS)
        .values_list("task_path")
        .annotate(n=Count("pk"))
        .values_list("task_path", "n")
    )
    return [
        *family(
            "compromiso_tasks_ready",
            "gauge",
            "Background tasks due to run now and not started.",
            [({}, count)],
        ),
        *family(
            "compromiso_tasks_oldest_ready_age_seconds",
            "gauge",
            "How long the oldest ready task has waited (0 when none waits).",
            [({}, round(age or 0.0, 3))],
        ),
        *family(
            "compromiso_email_tasks_failed",
            "gauge",
            "E-mail sending tasks that failed, by task, among the stored task rows.",
            [({"task": path.rsplit(".", 1)[-1]}, failed.get(path, 0)) for path in EMAIL_TASKS],
        ),
    ]


def exposition() -> str:
    lines = request_lines(merged_snapshot())
    lines += task_lines()
    for collector in COLLECTORS:
        lines += collector()
    return "\n".join(lines) + "\n"


def allowed(request: HttpRequest) -> bool:
    token = os.environ.get("METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    relayed = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return request.META.get("REMOTE_ADDR") in LOOPBACK and not relayed


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD") or not allowed(request):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE)
