"""Indicator periods and compliance: plain values in and out, no database."""

import datetime as dt
from decimal import Decimal

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}


def period_containing(periodicity: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month, quarter or year that holds `day`, as (first day, last day)."""
    months = MONTHS_PER_PERIOD[periodicity]
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return start, next_period_start(periodicity, start) - dt.timedelta(days=1)


def next_period_start(periodicity: str, start: dt.date) -> dt.date:
    months = MONTHS_PER_PERIOD[periodicity]
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def closed_periods(
    periodicity: str, start: dt.date, end: dt.date, today: dt.date
) -> list[tuple[dt.date, dt.date]]:
    """Every period overlapping [start, end] that has ended before `today`, oldest first.
    A period cut by the validity is measured on its part inside it."""
    periods: list[tuple[dt.date, dt.date]] = []
    first, last = period_containing(periodicity, start)
    while first <= end and last < today:
        periods.append((max(first, start), min(last, end)))
        first = next_period_start(periodicity, first)
        last = next_period_start(periodicity, first) - dt.timedelta(days=1)
    return periods


def is_met(value: Decimal | None, comparator: str, target: Decimal) -> bool | None:
    """Whether a value meets the target; None when there is no value (no data is never a
    pass nor a failure)."""
    if value is None:
        return None
    return value >= target if comparator == "gte" else value <= target


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_label(periodicity: str, start: dt.date) -> str:
    """2026-03, 2026-Q1 or 2026: language-neutral labels for tables and open data."""
    if periodicity == "yearly":
        return str(start.year)
    if periodicity == "quarterly":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m")
