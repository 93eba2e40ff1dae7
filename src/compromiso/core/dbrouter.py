"""Reads of the views marked `use_replica` go to the PostgreSQL streaming replica; everything
else goes to the primary.

With DATABASE_REPLICA_URL set the settings add a "replica" database and this router. Nothing is
guessed: only code run inside `use_replica` (a view decorator and a context manager) reads from
the replica — dashboards, analytics, exports: pages that read much and write nothing — and even
there these stay on the primary:

- read-your-writes: a browser that sent any non-GET request (a form, a log-in, an API call) in
  the last DATABASE_REPLICA_PIN_SECONDS carries a cookie that keeps its reads on the primary,
  so whoever just changed something sees it at once;
- lag: when the replica is more than DATABASE_REPLICA_MAX_LAG_SECONDS behind (or does not
  answer), reads go to the primary; the lag is asked at most once a second per process;
- reads inside a transaction (figures refreshed before they are shown lock and rewrite rows)
  stay on the primary with it;
- sessions, users, log-in throttling, rate counters and task rows are always read from the
  primary.

Writes always go to the primary; migrations run only there (the replica copies them).
"""

import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "compromiso_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Apps whose rows decide who someone is and what they may do now: never read behind.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_tasks_db", "auth"})
PRIMARY_ONLY_MODELS = frozenset({("core", "ratecounter"), ("organizations", "user")})
LAG_CHECK_SECONDS = 1.0

_on_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("on_replica", default=False)
_lag_lock = threading.Lock()
_lag_seen: dict[str, float] = {}  # "at": monotonic time of the check, "lag": seconds (inf: down)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_lag() -> float:
    """Seconds the replica is behind the primary (0 when it replayed all it received; infinity
    when it does not answer). Cached for a second per process."""
    now = time.monotonic()
    with _lag_lock:
        if "at" in _lag_seen and now - _lag_seen["at"] < LAG_CHECK_SECONDS:
            return _lag_seen["lag"]
    lag = _measure_lag()
    with _lag_lock:
        _lag_seen.update(at=time.monotonic(), lag=lag)
    return lag


def _measure_lag() -> float:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
                "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), "
                "'Infinity') END"
            )
            row = cursor.fetchone()
    except Exception:  # a replica down or unreachable: read from the primary
        logger.warning("The database replica does not answer; reading from the primary.")
        with contextlib.suppress(Exception):
            connections[REPLICA].close()
        return float("inf")
    return float(row[0]) if row and row[0] is not None else float("inf")


def forget_lag() -> None:
    """Ask the replica's lag afresh on the next read (tests)."""
    with _lag_lock:
        _lag_seen.clear()


def _replica_usable() -> bool:
    return replica_configured() and replica_lag() <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS


def pinned_to_primary(request: HttpRequest) -> bool:
    """True while the browser's own recent write keeps its reads on the primary."""
    try:
        until = float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return False
    return until > time.time()


@contextlib.contextmanager
def reading_replica(request: HttpRequest | None = None) -> Iterator[bool]:
    """Inside the block the router sends reads to the replica, unless the request's browser
    just wrote, the replica lags or there is none. Yields whether the replica is used."""
    use = (request is None or not pinned_to_primary(request)) and _replica_usable()
    token = _on_replica.set(use)
    try:
        yield use
    finally:
        _on_replica.reset(token)


def use_replica[V: Callable[..., Any]](view: V) -> V:
    """Mark a view that only reads (a dashboard, analytics, an export) as served by the replica."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with reading_replica(request):
            return view(request, *args, **kwargs)

    wrapped.use_replica = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


class ReplicaRouter:
    """The DATABASE_ROUTERS entry when a replica is configured."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _on_replica.get() or connections["default"].in_atomic_block:
            # Inside a transaction on the primary (a refresh of figures locking its rows, a
            # write about to follow) reads must see that transaction: they stay with it.
            return None
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or (meta.app_label, meta.model_name) in (
            PRIMARY_ONLY_MODELS
        ):
            return None
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same rows on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA


class ReadYourWritesMiddleware:
    """After any non-GET request, keep that browser's reads on the primary for a while."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS and replica_configured():
            seconds = settings.DATABASE_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.3f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
