"""Daily facts: what happened to an organisation's cases each day, per combination of kind,
channel, service, unit, category and root cause.

Every change to a case marks the days it touches as dirty (`mark_dirty`, one cheap INSERT);
`refresh` rebuilds only those days, reading only the cases that touched them. The analytics read
facts, never the whole case table, so their cost does not grow with the archive.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from compromiso.cases.models import (
    Case,
    CaseDailyFact,
    CaseEvent,
    DirtyFactDay,
    EventKind,
    HandlingRating,
    Redress,
    Status,
)
from compromiso.core.calendar import BusinessCalendar
from compromiso.organizations.models import Organization

Dims = tuple[str, int | None, int | None, int | None, int | None, int | None]
COUNTERS = (
    "received",
    "acknowledged",
    "acknowledged_on_time",
    "answered",
    "answered_on_time",
    "extended",
    "reopened",
    "rejected",
    "rated",
    "redress_count",
)


# Timeline events counted on the day they happen (other counted events are reopenings).
EVENT_COUNTERS: dict[str, str] = {EventKind.EXTENDED: "extended", EventKind.REJECTED: "rejected"}


def mark_dirty(organization: Organization, moments: Iterable[dt.datetime]) -> None:
    zone = ZoneInfo(organization.time_zone)
    days = {moment.astimezone(zone).date() for moment in moments}
    DirtyFactDay.objects.bulk_create(
        [DirtyFactDay(organization=organization, day=day) for day in days],
        ignore_conflicts=True,
    )


def refresh(organization: Organization) -> int:
    """Rebuild the facts of the days marked dirty; returns how many days were rebuilt."""
    with transaction.atomic():
        dirty = list(
            DirtyFactDay.objects.select_for_update()
            .filter(organization=organization)
            .values_list("pk", "day")
        )
        if not dirty:
            return 0
        DirtyFactDay.objects.filter(pk__in=[pk for pk, _day in dirty]).delete()
        days = sorted({day for _pk, day in dirty})
        for start, end in _runs(days):
            _rebuild_range(organization, start, end)
    return len(days)


def rebuild(organization: Organization) -> int:
    """Rebuild every day from scratch (after an import, or to repair)."""
    with transaction.atomic():
        DirtyFactDay.objects.filter(organization=organization).delete()
        first = Case.objects.filter(organization=organization).order_by("received_at").first()
        CaseDailyFact.objects.filter(organization=organization).delete()
        if first is None:
            return 0
        calendar = organization.business_calendar()
        start = calendar.local(first.received_at).date()
        end = calendar.local(dt.datetime.now(dt.UTC)).date()
        return _rebuild_range(organization, start, end, everything=True)


def _runs(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Contiguous runs of days, as (first, last)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in days:
        if runs and (day - runs[-1][1]).days == 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _rebuild_range(
    organization: Organization, start: dt.date, end: dt.date, *, everything: bool = False
) -> int:
    calendar = organization.business_calendar()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=calendar.zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=calendar.zone)
    cases = Case.objects.filter(organization=organization)
    if not everything:
        window = {"gte": since, "lt": until}
        touched = Q()
        for field in ("received_at", "acknowledged_at", "answered_at"):
            touched |= Q(**{f"{field}__{op}": value for op, value in window.items()})
        ids = set(cases.filter(touched).values_list("pk", flat=True))
        ids |= set(
            CaseEvent.objects.filter(
                case__organization=organization,
                at__gte=since,
                at__lt=until,
                kind__in=[EventKind.EXTENDED, EventKind.TRANSITION, EventKind.REJECTED],
            ).values_list("case_id", flat=True)
        )
        ids |= set(
            Redress.objects.filter(
                case__organization=organization, recorded_at__gte=since, recorded_at__lt=until
            ).values_list("case_id", flat=True)
        )
        ids |= set(
            HandlingRating.objects.filter(
                case__organization=organization, at__gte=since, at__lt=until
            ).values_list("case_id", flat=True)
        )
        cases = cases.filter(pk__in=ids)
    rows = _aggregate(organization, calendar, cases, start, end)
    CaseDailyFact.objects.filter(organization=organization, day__gte=start, day__lte=end).delete()
    CaseDailyFact.objects.bulk_create(rows, batch_size=1000)
    return (end - start).days + 1


def _aggregate(
    organization: Organization,
    calendar: BusinessCalendar,
    cases: Any,
    start: dt.date,
    end: dt.date,
) -> list[CaseDailyFact]:
    ack_days = settings.CASES_ACKNOWLEDGE_BUSINESS_DAYS
    buckets: dict[tuple[dt.date, Dims], dict[str, Any]] = defaultdict(
        lambda: (
            {"answer_days": defaultdict(int), "handling_sum": 0.0, "outcome_sum": 0.0}
            | dict.fromkeys(COUNTERS, 0)
            | {"redress_amount": Decimal("0")}
        )
    )
    case_rows = list(
        cases.values(
            "pk",
            "kind",
            "channel_id",
            "service_id",
            "unit_id",
            "category_id",
            "root_cause_id",
            "received_at",
            "acknowledged_at",
            "answered_at",
            "due_at",
        )
    )
    by_id = {row["pk"]: row for row in case_rows}

    def day_of(moment: dt.datetime) -> dt.date | None:
        day = calendar.local(moment).date()
        return day if start <= day <= end else None

    def bucket(row: dict[str, Any], day: dt.date) -> dict[str, Any]:
        dims: Dims = (
            row["kind"],
            row["channel_id"],
            row["service_id"],
            row["unit_id"],
            row["category_id"],
            row["root_cause_id"],
        )
        return buckets[(day, dims)]

    for row in case_rows:
        received = calendar.local(row["received_at"]).date()
        if (day := day_of(row["received_at"])) is not None:
            bucket(row, day)["received"] += 1
        if row["acknowledged_at"] and (day := day_of(row["acknowledged_at"])) is not None:
            target = bucket(row, day)
            target["acknowledged"] += 1
            if calendar.business_days_between(received, day) <= ack_days:
                target["acknowledged_on_time"] += 1
        if row["answered_at"] and (day := day_of(row["answered_at"])) is not None:
            target = bucket(row, day)
            target["answered"] += 1
            if row["due_at"] is None or row["answered_at"] <= row["due_at"]:
                target["answered_on_time"] += 1
            target["answer_days"][str(max(0, calendar.business_days_between(received, day)))] += 1
    ids = list(by_id)
    events = CaseEvent.objects.filter(case_id__in=ids).filter(
        Q(kind__in=[EventKind.EXTENDED, EventKind.REJECTED])
        | Q(
            kind=EventKind.TRANSITION,
            from_status__in=[Status.ANSWERED, Status.CLOSED],
            to_status=Status.IN_PROGRESS,
        )
    )
    for case_id, kind, at in events.values_list("case_id", "kind", "at"):
        if (day := day_of(at)) is not None:
            field = EVENT_COUNTERS.get(kind, "reopened")
            bucket(by_id[case_id], day)[field] += 1
    for rating in HandlingRating.objects.filter(case_id__in=ids):
        if (day := day_of(rating.at)) is not None:
            target = bucket(by_id[rating.case_id], day)
            target["rated"] += 1
            target["handling_sum"] += rating.handling
            target["outcome_sum"] += rating.outcome
    for case_id, amount, at in Redress.objects.filter(case_id__in=ids).values_list(
        "case_id", "amount", "recorded_at"
    ):
        if (day := day_of(at)) is not None:
            target = bucket(by_id[case_id], day)
            target["redress_count"] += 1
            target["redress_amount"] += amount
    return [
        CaseDailyFact(
            organization=organization,
            day=day,
            kind=dims[0],
            channel_id=dims[1],
            service_id=dims[2],
            unit_id=dims[3],
            category_id=dims[4],
            root_cause_id=dims[5],
            **{name: value for name, value in values.items() if name != "answer_days"},
            answer_days=dict(values["answer_days"]),
        )
        for (day, dims), values in buckets.items()
    ]
