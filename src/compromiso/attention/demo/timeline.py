"""The demo month: the business days of the 30 days before today in an organisation's own
calendar (weekends, holidays and closures left out), and local times made aware."""

import datetime as dt
import hashlib
import random

from compromiso.organizations.models import Organization

MONTH_DAYS = 30


def month_days(organization: Organization, today: dt.date | None = None) -> list[dt.date]:
    today = today or organization.today()
    calendar = organization.business_calendar()
    days = (today - dt.timedelta(days=n) for n in range(MONTH_DAYS, 0, -1))
    return [day for day in days if calendar.is_business_day(day)]


def is_business_day(organization: Organization, day: dt.date) -> bool:
    return organization.business_calendar().is_business_day(day)


def local(organization: Organization, day: dt.date, minutes: float) -> dt.datetime:
    """The aware moment `minutes` after local midnight of `day` (seconds kept, no microseconds)."""
    midnight = dt.datetime.combine(day, dt.time(0, 0), tzinfo=organization.zone)
    moment = midnight + dt.timedelta(seconds=round(minutes * 60))
    # Re-localise, so a moment past a daylight-saving change keeps its wall-clock time.
    return moment.replace(tzinfo=None).replace(tzinfo=organization.zone)


def minutes_of(value: dt.time) -> float:
    return value.hour * 60 + value.minute + value.second / 60


def seeded(*parts: object) -> random.Random:
    """A generator seeded from stable keys (codes, dates), never from row ids."""
    key = "|".join(str(p) for p in parts)
    return random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))
