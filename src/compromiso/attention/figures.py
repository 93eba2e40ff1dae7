"""Figures of the branches over a period, read from the daily facts (`attention.facts`):

- wait and service time: median and P90 from the minute histograms (nearest rank, minutes
  rounded up), mean from the exact sums;
- % served within X minutes = called within X ÷ (called + left uncalled after waiting more
  than X); X is each queue's service level, or a given number of minutes;
- abandonment = left before being served ÷ visits; no-shows ÷ called; transfers ÷ visits;
- visits per hour: for each weekday and hour, the visits that arrived then ÷ the days of that
  weekday on which the branches received visitors;
- busiest day: the day with most visits.

Per branch, service, queue, desk, hour of arrival and day."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.db.models import QuerySet

from compromiso.attention import facts
from compromiso.attention.models import Branch, Desk, Queue, VisitDailyFact, VisitDaySummary
from compromiso.attention.models.summaries import (
    BINS,
    HOUR_HISTOGRAMS,
    HOUR_RECORD,
    HOUR_SERVICE,
    HOURLY,
)
from compromiso.cases.analytics import percentile
from compromiso.catalog.models import Service
from compromiso.organizations.models import Organization

SUMMED = HOURLY  # the counters the figures add up (kept per hour in the day summaries)


@dataclass
class Cell:
    """Additive figures of a group of facts."""

    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))
    wait: Counter[int] = field(default_factory=Counter)
    service: Counter[int] = field(default_factory=Counter)
    left_wait: Counter[int] = field(default_factory=Counter)
    # False: counts and sums only (an hour of day summaries built before they kept the hours'
    # waits), no percentile, no "within X minutes" for a given X.
    histograms: bool = True
    # False: no service-time histogram (an hour of day summaries built before they kept the
    # hours' service times): the service time's mean but not its median or P90.
    service_kept: bool = True

    def add(self, values: tuple[Any, ...], histograms: tuple[dict[str, int], ...]) -> None:
        for name, value in zip(SUMMED, values, strict=True):
            self.sums[name] += value
        for target, histogram in zip(
            (self.wait, self.service, self.left_wait), histograms, strict=True
        ):
            for key, count in histogram.items():
                target[int(key)] += count


@dataclass(frozen=True)
class Row:
    key: Any
    label: str
    visits: int
    called: int
    served: int
    wait_median: int | None
    wait_p90: int | None
    wait_mean: float | None
    service_median: int | None
    service_p90: int | None
    service_mean: float | None
    within: float | None
    abandonment: float | None
    no_shows: float | None
    transfers: float | None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def within_share(cell: Cell, minutes: int | None) -> tuple[int, int]:
    """(called within X, called + left uncalled after more than X); X None = queue levels."""
    sums = cell.sums
    if minutes is None:
        return sums["within_level"], sums["called"] + sums["left_after_level"]
    within = sum(count for key, count in cell.wait.items() if key <= minutes)
    late_left = sum(count for key, count in cell.left_wait.items() if key > minutes)
    return within, sums["called"] + late_left


def row(key: Any, label: str, cell: Cell, minutes: int | None) -> Row:
    sums = cell.sums
    within, offered = within_share(cell, minutes)
    if minutes is not None and not cell.histograms:
        within, offered = 0, 0
    return Row(
        key=key,
        label=label,
        visits=sums["visits"],
        called=sums["called"],
        served=sums["served"],
        wait_median=percentile(cell.wait, 0.5),
        wait_p90=percentile(cell.wait, 0.9),
        wait_mean=round(sums["wait_seconds"] / 60 / sums["called"], 1) if sums["called"] else None,
        service_median=percentile(cell.service, 0.5),
        service_p90=percentile(cell.service, 0.9),
        service_mean=(
            round(sums["service_seconds"] / 60 / sums["service_count"], 1)
            if sums["service_count"]
            else None
        ),
        within=_pct(within, offered),
        abandonment=_pct(sums["left"], sums["visits"]),
        no_shows=_pct(sums["no_shows"], sums["called"]),
        transfers=_pct(sums["transferred"], sums["visits"]),
    )


@dataclass
class Report:
    start: dt.date
    end: dt.date
    minutes: int | None
    total: Row
    by_branch: list[Row]
    by_service: list[Row]
    by_queue: list[Row]
    by_desk: list[Row]
    by_hour: list[Row]
    by_day: list[Row]
    # weekday (0 = Monday) → hour → average visits per day open
    per_hour: dict[int, dict[int, float]]
    hours: list[int]
    busiest_day: tuple[dt.date, int] | None
    # False when some hour's service-time median and P90 cannot be given (day summaries built
    # before they kept the hours' service times).
    hour_service_kept: bool = True

    @property
    def is_empty(self) -> bool:
        return self.total.visits == 0 and self.total.called == 0


def compute(
    organization: Organization,
    start: dt.date,
    end: dt.date,
    *,
    branches: Iterable[int] | None = None,
    service: Service | None = None,
    minutes: int | None = None,
    refresh: bool = True,
    detail: bool = True,
    grain: str | None = None,
) -> Report:
    """The figures of the organisation's branches (or of `branches`, ids) over [start, end]
    (local days, both included). `detail` adds queues and desks (one branch's view).

    Without `detail` the figures come from the day summaries (`grain` "summary"), whose hour
    breakdown keeps the wait and service-time histograms per hour; with it, or with `grain`
    "facts", from the daily facts."""
    if refresh:
        facts.refresh(organization)
    from_summaries = (grain or ("facts" if detail else "summary")) == "summary"
    model = VisitDaySummary if from_summaries else VisitDailyFact
    rows = model.objects.filter(organization=organization, day__gte=start, day__lte=end)
    if branches is not None:
        rows = rows.filter(branch_id__in=list(branches))
    if service is not None:
        rows = rows.filter(service=service)
    read = _read_summaries if from_summaries else _read_facts
    total, groups, arrivals, open_days, per_day = read(rows, detail)
    names = _labels(groups)
    per_hour: dict[int, dict[int, float]] = defaultdict(dict)
    for (weekday, hour), visits in arrivals.items():
        per_hour[weekday][hour] = round(visits / len(open_days[weekday]), 1)
    busiest = max(per_day.items(), key=lambda item: (item[1], item[0])) if per_day else None

    def rows_of(name: str) -> list[Row]:
        built = [
            row(key, names[name].get(key, "—"), cell, minutes) for key, cell in groups[name].items()
        ]
        return sorted(built, key=lambda r: str(r.label) if name not in ("hour", "day") else r.key)

    return Report(
        start=start,
        end=end,
        minutes=minutes,
        total=row(None, "", total, minutes),
        by_branch=rows_of("branch"),
        by_service=rows_of("service"),
        by_queue=rows_of("queue"),
        by_desk=rows_of("desk"),
        by_hour=rows_of("hour"),
        by_day=rows_of("day"),
        per_hour=dict(per_hour),
        hours=sorted({hour for _weekday, hour in arrivals}),
        busiest_day=busiest,
        hour_service_kept=all(cell.service_kept for cell in groups["hour"].values()),
    )


GROUPS = ("branch", "service", "queue", "desk", "hour", "day")
# What a reading gives: the total, the groups, visits per (weekday, hour), the days each
# weekday had visitors, visits per day.
Read = tuple[
    Cell,
    dict[str, dict[Any, Cell]],
    Counter[tuple[int, int]],
    dict[int, set[dt.date]],
    Counter[dt.date],
]


def _read_facts(rows: QuerySet[Any], detail: bool) -> Read:
    total = Cell()
    groups: dict[str, dict[Any, Cell]] = {name: defaultdict(Cell) for name in GROUPS}
    arrivals: Counter[tuple[int, int]] = Counter()  # (weekday, hour) → visits
    open_days: dict[int, set[dt.date]] = defaultdict(set)
    per_day: Counter[dt.date] = Counter()
    for values in rows.values_list(
        "branch_id", "service_id", "queue_id", "desk_id", "hour", "day", *SUMMED, *facts.HISTOGRAMS
    ).iterator(chunk_size=5000):
        keys, sums, histograms = values[:6], values[6:-3], values[-3:]
        total.add(sums, histograms)
        for name, key in zip(GROUPS, keys, strict=True):
            if name in ("queue", "desk") and not detail:
                continue
            groups[name][key].add(sums, histograms)
        day, hour, visits = keys[5], keys[4], sums[0]
        if visits:
            arrivals[(day.weekday(), hour)] += visits
            open_days[day.weekday()].add(day)
            per_day[day] += visits
    return total, groups, arrivals, open_days, per_day


def _labels(groups: dict[str, dict[Any, Cell]]) -> dict[str, dict[Any, str]]:
    def ids(name: str) -> list[int]:
        return [key for key in groups[name] if key is not None]

    return {
        "branch": dict(
            Branch.objects.filter(pk__in=ids("branch")).values_list("pk", "touch_point__name")
        ),
        "service": dict(Service.objects.filter(pk__in=ids("service")).values_list("pk", "name")),
        "queue": {queue.pk: str(queue) for queue in Queue.objects.filter(pk__in=ids("queue"))},
        "desk": {
            pk: f"{name} · {branch}"
            for pk, name, branch in Desk.objects.filter(pk__in=ids("desk")).values_list(
                "pk", "name", "branch__touch_point__name"
            )
        },
        "hour": {hour: f"{hour:02d}:00" for hour in groups["hour"]},
        "day": {day: day.isoformat() for day in groups["day"]},
    }


def _read_summaries(rows: QuerySet[Any], detail: bool) -> Read:
    """The same figures from the day summaries, added up as arrays: the counters and the
    packed histograms of every row with one `np.bincount` per grouping."""
    total = Cell()
    groups: dict[str, dict[Any, Cell]] = {name: {} for name in GROUPS}
    data = _fetch(
        rows,
        (
            "branch_id",
            "service_id",
            "queue_id",
            "day",
            *SUMMED,
            *facts.HISTOGRAMS,
            "hours",
            "hour_minutes",
            "hour_service",
        ),
    )
    if not data:
        return total, groups, Counter(), {}, Counter()
    columns = list(zip(*data, strict=True))
    sums = np.array(columns[4 : 4 + len(SUMMED)], dtype=np.int64)  # counter × row
    histograms = [_Packed(column) for column in columns[4 + len(SUMMED) : -3]]
    keyed = {"branch": columns[0], "service": columns[1], "day": columns[3]}
    if detail:
        keyed["queue"] = columns[2]
    indexes = {name: _index(values) for name, values in keyed.items()}
    for name, (keys, index) in indexes.items():
        arrays = _added(index, len(keys), sums, histograms)
        groups[name] = _cells(keys, arrays)
    # The total: the sum of the last grouping's groups.
    counters, merged = arrays
    total = _cells([None], (counters.sum(0)[None], [m.sum(0)[None] for m in merged]))[None]
    days, day_index = indexes["day"]
    # The hours: records (hour, *HOURLY) of every row.
    hours = _Packed(columns[-3], HOUR_RECORD)
    records = hours.values.reshape(-1, HOUR_RECORD)
    hour, counters = records[:, 0].astype(np.intp), records[:, 1:]
    by_hour = (
        np.rint([np.bincount(hour, weights=counter, minlength=24) for counter in counters.T])
        .astype(np.int64)
        .T
    )  # hour × counter
    minutes = _hour_minutes(columns[-2], HOUR_HISTOGRAMS)
    service = _hour_minutes(columns[-1], HOUR_SERVICE)
    groups["hour"] = {
        h: _hour_cell(
            by_hour[h],
            None if minutes is None else minutes[:, h],
            None if service is None else service[0, h],
        )
        for h in np.unique(hour).tolist()
    }
    weekdays = np.array([day.weekday() for day in days], dtype=np.intp)
    visits = counters[:, 0]
    slot = weekdays[day_index[hours.row]] * 24 + hour
    per_slot = np.bincount(slot, weights=visits, minlength=7 * 24)
    arrivals = Counter(
        {(k // 24, k % 24): round(per_slot[k]) for k in np.flatnonzero(per_slot).tolist()}
    )
    open_days: dict[int, set[dt.date]] = defaultdict(set)
    for position in np.unique(day_index[sums[0] > 0]).tolist():
        open_days[days[position].weekday()].add(days[position])
    per_day = Counter(
        {day: cell.sums["visits"] for day, cell in groups["day"].items() if cell.sums["visits"]}
    )
    return total, groups, arrivals, open_days, per_day


def _hour_minutes(column: tuple[Any, ...], kinds: tuple[str, ...]) -> np.ndarray | None:
    """The per-hour histograms of every row added up (`hour_minutes`, kinds `HOUR_HISTOGRAMS`,
    or `hour_service`, kind `HOUR_SERVICE`): kind × hour × minutes; None when a row has none
    yet (built before they were kept)."""
    if any(blob is None for blob in column):
        return None
    widths = {blob[0] for blob in column if blob}
    if len(widths) <= 1:  # the usual case: the items as they come, no copy
        values = _payload(column, widths.pop() if widths else 2)
    else:
        values = _Packed(column, 2).values
    pairs = values.reshape(-1, 2)  # (key, count)
    counts = np.bincount(pairs[:, 0], weights=pairs[:, 1], minlength=len(kinds) * 24 * BINS)
    return np.rint(counts).astype(np.int64).reshape(len(kinds), 24, BINS)


def _hour_cell(
    counters: np.ndarray, minutes: np.ndarray | None, service: np.ndarray | None
) -> Cell:
    sums = dict(zip(SUMMED, counters.tolist(), strict=True))
    kept = {"service": _counter(service)} if service is not None else {"service_kept": False}
    if minutes is None:
        return Cell(sums=sums, histograms=False, **kept)
    wait, left_wait = minutes
    return Cell(sums=sums, wait=_counter(wait), left_wait=_counter(left_wait), **kept)


def _fetch(rows: QuerySet[Any], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The rows' columns; on PostgreSQL (psycopg 3) in binary, so that the packed arrays come
    as bytes instead of hexadecimal text twice their size."""
    query = rows.values_list(*columns)
    connection = connections[rows.db]
    if connection.vendor != "postgresql" or not is_psycopg3:
        return list(query)
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing (no branch in scope)
        return []
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchall()


class _Packed:
    """A column of packed arrays (`attention.models.summaries`), joined: every item's value,
    the row it came from and its position in that row."""

    DTYPES = {2: "<u2", 4: "<u4", 8: "<i8"}

    def __init__(self, column: tuple[Any, ...], record: int = 1) -> None:
        """`record`: items per record; `row` is then per record, and `position` is left out.
        Histograms (`record` 1) keep their values as floats: `np.bincount` weighs with them."""
        kind = np.float64 if record == 1 else np.int64
        sizes = np.fromiter(map(len, column), dtype=np.intp, count=len(column))
        width_of = np.fromiter(
            (blob[0] if blob else 0 for blob in column), dtype=np.intp, count=len(column)
        )
        widths = np.unique(width_of[sizes > 0])
        if len(widths) <= 1:  # the usual case: one width, joined without the width bytes
            width = int(widths[0]) if len(widths) else 2
            self.values = _payload(column, width).astype(kind)
            lengths = np.maximum(sizes - 1, 0) // width // record
            self.row = np.repeat(np.arange(len(column), dtype=np.intp), lengths)
        else:
            values, rows, counts = [], [], []
            for width, dtype in self.DTYPES.items():
                chosen = np.flatnonzero(width_of == width)
                blobs = [column[i][1:] for i in chosen.tolist()]
                values.append(np.frombuffer(b"".join(blobs), dtype=dtype).astype(kind))
                rows.append(chosen)
                counts.append((sizes[chosen] - 1) // width)
            self.values = np.concatenate(values)
            lengths = np.concatenate(counts) // record
            self.row = np.repeat(np.concatenate(rows), lengths)
        if record > 1:
            self.position = np.zeros(0, dtype=np.intp)
            return
        firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        self.position = np.arange(len(self.row), dtype=np.intp) - firsts

    def merged(self, index: np.ndarray, groups: int) -> np.ndarray:
        """The histograms added up per group (`index`: the group of each row)."""
        cells = index[self.row] * BINS + self.position
        counts = np.bincount(cells, weights=self.values, minlength=groups * BINS)
        return np.rint(counts).astype(np.int64).reshape(groups, BINS)


def _payload(column: tuple[Any, ...], width: int) -> np.ndarray:
    """The items of packed arrays all of `width`, joined, as little-endian integers."""
    joined = b"".join([blob[1:] for blob in column if blob])
    return np.frombuffer(joined, dtype=_Packed.DTYPES[width])


def _index(values: tuple[Any, ...]) -> tuple[list[Any], np.ndarray]:
    """The distinct values (first seen first) and each value's position among them."""
    positions: dict[Any, int] = {}
    index = np.fromiter(
        (positions.setdefault(value, len(positions)) for value in values),
        dtype=np.intp,
        count=len(values),
    )
    return list(positions), index


def _counter(histogram: np.ndarray) -> Counter[int]:
    present = np.flatnonzero(histogram)
    return Counter(dict(zip(present.tolist(), histogram[present].tolist(), strict=True)))


Arrays = tuple[np.ndarray, list[np.ndarray]]  # counters (group × counter), three histograms


def _added(index: np.ndarray, groups: int, sums: np.ndarray, histograms: list[_Packed]) -> Arrays:
    added = [np.bincount(index, weights=counter, minlength=groups) for counter in sums]
    return np.array(added).T, [packed.merged(index, groups) for packed in histograms]


def _cells(keys: list[Any], arrays: Arrays) -> dict[Any, Cell]:
    counters, (wait, service, left_wait) = arrays
    totals = np.rint(counters).astype(np.int64).tolist()
    return {
        key: Cell(
            sums=dict(zip(SUMMED, totals[g], strict=True)),
            wait=_counter(wait[g]),
            service=_counter(service[g]),
            left_wait=_counter(left_wait[g]),
        )
        for g, key in enumerate(keys)
    }
