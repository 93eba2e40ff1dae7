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

from compromiso.attention import facts
from compromiso.attention.models import Branch, Desk, Queue, VisitDailyFact
from compromiso.cases.analytics import percentile
from compromiso.catalog.models import Service
from compromiso.organizations.models import Organization

SUMMED = (
    "visits",
    "transactions",
    "called",
    "served",
    "no_shows",
    "left",
    "transferred",
    "within_level",
    "left_after_level",
    "wait_seconds",
    "service_count",
    "service_seconds",
)


@dataclass
class Cell:
    """Additive figures of a group of facts."""

    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUMMED, 0))
    wait: Counter[int] = field(default_factory=Counter)
    service: Counter[int] = field(default_factory=Counter)
    left_wait: Counter[int] = field(default_factory=Counter)

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
) -> Report:
    """The figures of the organisation's branches (or of `branches`, ids) over [start, end]
    (local days, both included). `detail` adds queues and desks (one branch's view)."""
    if refresh:
        facts.refresh(organization)
    rows = VisitDailyFact.objects.filter(organization=organization, day__gte=start, day__lte=end)
    if branches is not None:
        rows = rows.filter(branch_id__in=list(branches))
    if service is not None:
        rows = rows.filter(service=service)
    total = Cell()
    groups: dict[str, dict[Any, Cell]] = {
        name: defaultdict(Cell) for name in ("branch", "service", "queue", "desk", "hour", "day")
    }
    arrivals: Counter[tuple[int, int]] = Counter()  # (weekday, hour) → visits
    open_days: dict[int, set[dt.date]] = defaultdict(set)
    per_day: Counter[dt.date] = Counter()
    for values in rows.values_list(
        "branch_id", "service_id", "queue_id", "desk_id", "hour", "day", *SUMMED, *facts.HISTOGRAMS
    ).iterator(chunk_size=5000):
        keys, sums, histograms = values[:6], values[6:-3], values[-3:]
        total.add(sums, histograms)
        for name, key in zip(
            ("branch", "service", "queue", "desk", "hour", "day"), keys, strict=True
        ):
            if name in ("queue", "desk") and not detail:
                continue
            groups[name][key].add(sums, histograms)
        day, hour, visits = keys[5], keys[4], sums[0]
        if visits:
            arrivals[(day.weekday(), hour)] += visits
            open_days[day.weekday()].add(day)
            per_day[day] += visits
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
    )


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
