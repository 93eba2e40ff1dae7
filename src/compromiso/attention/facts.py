"""Daily facts of the branches (`VisitDailyFact`), rebuilt from the visits' transactions.

A visit belongs to the local day it arrived (`Visit.day`), in the organisation's time zone,
even when it is served after midnight; its hour is the local hour of arrival. Each transaction
(one per queue a visit passes through: a transfer or a second service opens another) is counted
in its own queue, with its own wait. Formulas (research §G):

- wait = called − queued, for every called transaction (no-shows included);
- walk = service started − called;
- service time = ended − started − time on hold, for transactions started and ended;
- a visitor who left before being called waited ended − queued (`left_minutes`).

`refresh` rebuilds the days of the visits changed since the last refresh (every step of a
ticket saves its visit), or the days it is given; the figures and charter indicators call it
before reading, so a step reaches the next computation. The same transaction rebuilds the day
summaries (`VisitDaySummary`: the facts without hour and desk, histograms merged) of those
days, which the figures of several branches read."""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from compromiso.attention.models import Outcome, Queue, Transaction, Visit
from compromiso.attention.models.facts import HISTOGRAM_CAP, VisitDailyFact, VisitFactsMark
from compromiso.attention.models.summaries import (
    HOUR_HISTOGRAMS,
    HOUR_SERVICE,
    HOURLY,
    VisitDaySummary,
    pack_histogram,
    pack_hour_minutes,
    pack_hours,
)
from compromiso.organizations.models import Organization

COUNTERS = (
    "visits",
    "transactions",
    "called",
    "served",
    "resolved",
    "pending",
    "referred",
    "not_resolved",
    "no_shows",
    "left",
    "transferred",
    "within_level",
    "left_after_level",
    "wait_seconds",
    "walk_seconds",
    "service_count",
    "service_seconds",
    "hold_seconds",
)
HISTOGRAMS = ("wait_minutes", "service_minutes", "left_minutes")
OUTCOME_COUNTERS: dict[str, str] = {
    Outcome.RESOLVED: "resolved",
    Outcome.PENDING: "pending",
    Outcome.REFERRED: "referred",
    Outcome.NOT_RESOLVED: "not_resolved",
    Outcome.NO_SHOW: "no_shows",
    Outcome.LEFT: "left",
    Outcome.TRANSFERRED: "transferred",
}
# Steps committed while a refresh reads may carry a slightly earlier time: look back this far.
OVERLAP = dt.timedelta(seconds=10)

Dims = tuple[dt.date, int, int, int, int | None, int | None, int | None]


def minutes_bucket(seconds: float) -> int:
    """Whole minutes rounded up, capped: 0 → 0, 1–60 s → 1, 61–120 s → 2 …"""
    return min(math.ceil(max(seconds, 0) / 60), HISTOGRAM_CAP + 1)


def refresh(organization: Organization, days: Iterable[dt.date] | None = None) -> int:
    """Rebuild the facts of the given days, or of the days whose visits changed since the last
    refresh (every day with visits, the first time). Returns how many days were rebuilt."""
    now = timezone.now()
    with transaction.atomic():
        mark = VisitFactsMark.objects.select_for_update().filter(organization=organization).first()
        if days is None:
            visits = Visit.objects.filter(organization=organization)
            if mark is not None:
                visits = visits.filter(updated_at__gte=mark.refreshed_at - OVERLAP)
            chosen = set(visits.values_list("day", flat=True).distinct())
            VisitFactsMark.objects.update_or_create(
                organization=organization, defaults={"refreshed_at": now}
            )
        else:
            chosen = set(days)
        for start, end in _runs(sorted(chosen)):
            _rebuild(organization, start, end)
    return len(chosen)


def refresh_all() -> int:
    """Refresh every organisation's facts (the daily task); returns the days rebuilt."""
    return sum(refresh(organization) for organization in Organization.objects.all())


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _rebuild(organization: Organization, start: dt.date, end: dt.date) -> None:
    rows = _aggregate(organization, start, end)
    VisitDailyFact.objects.filter(organization=organization, day__gte=start, day__lte=end).delete()
    VisitDailyFact.objects.bulk_create(rows, batch_size=1000)
    period = {"organization": organization, "day__gte": start, "day__lte": end}
    VisitDaySummary.objects.filter(**period).delete()
    VisitDaySummary.objects.bulk_create(summarize(rows), batch_size=1000)


def summarize(rows: Iterable[VisitDailyFact]) -> list[VisitDaySummary]:
    """Roll facts up to day × branch × queue × service × procedure: counters summed, minute
    histograms merged, the `HOURLY` counters, the wait histograms (`HOUR_HISTOGRAMS`) and the
    service-time histogram (`HOUR_SERVICE`) kept per hour of arrival."""
    cells: dict[tuple[Any, ...], dict[str, Any]] = {}
    for fact in rows:
        key = (
            fact.organization_id,
            fact.day,
            fact.branch_id,
            fact.queue_id,
            fact.service_id,
            fact.procedure_id,
        )
        cell = cells.get(key)
        if cell is None:
            cell = cells[key] = (
                dict.fromkeys(COUNTERS, 0)
                | {name: defaultdict(int) for name in (*HISTOGRAMS, "hours")}
                | {"hour_minutes": {name: {} for name in (*HOUR_HISTOGRAMS, *HOUR_SERVICE)}}
            )
        for name in COUNTERS:
            cell[name] += getattr(fact, name)
        for name in HISTOGRAMS:
            for minutes, count in getattr(fact, name).items():
                cell[name][int(minutes)] += count
        for name in (*HOUR_HISTOGRAMS, *HOUR_SERVICE):
            per_hour = cell["hour_minutes"][name].setdefault(fact.hour, defaultdict(int))
            for minutes, count in getattr(fact, name).items():
                per_hour[int(minutes)] += count
        hour = cell["hours"].get(fact.hour) or [0] * len(HOURLY)
        cell["hours"][fact.hour] = [
            value + getattr(fact, name) for value, name in zip(hour, HOURLY, strict=True)
        ]
    return [
        VisitDaySummary(
            organization_id=key[0],
            day=key[1],
            branch_id=key[2],
            queue_id=key[3],
            service_id=key[4],
            procedure_id=key[5],
            **{name: cell[name] for name in COUNTERS},
            **{name: pack_histogram(cell[name]) for name in HISTOGRAMS},
            hours=pack_hours(cell["hours"]),
            hour_minutes=pack_hour_minutes(cell["hour_minutes"]),
            hour_service=pack_hour_minutes(cell["hour_minutes"], HOUR_SERVICE),
        )
        for key, cell in cells.items()
    ]


def _levels(organization: Organization) -> dict[int, int]:
    """Each queue's service level in minutes (its own target, or its branch's)."""
    return {
        pk: own or branch_level
        for pk, own, branch_level in Queue.objects.filter(
            branch__organization=organization
        ).values_list("pk", "target_wait_minutes", "branch__service_level_minutes")
    }


def _aggregate(organization: Organization, start: dt.date, end: dt.date) -> list[VisitDailyFact]:
    zone = organization.zone
    levels = _levels(organization)
    buckets: dict[Dims, dict[str, Any]] = defaultdict(
        lambda: dict.fromkeys(COUNTERS, 0) | {name: defaultdict(int) for name in HISTOGRAMS}
    )
    steps = (
        Transaction.objects.filter(
            visit__organization=organization, visit__day__gte=start, visit__day__lte=end
        )
        .order_by("visit_id", "queued_at", "pk")
        .values_list(
            "visit_id",
            "visit__day",
            "visit__arrived_at",
            "visit__branch_id",
            "queue_id",
            "service_id",
            "procedure_id",
            "desk_id",
            "queued_at",
            "called_at",
            "started_at",
            "ended_at",
            "hold_seconds",
            "outcome",
        )
    )
    previous_visit = None
    for (
        visit_id,
        day,
        arrived_at,
        branch_id,
        queue_id,
        service_id,
        procedure_id,
        desk_id,
        queued_at,
        called_at,
        started_at,
        ended_at,
        hold,
        outcome,
    ) in steps.iterator(chunk_size=5000):
        hour = arrived_at.astimezone(zone).hour
        cell = buckets[(day, hour, branch_id, queue_id, service_id, procedure_id, desk_id)]
        level = levels.get(queue_id, 15) * 60
        cell["transactions"] += 1
        if visit_id != previous_visit:
            cell["visits"] += 1
            previous_visit = visit_id
        if called_at is not None:
            wait = max((called_at - queued_at).total_seconds(), 0)
            cell["called"] += 1
            cell["wait_seconds"] += round(wait)
            cell["wait_minutes"][minutes_bucket(wait)] += 1
            if wait <= level:
                cell["within_level"] += 1
        if started_at is not None:
            cell["served"] += 1
            if called_at is not None:
                cell["walk_seconds"] += round(max((started_at - called_at).total_seconds(), 0))
            if ended_at is not None:
                length = max((ended_at - started_at).total_seconds() - hold, 0)
                cell["service_count"] += 1
                cell["service_seconds"] += round(length)
                cell["hold_seconds"] += hold
                cell["service_minutes"][minutes_bucket(length)] += 1
        if outcome in OUTCOME_COUNTERS:
            cell[OUTCOME_COUNTERS[outcome]] += 1
        if outcome == Outcome.LEFT and called_at is None and ended_at is not None:
            waited = max((ended_at - queued_at).total_seconds(), 0)
            cell["left_minutes"][minutes_bucket(waited)] += 1
            if waited > level:
                cell["left_after_level"] += 1
    return [
        VisitDailyFact(
            organization=organization,
            day=dims[0],
            hour=dims[1],
            branch_id=dims[2],
            queue_id=dims[3],
            service_id=dims[4],
            procedure_id=dims[5],
            desk_id=dims[6],
            **{name: values[name] for name in COUNTERS},
            **{name: {str(k): v for k, v in values[name].items()} for name in HISTOGRAMS},
        )
        for dims, values in buckets.items()
    ]
