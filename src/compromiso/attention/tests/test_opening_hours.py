"""Whether a branch is open now, one rule for the kiosk, the web queue and the public office and
procedure directories: its own periods per weekday (or the organisation's office hours on a
business day), never on a public holiday or a closure day, in the organisation's time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from compromiso.attention.models import Branch, OpeningHours
from compromiso.attention.services import public
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.organizations.models import ClosureDay
from compromiso.organizations.tests.factories import OrganizationFactory, UnitFactory

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
# March 2026: Monday the 2nd to Saturday the 7th, no public holiday in Madrid; the Tuesday is
# the council's closure day. 6 January 2027 (a Wednesday) is Epiphany, a national holiday.
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, SATURDAY = (dt.date(2026, 3, d) for d in (2, 3, 4, 5, 7))
EPIPHANY = dt.date(2027, 1, 6)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=MADRID)


@pytest.fixture
def madrid_branch(db):
    """A Madrid council (its office hours 09:00–14:00, the server's zone Santiago's)."""
    council = OrganizationFactory(
        country="ES",
        subdivision="MD",
        time_zone="Europe/Madrid",
        office_opens_at=dt.time(9),
        office_closes_at=dt.time(14),
    )
    ClosureDay.objects.create(organization=council, date=TUESDAY)
    unit = UnitFactory(organization=council, name="Oficina Centro", kind="branch")
    channel = ChannelFactory(organization=council, kind="in_person", name="Presencial")
    point = TouchPointFactory(organization=council, unit=unit, channel=channel, name="Centro")
    return Branch.objects.create(organization=council, touch_point=point, code="centro")


def _own_hours(branch: Branch) -> None:
    """Monday split (09:00–14:00 and 16:00–18:00), Tuesday and Wednesday mornings."""
    for weekday, opens, closes in [(0, 9, 14), (0, 16, 18), (1, 9, 14), (2, 9, 14)]:
        OpeningHours.objects.create(
            branch=branch, weekday=weekday, opens_at=dt.time(opens), closes_at=dt.time(closes)
        )


def _by_branch(branch: Branch, now: dt.datetime) -> bool:
    return public.is_open(branch, now)


def _by_rows(branch: Branch, now: dt.datetime) -> bool:
    """As the directory pages ask, with the hours they have already read."""
    return public.is_open_at(branch.organization, list(branch.hours.all()), now)


ASKING = [pytest.param(_by_branch, id="branch"), pytest.param(_by_rows, id="rows")]

OWN_HOURS = [
    (_at(MONDAY, 9), True),  # the period's first minute
    (_at(MONDAY, 13, 59), True),
    (_at(MONDAY, 14), False),  # its closing time is outside it
    (_at(MONDAY, 15), False),  # the split day's gap
    (_at(MONDAY, 16, 30), True),
    (_at(WEDNESDAY, 10), True),
    (_at(THURSDAY, 10), False),  # no period on Thursdays
    (_at(TUESDAY, 10), False),  # a period, but the council's closure day
    (_at(EPIPHANY, 10), False),  # a period, but a public holiday
    # 13:30 UTC is 14:30 in Madrid (the gap), 10:30 in Santiago and 13:30 in UTC (open hours)
    (dt.datetime(2026, 3, 2, 13, 30, tzinfo=dt.UTC), False),
    (dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC), True),  # 16:30 in Madrid
]

OFFICE_HOURS = [
    (_at(THURSDAY, 9), True),
    (_at(THURSDAY, 14), False),
    (_at(THURSDAY, 8, 59), False),
    (_at(SATURDAY, 10), False),  # not a working day
    (_at(TUESDAY, 10), False),  # the closure day
    (_at(EPIPHANY, 10), False),  # the holiday
    (dt.datetime(2026, 3, 5, 13, 30, tzinfo=dt.UTC), False),  # 14:30 in Madrid
    (dt.datetime(2026, 3, 5, 12, 30, tzinfo=dt.UTC), True),  # 13:30 in Madrid
]


@pytest.mark.parametrize("asking", ASKING)
@pytest.mark.parametrize(("now", "expected"), OWN_HOURS)
def test_a_branch_with_its_own_hours(madrid_branch, asking, now, expected):
    _own_hours(madrid_branch)

    assert asking(madrid_branch, now) is expected


@pytest.mark.parametrize("asking", ASKING)
@pytest.mark.parametrize(("now", "expected"), OFFICE_HOURS)
def test_a_branch_without_hours_keeps_the_organisations_office_hours(
    madrid_branch, asking, now, expected
):
    assert asking(madrid_branch, now) is expected
