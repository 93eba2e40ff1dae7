"""When a case is due: its legal deadline, derived from the calendar and the case's own history.

Plain values in and out. The clock starts when the request counts as received (after office
hours or on a non-business day: the next business day), stops while the organisation waits for
the requester to complete or correct the request, and may be extended once by the amount the law
allows. Every pause and extension comes from the case's event log, so changing a calendar and
recomputing gives the same answer the law would.
"""

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from compromiso.core.calendar import BusinessCalendar, DeadlineUnit, add_months


@dataclass(frozen=True)
class Pause:
    """The clock stopped at `start`; it runs again at `end` (None: still stopped)."""

    start: dt.datetime
    end: dt.datetime | None = None


def due_at(
    calendar: BusinessCalendar,
    received_at: dt.datetime,
    amount: int,
    unit: DeadlineUnit,
    *,
    pauses: Sequence[Pause] = (),
    extension: int = 0,
    extension_unit: DeadlineUnit | None = None,
) -> dt.datetime | None:
    """The moment the answer is due, or None while the clock is stopped.

    An extension (prórroga) runs on from the end of the original term, in its own unit.
    """
    due = _due_without_extension(calendar, received_at, amount, DeadlineUnit(unit), pauses)
    if due is None or not extension:
        return due
    return extend(calendar, due, extension, DeadlineUnit(extension_unit or unit))


def extend(
    calendar: BusinessCalendar, due: dt.datetime, amount: int, unit: DeadlineUnit
) -> dt.datetime:
    """A deadline moved on by `amount` units from its current end."""
    day = calendar.local(due).date()
    if unit is DeadlineUnit.HOURS:
        return calendar.add_business_time(due, dt.timedelta(hours=amount))
    if unit is DeadlineUnit.BUSINESS_DAYS:
        day = calendar.add_business_days(day, amount)
    elif unit is DeadlineUnit.CALENDAR_DAYS:
        day = calendar.roll_forward(day + dt.timedelta(days=amount))
    else:
        day = calendar.roll_forward(add_months(day, amount))
    return dt.datetime.combine(day, calendar.closes_at, tzinfo=calendar.zone)


def _due_without_extension(
    calendar: BusinessCalendar,
    received_at: dt.datetime,
    amount: int,
    unit: DeadlineUnit,
    pauses: Sequence[Pause],
) -> dt.datetime | None:
    if any(pause.end is None for pause in pauses):
        return None
    total = amount
    if unit is DeadlineUnit.BUSINESS_DAYS:
        paused = sum(_paused_business_days(calendar, pause) for pause in pauses)
        return calendar.deadline(received_at, total + paused, unit)
    if unit is DeadlineUnit.HOURS:
        paused_time = sum((_paused_office_time(calendar, p) for p in pauses), dt.timedelta())
        return calendar.add_business_time(received_at, dt.timedelta(hours=total) + paused_time)
    # Calendar days and months: the stopped days are added to the end of the term.
    paused_days = sum(
        (calendar.local(pause.end).date() - calendar.local(pause.start).date()).days
        for pause in pauses
        if pause.end is not None
    )
    due = calendar.deadline(received_at, total, unit)
    if paused_days:
        return extend(calendar, due, paused_days, DeadlineUnit.CALENDAR_DAYS)
    return due


def _paused_business_days(calendar: BusinessCalendar, pause: Pause) -> int:
    """Business days the clock stood still: the day after it stopped to the day it ran again."""
    assert pause.end is not None
    start = calendar.local(pause.start).date()
    end = calendar.local(pause.end).date()
    return max(calendar.business_days_between(start, end), 0)


def _paused_office_time(calendar: BusinessCalendar, pause: Pause) -> dt.timedelta:
    """Office time of business days inside the pause."""
    assert pause.end is not None
    start, end = calendar.local(pause.start), calendar.local(pause.end)
    total = dt.timedelta()
    day = start.date()
    while day <= end.date():
        if calendar.is_business_day(day):
            opens = dt.datetime.combine(day, calendar.opens_at, tzinfo=calendar.zone)
            closes = dt.datetime.combine(day, calendar.closes_at, tzinfo=calendar.zone)
            overlap = min(closes, end) - max(opens, start)
            if overlap > dt.timedelta():
                total += overlap
        day += dt.timedelta(days=1)
    return total


@functools.lru_cache(maxsize=256)
def shared_calendar(calendar: BusinessCalendar) -> BusinessCalendar:
    """The first calendar seen equal to `calendar`, with its day tables already built.

    Building them (the region's holidays plus the organisation's closures, as a numpy calendar)
    costs more than the deadline itself, and an organisation's calendar is built afresh for every
    case. Equal calendars (same region, closures, working week, time zone and office hours) give
    equal answers, so sharing one is safe; a closure added or removed makes an unequal calendar,
    which is built anew.
    """
    return calendar
