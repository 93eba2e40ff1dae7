"""Legal deadlines: how fast the business calendar computes them (recomputing every open case's
deadline after a calendar change must stay cheap)."""

import datetime as dt
import random
import time
import tracemalloc
from zoneinfo import ZoneInfo

from compromiso.core.calendar import BusinessCalendar, DeadlineUnit

N = 100_000


def run() -> list[tuple[str, float, str]]:
    rng = random.Random(7)
    tz = ZoneInfo("America/Santiago")
    start = dt.datetime(2024, 1, 1, tzinfo=tz)
    received = [start + dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60)) for _ in range(N)]
    results = []
    for label, calendar in (
        ("CL-RM", BusinessCalendar(country="CL", subdivision="RM", time_zone="America/Santiago")),
        ("ES-CT", BusinessCalendar(country="ES", subdivision="CT", time_zone="Europe/Madrid")),
    ):
        calendar.deadline(received[0], 20, DeadlineUnit.BUSINESS_DAYS)  # build the holiday table
        tracemalloc.start()
        began = time.perf_counter()
        for moment in received:
            calendar.deadline(moment, 20, DeadlineUnit.BUSINESS_DAYS)
        elapsed = time.perf_counter() - began
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results.append((f"{label}: 20-business-day deadlines per second", N / elapsed, "/s"))
        results.append((f"{label}: peak memory while computing {N:,}", peak / 1024, "KiB"))
        began = time.perf_counter()
        for moment in received[:20_000]:
            calendar.business_days_between(moment.date(), moment.date() + dt.timedelta(days=45))
        elapsed = time.perf_counter() - began
        results.append((f"{label}: business-day counts per second", 20_000 / elapsed, "/s"))
    return results
