"""Business days for legal deadlines. Plain values in and out; no Django imports.

The law counts deadlines in business days, not hours: Chile's Ley 19.880 art. 25 leaves out
Saturdays, Sundays and holidays; Spain's Ley 39/2015 art. 30 does the same, counts from the day
after, treats a filing on a non-business day as made on the next business day, and moves a
deadline that ends on a non-business day to the next business day. National and regional holidays
come from the `holidays` package; the organisation's own closures (local holidays the package
does not know) are passed in as data. The arithmetic is numpy's business-day functions.
"""

import datetime as dt
import functools
from calendar import monthrange
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import numpy as np

SUPPORTED_COUNTRIES: tuple[str, ...] = ("AR", "CL", "CO", "ES", "MX", "PE")
CLOSURE_NAME = "Closure"
_YEAR_PADDING = 2  # years of holidays built around the dates asked, so neighbours need no rebuild


class UnknownRegion(ValueError):  # noqa: N818 (reads as the domain says it)
    """A country or subdivision code the holiday tables do not know."""


@cache
def _supported() -> dict[str, tuple[str, ...]]:
    return {
        country: tuple(sorted(subdivisions))
        for country, subdivisions in holidays.list_supported_countries().items()
    }


def country_subdivisions(country: str) -> tuple[str, ...]:
    """The ISO 3166-2 subdivision codes the holiday tables know for a country."""
    validate_region(country)
    return _supported()[country]


def validate_region(country: str, subdivision: str = "") -> None:
    """Raise UnknownRegion unless the country (and subdivision, if given) is known."""
    if country not in _supported():
        hint = " Use upper-case ISO codes, e.g. CL." if country.upper() in _supported() else ""
        raise UnknownRegion(f'Unknown country code "{country}".{hint}')
    if subdivision and subdivision not in _supported()[country]:
        raise UnknownRegion(f'Unknown subdivision "{subdivision}" for country "{country}".')


class DeadlineUnit(StrEnum):
    HOURS = "hours"  # business hours: only office hours of business days count
    BUSINESS_DAYS = "business_days"
    CALENDAR_DAYS = "calendar_days"
    MONTHS = "months"


@functools.lru_cache(maxsize=128)
def _holiday_table(
    country: str, subdivision: str, first_year: int, last_year: int
) -> tuple[tuple[dt.date, str], ...]:
    """The public holidays of a region and years. Cached: the holidays package takes
    milliseconds to compute them, and every deadline needs them."""
    table = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(first_year, last_year + 1)
    )
    return tuple(sorted(table.items()))


@functools.lru_cache(maxsize=256)
def _numpy_calendar(weekmask: str, closed: tuple[dt.date, ...]) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask=weekmask, holidays=[np.datetime64(d, "D") for d in closed])


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days an organisation works, and the deadlines that follow from them."""

    country: str
    subdivision: str = ""
    closed_days: frozenset[dt.date] = frozenset()
    weekmask: str = "1111100"  # Monday to Sunday, 1 = working day
    time_zone: str = "UTC"
    opens_at: dt.time = dt.time(9, 0)
    closes_at: dt.time = dt.time(17, 0)
    # (first year, last year, numpy calendar): rebuilt wider when a date falls outside.
    _built: list[tuple[int, int, np.busdaycalendar]] = field(
        default_factory=list, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        validate_region(self.country, self.subdivision)
        if len(self.weekmask) != 7 or set(self.weekmask) - {"0", "1"} or "1" not in self.weekmask:
            raise ValueError("The working week is seven 0/1 digits, Monday first, with a 1.")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f'Unknown time zone "{self.time_zone}".') from error
        if not self.opens_at < self.closes_at:
            raise ValueError("The office must open before it closes.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def _public_holidays(self, first_year: int, last_year: int) -> dict[dt.date, str]:
        return dict(_holiday_table(self.country, self.subdivision, first_year, last_year))

    def _calendar(self, *days: dt.date) -> np.busdaycalendar:
        """The numpy calendar covering `days` (with padding), built once per range."""
        first = min(d.year for d in days) - _YEAR_PADDING
        last = max(d.year for d in days) + _YEAR_PADDING
        if self._built:
            built_first, built_last, built = self._built[0]
            if built_first <= first and last <= built_last:
                return built
            first, last = min(first, built_first), max(last, built_last)
        first, last = max(first, 1), min(last, 9998)
        closed = set(self._public_holidays(first, last)) | set(self.closed_days)
        calendar = _numpy_calendar(self.weekmask, tuple(sorted(closed)))
        self._built[:] = [(first, last, calendar)]
        return calendar

    def holidays_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Holidays and closure days from start to end inclusive, in date order."""
        names = {
            day: name
            for day, name in self._public_holidays(start.year, end.year).items()
            if start <= day <= end
        }
        for day in self.closed_days:
            if start <= day <= end:
                names[day] = f"{names[day]} · {CLOSURE_NAME}" if day in names else CLOSURE_NAME
        return sorted(names.items())

    def is_business_day(self, day: dt.date) -> bool:
        return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=self._calendar(day)))

    def roll_forward(self, day: dt.date) -> dt.date:
        """`day` itself if it is a business day, else the next business day."""
        return self.add_business_days(day, 0)

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after `day`."""
        return self.roll_forward(day + dt.timedelta(days=1))

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The date n business days after `day` (day itself not counted; backwards for n < 0).

        A non-business `day` first rolls to the next business day (forwards) or the previous one
        (backwards), as a filing on a non-business day counts as made on the next business day.
        """
        result = np.busday_offset(
            np.datetime64(day, "D"),
            n,
            roll="forward" if n >= 0 else "backward",
            busdaycal=self._calendar(day, day + dt.timedelta(days=2 * n)),
        )
        return _to_date(result)

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days in (start, end]: from the day after start up to and including end."""
        if end < start:
            return -self.business_days_between(end, start)
        one = dt.timedelta(days=1)
        return int(
            np.busday_count(
                np.datetime64(start + one, "D"),
                np.datetime64(end + one, "D"),
                busdaycal=self._calendar(start, end),
            )
        )

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A timezone-aware moment in the calendar's time zone."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("Moments must be timezone-aware.")
        return moment.astimezone(self.zone)

    def effective_start(self, received_at: dt.datetime) -> dt.date:
        """The day a request counts as received: after closing time or on a non-business day it
        counts from the next business day."""
        local = self.local(received_at)
        day = local.date()
        if not self.is_business_day(day):
            return self.roll_forward(day)
        if local.time() >= self.closes_at:
            return self.next_business_day(day)
        return day

    def _end_of_day(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.closes_at, tzinfo=self.zone)

    def deadline(self, received_at: dt.datetime, amount: int, unit: DeadlineUnit) -> dt.datetime:
        """When something received at `received_at` is due, `amount` units later."""
        if amount < 0:
            raise ValueError("A deadline amount cannot be negative.")
        unit = DeadlineUnit(unit)
        if unit is DeadlineUnit.HOURS:
            return self.add_business_time(received_at, dt.timedelta(hours=amount))
        if unit is DeadlineUnit.BUSINESS_DAYS:
            return self._end_of_day(
                self.add_business_days(self.effective_start(received_at), amount)
            )
        received_day = self.local(received_at).date()
        if unit is DeadlineUnit.CALENDAR_DAYS:
            due = received_day + dt.timedelta(days=amount)
        else:
            due = add_months(received_day, amount)
        # Ley 39/2015 art. 30.5: a deadline ending on a non-business day moves to the next one.
        return self._end_of_day(self.roll_forward(due))

    def add_business_time(self, moment: dt.datetime, remaining: dt.timedelta) -> dt.datetime:
        """Count office hours of business days only, from `moment` (or the next opening)."""
        moment = self.local(moment)
        while True:
            day = moment.date()
            opens = dt.datetime.combine(day, self.opens_at, tzinfo=self.zone)
            closes = dt.datetime.combine(day, self.closes_at, tzinfo=self.zone)
            if not self.is_business_day(day) or moment >= closes:
                following = self.next_business_day(day)
                moment = dt.datetime.combine(following, self.opens_at, tzinfo=self.zone)
                continue
            moment = max(moment, opens)
            available = closes - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
            moment = closes

    def business_days_left(self, now: dt.datetime, due: dt.datetime) -> int:
        """Business days from today until the due date; negative once overdue."""
        return self.business_days_between(self.local(now).date(), self.local(due).date())


def _to_date(value: np.datetime64) -> dt.date:
    result = value.astype("datetime64[D]").astype(dt.date)
    assert isinstance(result, dt.date)
    return result


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day number `months` later, or that month's last day when it has no such day
    (Ley 39/2015 art. 30.4)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))
