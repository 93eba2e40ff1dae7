"""A month's attention figures for 200 branches (5 M visits) from the daily facts.

Builds, in a fresh PostgreSQL database, one organisation with 200 branches (3 queues and 6
desks each) and a month (November 2026, Monday to Saturday, 08:00–17:00, Mondays busier) of
`VisitDailyFact` rows equivalent to 5,000,000 visits and their `VisitDaySummary` rows — written
with COPY, not by replaying visits — then times the figures page's computation
(`attention.figures.compute`, facts already fresh) for the whole network (day summaries) and for
one branch (facts). Median and worst of 7 runs.

    .venv/bin/python bench/run.py attention_figures   (needs BENCH_PG or a local PostgreSQL)
"""

import datetime as dt
import io
import json
import os
import statistics
import sys
import time

import numpy as np

BRANCHES, QUEUES, DESKS_PER_QUEUE = 200, 3, 2
VISITS = int(os.environ.get("BENCH_ATTENTION_VISITS", "5000000"))
HOURS = range(8, 17)
MONTH = [dt.date(2026, 11, d) for d in range(1, 31) if dt.date(2026, 11, d).weekday() < 6]
RUNS = 7
COLUMNS = (
    "organization_id", "day", "hour", "branch_id", "queue_id", "service_id", "procedure_id",
    "desk_id", "visits", "transactions", "called", "served", "resolved", "pending", "referred",
    "not_resolved", "no_shows", "left", "transferred", "within_level", "left_after_level",
    "wait_seconds", "walk_seconds", "service_count", "service_seconds", "hold_seconds",
    "wait_minutes", "service_minutes", "left_minutes",
)  # fmt: skip


SUMMARY_COLUMNS = (
    "organization_id", "day", "branch_id", "queue_id", "service_id", "procedure_id",
    *COLUMNS[8:26], "wait_minutes", "service_minutes", "left_minutes", "hours", "hour_minutes",
    "hour_service",
)  # fmt: skip
COUNTERS = COLUMNS[8:26]
CAP = 241  # HISTOGRAM_CAP + 1: what the facts keep for anything longer


def _histogram(values: np.ndarray) -> str:
    keys, counts = np.unique(values, return_counts=True)
    return json.dumps({str(k): int(c) for k, c in zip(keys, counts, strict=True)})


def _bytea(blob: bytes) -> str:
    """A packed array as COPY text: bytea hex, its backslash escaped."""
    return "\\\\x" + blob.hex()


class _Day:
    """One summary row being added up: counters, the three histograms, the hours, and per
    hour the waits, the waits of those who left and the service times."""

    def __init__(self) -> None:
        self.counters = dict.fromkeys(COUNTERS, 0)
        self.histograms = [np.zeros(CAP + 1, dtype="<i4") for _ in range(3)]
        self.hours: dict[int, np.ndarray] = {}
        # hour → [waits, left uncalled, service times]
        self.hour_waits: dict[int, list[np.ndarray]] = {}

    def add(self, hour: int, counters: dict[str, int], histograms: list[np.ndarray]) -> None:
        from compromiso.attention.models.summaries import HOURLY

        for name, value in counters.items():
            self.counters[name] += value
        for target, values in zip(self.histograms, histograms, strict=True):
            target += np.bincount(values, minlength=CAP + 1).astype("<i4")
        waits = self.hour_waits.setdefault(hour, [np.zeros(CAP + 1, dtype="<i4") for _ in "wls"])
        kinds = (histograms[0], histograms[2], histograms[1])  # waits, left, service times
        for target, values in zip(waits, kinds, strict=True):
            target += np.bincount(values, minlength=CAP + 1).astype("<i4")
        row = self.hours.setdefault(hour, np.zeros(len(HOURLY), dtype="<i8"))
        row += np.array([counters.get(name, 0) for name in HOURLY], dtype="<i8")

    def packed(self) -> list[str]:
        from compromiso.attention.models.summaries import (
            HOUR_HISTOGRAMS,
            HOUR_SERVICE,
            pack_histogram,
            pack_hour_minutes,
            pack_hours,
        )

        histograms = [
            pack_histogram({int(m): int(histogram[m]) for m in np.flatnonzero(histogram)})
            for histogram in self.histograms
        ]
        hours = pack_hours({hour: row.tolist() for hour, row in self.hours.items()})
        per_hour = {
            name: {
                hour: {int(m): int(histogram[m]) for m in np.flatnonzero(histogram)}
                for hour, kinds in self.hour_waits.items()
                for histogram in (kinds[kind],)
            }
            for kind, name in enumerate((*HOUR_HISTOGRAMS, *HOUR_SERVICE))
        }
        hour_minutes = pack_hour_minutes(per_hour)
        hour_service = pack_hour_minutes(per_hour, HOUR_SERVICE)
        return [_bytea(blob) for blob in (*histograms, hours, hour_minutes, hour_service)]


def _counters(**values: int) -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0) | values


def _build(organization_id: int, branch_ids: list[int], queues: dict, desks: dict) -> int:
    """COPY the facts, and their day summaries: visits spread by weekday and hour, waits ~
    gamma (mean ≈ 12 min), minutes capped as the facts cap them."""
    from django.db import connection

    rng = np.random.default_rng(16)
    weekday_weight = np.array([1.5, 1.1, 1.0, 1.0, 1.1, 0.5])
    hour_weight = np.array([0.6, 1.2, 1.4, 1.3, 0.9, 0.8, 1.1, 1.0, 0.7])
    cells = [(day, hour) for day in MONTH for hour in HOURS]
    weights = np.array([weekday_weight[d.weekday()] * hour_weight[h - 8] for d, h in cells])
    per_branch = VISITS / BRANCHES
    rows, summary_rows = io.StringIO(), io.StringIO()
    written = 0
    empty = np.zeros(0, dtype=int)

    def fact(dims: tuple, counters: dict[str, int], histograms: list[np.ndarray]) -> None:
        values = [*dims, *(counters[name] for name in COUNTERS)]
        values += [_histogram(h) if len(h) else "{}" for h in histograms]
        rows.write("\t".join(map(str, values)) + "\n")

    for branch_id in branch_ids:
        expected = per_branch * weights / weights.sum()
        days: dict[tuple[dt.date, int, int], _Day] = {}
        for (day, hour), mean in zip(cells, expected, strict=True):
            for queue_id, service_id in queues[branch_id]:
                summary = days.setdefault((day, queue_id, service_id), _Day())
                visits = int(rng.poisson(mean / QUEUES))
                if not visits:
                    continue
                left = int(rng.binomial(visits, 0.04))
                split = rng.multinomial(visits - left, [0.5, 0.5])
                for desk_id, called in zip(desks[queue_id], split, strict=True):
                    waits = np.minimum(np.ceil(rng.gamma(2.0, 360.0, called) / 60), CAP)
                    services = np.minimum(np.ceil(rng.gamma(3.0, 160.0, called) / 60), CAP)
                    waits, services = waits.astype(int), services.astype(int)
                    no_shows = int(rng.binomial(called, 0.03))
                    served = called - no_shows
                    counters = _counters(
                        visits=called, transactions=called, called=called, served=served,
                        resolved=served, no_shows=no_shows, within_level=int((waits <= 15).sum()),
                        wait_seconds=int(waits.sum() * 60), walk_seconds=served * 40,
                        service_count=served, service_seconds=int(services[:served].sum() * 60),
                    )  # fmt: skip
                    histograms = [waits, services[:served], empty]
                    dims = (organization_id, day, hour, branch_id, queue_id, service_id)
                    fact((*dims, r"\N", desk_id), counters, histograms)
                    summary.add(hour, counters, histograms)
                    written += 1
                if left:
                    lefts = np.minimum(np.ceil(rng.gamma(2.0, 600.0, left) / 60), CAP)
                    lefts = lefts.astype(int)
                    counters = _counters(
                        visits=left, transactions=left, left=left,
                        left_after_level=int((lefts > 15).sum()),
                    )  # fmt: skip
                    histograms = [empty, empty, lefts]
                    dims = (organization_id, day, hour, branch_id, queue_id, service_id)
                    fact((*dims, r"\N", r"\N"), counters, histograms)
                    summary.add(hour, counters, histograms)
                    written += 1
        for (day, queue_id, service_id), summary in days.items():
            if not summary.hours:
                continue
            values = [organization_id, day, branch_id, queue_id, service_id, r"\N"]
            values += [summary.counters[name] for name in COUNTERS]
            summary_rows.write("\t".join(map(str, [*values, *summary.packed()])) + "\n")
    with connection.cursor() as cursor:
        for table, columns, buffer in (
            ("attention_visitdailyfact", COLUMNS, rows),
            ("attention_visitdaysummary", SUMMARY_COLUMNS, summary_rows),
        ):
            buffer.seek(0)
            quoted = ", ".join(f'"{column}"' for column in columns)  # "left" is a keyword
            with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                while chunk := buffer.read(1 << 20):
                    copy.write(chunk)
            cursor.execute(f"ANALYZE {table}")
    return written


def _network():
    from compromiso.attention.models import Branch, Desk, Queue
    from compromiso.catalog.models import Channel, Service, TouchPoint
    from compromiso.organizations.models import Organization, Unit

    organization = Organization.objects.create(
        name="Red de prueba", slug="bench-attention", country="CL", subdivision="RM",
        time_zone="America/Santiago",
    )  # fmt: skip
    channel = Channel.objects.create(organization=organization, kind="in_person", name="Oficinas")
    head = Unit.objects.create(organization=organization, name="Dirección", kind="area")
    services = [
        Service.objects.create(
            organization=organization, provider_unit=head, code=f"S{i}", name=f"Servicio {i}"
        )
        for i in range(QUEUES)
    ]
    branch_ids, queues, desks = [], {}, {}
    for b in range(BRANCHES):
        unit = Unit.objects.create(organization=organization, name=f"Sucursal {b}", kind="branch")
        point = TouchPoint.objects.create(
            organization=organization, unit=unit, channel=channel, name=f"Oficina {b:03d}"
        )
        branch = Branch.objects.create(organization=organization, touch_point=point, code=f"b{b}")
        branch_ids.append(branch.pk)
        queues[branch.pk] = []
        for q in range(QUEUES):
            queue = Queue.objects.create(branch=branch, name=f"Fila {q}", letter="ABC"[q])
            queue.services.add(services[q])
            queues[branch.pk].append((queue.pk, services[q].pk))
            desks[queue.pk] = [
                Desk.objects.create(branch=branch, name=f"Módulo {q}-{d}").pk
                for d in range(DESKS_PER_QUEUE)
            ]
    return organization, branch_ids, queues, desks


def _time(call) -> tuple[float, float]:
    call()  # warm
    spent = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent), max(spent)


def run() -> list[tuple[str, float, str]]:
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "This benchmark needs PostgreSQL: createdb bench_attention, then "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_attention "
            ".venv/bin/python bench/run.py attention_figures"
        )
    return _measure()


def _measure() -> list[tuple[str, float, str]]:
    from compromiso.attention import figures
    from compromiso.attention.models import Branch, VisitDailyFact, VisitDaySummary
    from compromiso.organizations.models import Organization

    organization = Organization.objects.filter(slug="bench-attention").first()
    built = 0.0
    if organization is None:  # built once; later runs time the figures on the same rows
        organization, branch_ids, queues, desks = _network()
        began = time.perf_counter()
        _build(organization.pk, branch_ids, queues, desks)
        built = time.perf_counter() - began
    branch_ids = list(
        Branch.objects.filter(organization=organization).order_by("pk").values_list("pk", flat=True)
    )
    rows = VisitDailyFact.objects.filter(organization=organization).count()
    summaries = VisitDaySummary.objects.filter(organization=organization).count()
    visits = sum(VisitDailyFact.objects.values_list("visits", flat=True).iterator())
    start, end = MONTH[0], MONTH[-1]

    def network():
        return figures.compute(organization, start, end, refresh=False, detail=False)

    def listed():  # the figures page: every branch the member may see, by id
        return figures.compute(
            organization, start, end, branches=branch_ids, refresh=False, detail=False
        )

    def one_branch():
        return figures.compute(
            organization, start, end, branches=[branch_ids[7]], refresh=False, detail=True
        )

    report = network()
    assert report.total.visits == visits, (report.total.visits, visits)
    began = time.perf_counter()
    fine = figures.compute(organization, start, end, refresh=False, detail=False, grain="facts")
    fine_ms = (time.perf_counter() - began) * 1000
    assert (fine.total, fine.by_branch, fine.by_day) == (
        report.total,
        report.by_branch,
        report.by_day,
    )
    assert fine.by_hour == report.by_hour  # the hours' waits and service times included
    hour_bytes = sum(
        len(waits or b"") + len(service or b"")
        for waits, service in VisitDaySummary.objects.filter(organization=organization)
        .values_list("hour_minutes", "hour_service")
        .iterator()
    )
    network_median, network_worst = _time(network)
    listed_median, listed_worst = _time(listed)
    branch_median, branch_worst = _time(one_branch)
    return [
        ("visits represented", visits, "visits"),
        ("fact rows", rows, "rows"),
        ("day summary rows", summaries, "rows"),
        ("per-hour histograms per summary row (mean)", hour_bytes / summaries, "bytes"),
        ("building facts and summaries with COPY (0: built by an earlier run)", built, "s"),
        ("month's figures, network of 200 branches, median", network_median, "ms"),
        ("month's figures, network, worst of 7", network_worst, "ms"),
        ("month's figures, 200 branches listed by id, median", listed_median, "ms"),
        ("month's figures, 200 branches listed by id, worst of 7", listed_worst, "ms"),
        ("month's figures, one branch (facts, desks), median", branch_median, "ms"),
        ("month's figures, one branch, worst of 7", branch_worst, "ms"),
        ("the network from the facts instead (one run, for comparison)", fine_ms, "ms"),
    ]
