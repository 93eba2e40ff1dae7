"""A month's attention figures for 200 branches (5 M visits) from the daily facts.

Builds, in a fresh PostgreSQL database, one organisation with 200 branches (3 queues and 6
desks each) and a month (November 2026, Monday to Saturday, 08:00–17:00, Mondays busier) of
`VisitDailyFact` rows equivalent to 5,000,000 visits — written with COPY, not by replaying
visits — then times the figures page's computation (`attention.figures.compute`, facts already
fresh) for the whole network and for one branch. Median and worst of 7 runs.

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
QUOTED = ", ".join(f'"{column}"' for column in COLUMNS)  # "left" is a keyword


def _histogram(values: np.ndarray) -> str:
    keys, counts = np.unique(values, return_counts=True)
    return json.dumps({str(k): int(c) for k, c in zip(keys, counts, strict=True)})


def _build(organization_id: int, branch_ids: list[int], queues: dict, desks: dict) -> int:
    """COPY the facts: visits spread by weekday and hour, waits ~ gamma (mean ≈ 12 min)."""
    from django.db import connection

    rng = np.random.default_rng(16)
    weekday_weight = np.array([1.5, 1.1, 1.0, 1.0, 1.1, 0.5])
    hour_weight = np.array([0.6, 1.2, 1.4, 1.3, 0.9, 0.8, 1.1, 1.0, 0.7])
    cells = [(day, hour) for day in MONTH for hour in HOURS]
    weights = np.array([weekday_weight[d.weekday()] * hour_weight[h - 8] for d, h in cells])
    per_branch = VISITS / BRANCHES
    rows = io.StringIO()
    written = 0
    for branch_id in branch_ids:
        expected = per_branch * weights / weights.sum()
        for (day, hour), mean in zip(cells, expected, strict=True):
            for queue_id, service_id in queues[branch_id]:
                visits = int(rng.poisson(mean / QUEUES))
                if not visits:
                    continue
                left = int(rng.binomial(visits, 0.04))
                split = rng.multinomial(visits - left, [0.5, 0.5])
                for desk_id, called in zip(desks[queue_id], split, strict=True):
                    waits = np.ceil(rng.gamma(2.0, 360.0, called) / 60).astype(int)
                    services = np.ceil(rng.gamma(3.0, 160.0, called) / 60).astype(int)
                    no_shows = int(rng.binomial(called, 0.03))
                    served = called - no_shows
                    rows.write(
                        "\t".join(
                            map(
                                str,
                                (
                                    organization_id,
                                    day,
                                    hour,
                                    branch_id,
                                    queue_id,
                                    service_id,
                                    r"\N",
                                    desk_id,
                                    called,
                                    called,
                                    called,
                                    served,
                                    served,
                                    0,
                                    0,
                                    0,
                                    no_shows,
                                    0,
                                    0,
                                    int((waits <= 15).sum()),
                                    0,
                                    int(waits.sum() * 60),
                                    served * 40,
                                    served,
                                    int(services[:served].sum() * 60),
                                    0,
                                    _histogram(waits),
                                    _histogram(services[:served]),
                                    "{}",
                                ),
                            )
                        )
                        + "\n"
                    )
                    written += 1
                if left:
                    lefts = np.ceil(rng.gamma(2.0, 600.0, left) / 60).astype(int)
                    rows.write(
                        "\t".join(
                            map(
                                str,
                                (
                                    organization_id,
                                    day,
                                    hour,
                                    branch_id,
                                    queue_id,
                                    service_id,
                                    r"\N",
                                    r"\N",
                                    left,
                                    left,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    left,
                                    0,
                                    0,
                                    int((lefts > 15).sum()),
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    "{}",
                                    "{}",
                                    _histogram(lefts),
                                ),
                            )
                        )
                        + "\n"
                    )
                    written += 1
    rows.seek(0)
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY attention_visitdailyfact ({QUOTED}) FROM STDIN") as copy:
            while chunk := rows.read(1 << 20):
                copy.write(chunk)
        cursor.execute("ANALYZE attention_visitdailyfact")
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
    from compromiso.attention.models import Branch, VisitDailyFact
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
    visits = sum(VisitDailyFact.objects.values_list("visits", flat=True).iterator())
    start, end = MONTH[0], MONTH[-1]

    def network():
        return figures.compute(organization, start, end, refresh=False, detail=False)

    def one_branch():
        return figures.compute(
            organization, start, end, branches=[branch_ids[7]], refresh=False, detail=True
        )

    report = network()
    assert report.total.visits == visits, (report.total.visits, visits)
    network_median, network_worst = _time(network)
    branch_median, branch_worst = _time(one_branch)
    return [
        ("visits represented", visits, "visits"),
        ("fact rows", rows, "rows"),
        ("building the facts with COPY (0: built by an earlier run)", built, "s"),
        ("month's figures, network of 200 branches, median", network_median, "ms"),
        ("month's figures, network, worst of 7", network_worst, "ms"),
        ("month's figures, one branch, median", branch_median, "ms"),
        ("month's figures, one branch, worst of 7", branch_worst, "ms"),
    ]
