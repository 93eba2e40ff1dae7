"""The appointment slots a queue offers, computed (never stored) from:

- its active `SlotPlan` valid on the day (minutes per slot, people per slot, days bookable ahead);
  when two plans overlap, the one that starts latest wins;
- the branch's opening hours for the weekday (two rows for a split day), or the organisation's
  office hours when the branch has none;
- the organisation's business calendar: no slots on a non-working weekday (its week mask), a
  national or regional holiday, or one of its closure days;
- minus the places already booked or checked in, and never a slot that has started.

Everything is built in the organisation's time zone, as wall-clock times: a slot at 09:00 is at
09:00 local time whatever the UTC offset that day. A local time that does not exist (the hour
skipped when clocks go forward) gives no slot; a repeated one (clocks going back) gives one slot,
at its first occurrence.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from compromiso.attention.models import Appointment, AppointmentStatus, Queue, SlotPlan
from compromiso.core.calendar import BusinessCalendar

TAKING_PLACE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
UTC = dt.UTC


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime  # aware, in the organisation's zone
    ends_at: dt.datetime
    capacity: int
    taken: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def key(self) -> str:
        """How a form names the slot: its start in UTC, to the minute."""
        return self.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def parse_key(value: str) -> dt.datetime | None:
    """The start a slot key names, or None for anything else."""
    try:
        return dt.datetime.strptime(str(value)[:20], "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _local(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime | None:
    """`day` at wall-clock `at` in `zone`, or None when that time does not exist there."""
    moment = dt.datetime.combine(day, at, tzinfo=zone)  # fold=0: the first of a repeated hour
    back = moment.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return None  # skipped by a clock change
    return moment


def plan_for(plans: list[SlotPlan], day: dt.date, today: dt.date) -> SlotPlan | None:
    """The plan in force on `day` (the latest-starting one), if `day` is within its horizon."""
    valid = [
        p
        for p in plans
        if p.is_active
        and p.valid_from <= day
        and (p.valid_until is None or day <= p.valid_until)
        and day <= today + dt.timedelta(days=p.horizon_days)
    ]
    return max(valid, key=lambda p: (p.valid_from, p.pk), default=None)


def opening_periods(queue: Queue, day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The branch's opening periods on the weekday of `day`, or the organisation's office
    hours when the branch keeps none of its own."""
    branch = queue.branch
    rows = list(branch.hours.all())
    if rows:
        return [(r.opens_at, r.closes_at) for r in rows if r.weekday == day.weekday()]
    organization = branch.organization
    return [(organization.office_opens_at, organization.office_closes_at)]


def _day_slots(
    plan: SlotPlan, periods: list[tuple[dt.time, dt.time]], day: dt.date, zone: ZoneInfo
) -> list[tuple[dt.datetime, dt.datetime]]:
    step = dt.timedelta(minutes=plan.slot_minutes)
    found: list[tuple[dt.datetime, dt.datetime]] = []
    for opens, closes in sorted(periods):
        start = dt.datetime.combine(day, opens)
        end = dt.datetime.combine(day, closes)
        while start + step <= end:
            begins = _local(day, start.time(), zone)
            finishes = _local((start + step).date(), (start + step).time(), zone)
            if begins is not None and finishes is not None:
                found.append((begins, finishes))
            start += step
    return found


def slots(
    queue: Queue,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    calendar: BusinessCalendar | None = None,
    exclude: Appointment | None = None,
    include_full: bool = False,
) -> dict[dt.date, list[Slot]]:
    """The slots of `queue` from `first` to `last` (local days, both included), by day; only
    those with a free place unless `include_full`. `exclude` leaves one booking out of the count
    (the one being moved)."""
    branch = queue.branch
    organization = branch.organization
    zone = organization.zone
    now = now or timezone.now()
    today = timezone.localtime(now, zone).date()
    first = max(first, today)
    result: dict[dt.date, list[Slot]] = {}
    if last < first or not (queue.is_active and branch.is_active and branch.accepts_appointments):
        return result
    plans = list(SlotPlan.objects.filter(queue=queue, branch=branch, is_active=True))
    if not plans:
        return result
    calendar = calendar or organization.business_calendar()
    candidates: dict[dt.date, tuple[SlotPlan, list[tuple[dt.datetime, dt.datetime]]]] = {}
    day = first
    while day <= last:
        plan = plan_for(plans, day, today)
        if plan is not None and calendar.is_business_day(day):
            times = [
                t for t in _day_slots(plan, opening_periods(queue, day), day, zone) if t[0] > now
            ]
            if times:
                candidates[day] = (plan, times)
        day += dt.timedelta(days=1)
    if not candidates:
        return result
    earliest = min(t[0][0] for _p, t in candidates.values())
    latest = max(t[-1][1] for _p, t in candidates.values())
    booked = Appointment.objects.filter(
        queue=queue, status__in=TAKING_PLACE, starts_at__gte=earliest, starts_at__lt=latest
    )
    if exclude is not None:
        booked = booked.exclude(pk=exclude.pk)
    taken: Counter[dt.datetime] = Counter()
    for row in booked.values("starts_at").annotate(n=Count("pk")):
        taken[row["starts_at"].astimezone(UTC)] += row["n"]
    for day, (plan, times) in candidates.items():
        found = [
            Slot(begins, finishes, plan.capacity, taken[begins.astimezone(UTC)])
            for begins, finishes in times
        ]
        kept = found if include_full else [s for s in found if s.free > 0]
        if kept:
            result[day] = kept
    return result


def find_slot(
    queue: Queue,
    starts_at: dt.datetime,
    *,
    now: dt.datetime | None = None,
    exclude: Appointment | None = None,
) -> Slot | None:
    """The slot of `queue` that starts exactly at `starts_at` (free or full), or None when the
    queue offers no such slot (outside hours, a closed day, the past, beyond the horizon)."""
    day = timezone.localtime(starts_at, queue.branch.organization.zone).date()
    for slot in slots(queue, day, day, now=now, exclude=exclude, include_full=True).get(day, []):
        if slot.starts_at == starts_at:
            return slot
    return None


def bookable_days(queue: Queue, *, now: dt.datetime | None = None) -> dict[dt.date, list[Slot]]:
    """The free slots of `queue` over its longest horizon, from today."""
    today = timezone.localtime(now or timezone.now(), queue.branch.organization.zone).date()
    horizon = (
        SlotPlan.objects.filter(queue=queue, is_active=True)
        .order_by("-horizon_days")
        .values_list("horizon_days", flat=True)
        .first()
    )
    if horizon is None:
        return {}
    return slots(queue, today, today + dt.timedelta(days=horizon), now=now)
