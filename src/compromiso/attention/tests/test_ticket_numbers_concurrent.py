"""Kiosks of one queue issuing at the same instant each get a number of their own.

On PostgreSQL, twelve threads issue five tickets each on one queue, all at once: the queue's
counter hands out A001 to A060, each once, in one statement per ticket, and every visit is
stored. SQLite serialises writers, so this runs in the PostgreSQL pass."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from compromiso.attention import services
from compromiso.attention.models import Visit
from compromiso.core.actors import PUBLIC

pytestmark = [pytest.mark.django_db(transaction=True)]

MONDAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("America/Santiago"))
THREADS, EACH = 12, 5


def test_simultaneous_tickets_get_distinct_consecutive_numbers(general_queue):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers: run by the PostgreSQL pass of .ci/run")
    start = threading.Barrier(THREADS)
    numbers: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def kiosk() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(EACH):
                visit = services.issue_ticket(general_queue, by=PUBLIC, at=MONDAY)
                with lock:
                    numbers.append(visit.number)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=kiosk) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    expected = [f"A{n:03d}" for n in range(1, THREADS * EACH + 1)]
    assert sorted(numbers) == expected
    stored = Visit.objects.filter(queue=general_queue).values_list("number", flat=True)
    assert sorted(stored) == expected
