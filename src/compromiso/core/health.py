"""`/health/`: is this process able to serve? For load balancers, orchestrators and monitoring.

Three checks, each cheap, none showing personal data or needing a log-in:

- database: a `SELECT 1` on the default database;
- migrations: no migration is left to apply (the plan is computed at most once a minute per
  process: it reads every migration file);
- tasks: the number of ready tasks in the task table and the age of the oldest; the backlog is
  stale when that age passes `HEALTH_TASKS_MAX_AGE_SECONDS` (a worker is down or overwhelmed).

200 with `"status": "ok"` when every check passes, 503 with `"status": "degraded"` otherwise;
each check's result is in the body either way. A failing check reports the class of the error,
never its message (which may hold a host name or a query).
"""

import datetime as dt
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

MIGRATIONS_CACHE_SECONDS = 60

_migrations_lock = threading.Lock()
_migrations_cache: dict[str, Any] = {"at": None, "pending": None}


def check_database() -> dict[str, Any]:
    started = time.monotonic()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "milliseconds": round((time.monotonic() - started) * 1000, 1)}


def pending_migrations() -> int:
    """How many migrations are left to apply on the default database (not cached)."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def check_migrations() -> dict[str, Any]:
    with _migrations_lock:
        now = time.monotonic()
        at = _migrations_cache["at"]
        if at is None or now - at >= MIGRATIONS_CACHE_SECONDS:
            _migrations_cache["pending"] = pending_migrations()
            _migrations_cache["at"] = now
        pending = int(_migrations_cache["pending"])
    return {"ok": pending == 0, "pending": pending}


def forget_migrations() -> None:
    """Drop the cached migration plan (tests, and after `migrate` in the same process)."""
    with _migrations_lock:
        _migrations_cache["at"] = None
        _migrations_cache["pending"] = None


def task_backlog() -> tuple[int, float | None]:
    """Ready tasks (due now) and how long the oldest has been waiting, in seconds.

    A task is waiting since it was enqueued, or since its `run_after` when it was deferred."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    waiting_since = Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=Greatest(F("enqueued_at"), F("run_after")),
    )
    figures = DBTaskResult.objects.ready().aggregate(count=Count("pk"), oldest=Min(waiting_since))
    oldest: dt.datetime | None = figures["oldest"]
    age = max((timezone.now() - oldest).total_seconds(), 0.0) if oldest is not None else None
    return int(figures["count"]), age


def check_tasks() -> dict[str, Any]:
    count, age = task_backlog()
    limit = settings.HEALTH_TASKS_MAX_AGE_SECONDS
    return {
        "ok": age is None or age <= limit,
        "ready": count,
        "oldest_age_seconds": round(age, 1) if age is not None else None,
        "max_age_seconds": limit,
    }


CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "tasks": check_tasks,
}


def run_checks() -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as error:  # a failed check is a result, not a crash
            results[name] = {"ok": False, "error": type(error).__name__}
    return results


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "checks": checks},
        status=200 if healthy else 503,
    )
