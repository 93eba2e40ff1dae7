"""The rate limiter counts in the database, so every process and server shares the limit."""

import datetime as dt

import pytest
from django.utils import timezone

from compromiso.core import ratelimit
from compromiso.core.models import RateCounter

pytestmark = pytest.mark.django_db


def test_hits_over_the_limit_are_refused_until_the_window_ends():
    allowed = [ratelimit.allow("lookup:1.2.3.4", limit=3, window_seconds=60) for _ in range(5)]

    assert allowed == [True, True, True, False, False]
    assert ratelimit.blocked("lookup:1.2.3.4", limit=3, window_seconds=60)
    assert not ratelimit.blocked("lookup:5.6.7.8", limit=3, window_seconds=60)

    RateCounter.objects.update(window_start=timezone.now() - dt.timedelta(seconds=61))

    assert not ratelimit.blocked("lookup:1.2.3.4", limit=3, window_seconds=60)
    assert ratelimit.allow("lookup:1.2.3.4", limit=3, window_seconds=60)
    assert RateCounter.objects.get().hits == 1


def test_each_key_has_its_own_count_and_old_windows_are_purged():
    ratelimit.allow("a", limit=1, window_seconds=60)
    ratelimit.allow("b", limit=1, window_seconds=60)
    assert not ratelimit.allow("a", limit=1, window_seconds=60)
    RateCounter.objects.filter(key="a").update(window_start=timezone.now() - dt.timedelta(days=2))

    assert ratelimit.purge() == 1
    assert list(RateCounter.objects.values_list("key", flat=True)) == ["b"]


def test_a_very_long_key_is_cut_not_refused():
    assert ratelimit.allow("x" * 1000, limit=1, window_seconds=60)
    assert not ratelimit.allow("x" * 1000, limit=1, window_seconds=60)


def test_on_postgresql_the_counters_are_unlogged_and_still_count():
    """Each hit commits on its own: in an unlogged table that commit does not wait for the
    write-ahead log to reach the disk (migration core 0004)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("unlogged tables are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'core_ratecounter'")
        assert cursor.fetchone() == ("u",)
    allowed = [ratelimit.allow("form:9.9.9.9", limit=2, window_seconds=60) for _ in range(3)]
    assert allowed == [True, True, False]
    assert RateCounter.objects.get(key="form:9.9.9.9").hits == 3
