"""A fixed-window rate limiter for public endpoints, kept in the database: one atomic upsert per
hit, so the limit holds across every process and server without a shared cache. Old windows are
removed by `case_maintenance` (see `purge`)."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from compromiso.core.models import RateCounter


def allow(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key`; False once `limit` hits happened within the window."""
    now = timezone.now()
    expired = now - dt.timedelta(seconds=window_seconds)
    table = RateCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ("key", "window_start", "hits") VALUES (%s, %s, 1) '
            f'ON CONFLICT ("key") DO UPDATE SET '
            f'"hits" = CASE WHEN "{table}"."window_start" <= %s THEN 1 '
            f'ELSE "{table}"."hits" + 1 END, '
            f'"window_start" = CASE WHEN "{table}"."window_start" <= %s THEN excluded.'
            f'"window_start" ELSE "{table}"."window_start" END '
            'RETURNING "hits"',
            [
                key[:200],
                *(connection.ops.adapt_datetimefield_value(v) for v in (now, expired, expired)),
            ],
        )
        row = cursor.fetchone()
    return row is not None and int(row[0]) <= limit


def blocked(key: str, *, limit: int, window_seconds: int) -> bool:
    """True while `key` is over its limit in a current window, without counting a hit."""
    since = timezone.now() - dt.timedelta(seconds=window_seconds)
    return RateCounter.objects.filter(
        key=key[:200], window_start__gt=since, hits__gte=limit
    ).exists()


def purge(older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Remove counters whose window ended long ago."""
    deleted, _types = RateCounter.objects.filter(
        window_start__lt=timezone.now() - older_than
    ).delete()
    return deleted


def client_address(meta: dict[str, str]) -> str:
    """The client's address as the web server saw it (a proxy must set REMOTE_ADDR right)."""
    return meta.get("REMOTE_ADDR", "unknown")
