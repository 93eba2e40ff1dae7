"""Deadlines derived from the event log: pauses, extensions, and their properties."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from compromiso.cases.deadlines import Pause, due_at, shared_calendar
from compromiso.core.calendar import BusinessCalendar, DeadlineUnit

SANTIAGO = ZoneInfo("America/Santiago")
CHILE = BusinessCalendar(country="CL", subdivision="RM", time_zone="America/Santiago")
CATALONIA = BusinessCalendar(country="ES", subdivision="CT", time_zone="Europe/Madrid")
BD = DeadlineUnit.BUSINESS_DAYS


def at(day, hour=10):
    return dt.datetime(2026, 3, day, hour, tzinfo=SANTIAGO)


def test_without_pauses_the_deadline_is_the_calendars():
    assert due_at(CHILE, at(2), 20, BD) == CHILE.deadline(at(2), 20, BD)


def test_a_pause_moves_the_deadline_by_the_business_days_it_lasted():
    plain = due_at(CHILE, at(2), 20, BD)
    # Stopped Wednesday 4 March, running again Monday 9 March: Thu, Fri, Mon = 3 business days.
    paused = due_at(CHILE, at(2), 20, BD, pauses=[Pause(at(4), at(9))])

    assert CHILE.business_days_between(plain.date(), paused.date()) == 3


def test_an_open_pause_stops_the_clock():
    assert due_at(CHILE, at(2), 20, BD, pauses=[Pause(at(4), None)]) is None


def test_an_extension_runs_on_from_the_original_end():
    plain = due_at(CHILE, at(2), 20, BD)
    extended = due_at(CHILE, at(2), 20, BD, extension=10)

    assert CHILE.business_days_between(plain.date(), extended.date()) == 10


def test_a_month_with_a_half_month_extension_in_calendar_days():
    received = dt.datetime(2026, 2, 2, 10, tzinfo=ZoneInfo("Europe/Madrid"))

    due = due_at(
        CATALONIA,
        received,
        1,
        DeadlineUnit.MONTHS,
        extension=15,
        extension_unit=DeadlineUnit.CALENDAR_DAYS,
    )

    # 2 March + 15 days = 17 March, a Tuesday.
    assert due.date() == dt.date(2026, 3, 17)


def test_business_hours_pauses_add_the_office_time_they_covered():
    received = at(2, 9)  # Monday 09:00
    plain = due_at(CHILE, received, 10, DeadlineUnit.HOURS)
    paused = due_at(CHILE, received, 10, DeadlineUnit.HOURS, pauses=[Pause(at(2, 10), at(2, 12))])

    assert plain == dt.datetime(2026, 3, 3, 11, tzinfo=SANTIAGO)
    assert paused == dt.datetime(2026, 3, 3, 13, tzinfo=SANTIAGO)


moments = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
    lambda d: d.replace(tzinfo=SANTIAGO)
)


@settings(max_examples=80, deadline=None)
@given(
    received=moments, amount=st.integers(1, 60), gap=st.integers(0, 20), length=st.integers(0, 20)
)
def test_a_pause_never_brings_the_deadline_forward(received, amount, gap, length):
    start = received + dt.timedelta(days=gap)
    pause = Pause(start, start + dt.timedelta(days=length))

    plain = due_at(CHILE, received, amount, BD)
    paused = due_at(CHILE, received, amount, BD, pauses=[pause])

    assert paused >= plain
    assert CHILE.is_business_day(paused.date())


@settings(max_examples=80, deadline=None)
@given(received=moments, amount=st.integers(1, 60), extension=st.integers(0, 20))
def test_an_extension_never_brings_the_deadline_forward(received, amount, extension):
    assert due_at(CHILE, received, amount, BD, extension=extension) >= due_at(
        CHILE, received, amount, BD
    )


def test_equal_calendars_share_their_built_tables_and_a_closure_makes_a_new_one():
    first = BusinessCalendar(country="CL", subdivision="RM", time_zone="America/Santiago")
    again = BusinessCalendar(country="CL", subdivision="RM", time_zone="America/Santiago")
    closed = BusinessCalendar(
        country="CL",
        subdivision="RM",
        time_zone="America/Santiago",
        closed_days=frozenset({dt.date(2026, 3, 3)}),
    )

    assert shared_calendar(again) is shared_calendar(first)
    assert shared_calendar(closed) is not shared_calendar(first)
    assert due_at(shared_calendar(closed), at(2), 1, BD) > due_at(
        shared_calendar(first), at(2), 1, BD
    )
