"""Business days for legal deadlines: fixed cases from the official calendars, and properties."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compromiso.core.calendar import (
    BusinessCalendar,
    DeadlineUnit,
    UnknownRegion,
    country_subdivisions,
    validate_region,
)

SANTIAGO = ZoneInfo("America/Santiago")
MADRID = ZoneInfo("Europe/Madrid")
CHILE = BusinessCalendar(country="CL", subdivision="RM", time_zone="America/Santiago")
CATALONIA = BusinessCalendar(country="ES", subdivision="CT", time_zone="Europe/Madrid")
MADRID_REGION = BusinessCalendar(country="ES", subdivision="MD", time_zone="Europe/Madrid")


def test_chile_fiestas_patrias_are_not_business_days():
    assert not CHILE.is_business_day(dt.date(2026, 9, 18))  # Día de la Independencia
    assert not CHILE.is_business_day(dt.date(2026, 9, 19))  # Glorias del Ejército
    assert CHILE.is_business_day(dt.date(2026, 9, 17))


def test_regional_holidays_apply_only_in_their_region():
    arica = BusinessCalendar(country="CL", subdivision="AP")
    morro = dt.date(2027, 6, 7)  # Asalto y Toma del Morro de Arica, a Monday in 2027

    assert not arica.is_business_day(morro)
    assert CHILE.is_business_day(morro)


def test_catalonia_keeps_the_diada_and_sant_esteve_and_madrid_does_not():
    assert not CATALONIA.is_business_day(dt.date(2026, 9, 11))  # Diada, a Friday
    assert not CATALONIA.is_business_day(dt.date(2025, 12, 26))  # Sant Esteve, a Friday
    assert MADRID_REGION.is_business_day(dt.date(2025, 12, 26))
    assert MADRID_REGION.is_business_day(dt.date(2026, 9, 11))
    assert not MADRID_REGION.is_business_day(dt.date(2026, 11, 2))  # moved All Saints
    assert CATALONIA.is_business_day(dt.date(2026, 11, 2))


def test_twenty_business_days_skip_fiestas_patrias():
    received = dt.datetime(2026, 9, 14, 10, 0, tzinfo=SANTIAGO)  # Monday

    due = CHILE.deadline(received, 20, DeadlineUnit.BUSINESS_DAYS)

    # Four weeks without holidays would end on Mon 12 Oct; 18 Sept and 12 Oct are holidays.
    assert due.date() == dt.date(2026, 10, 14)
    assert due.time() == CHILE.closes_at


def test_a_saturday_request_counts_from_monday():
    saturday = dt.datetime(2026, 3, 7, 11, 0, tzinfo=SANTIAGO)

    assert CHILE.effective_start(saturday) == dt.date(2026, 3, 9)
    assert CHILE.deadline(saturday, 1, DeadlineUnit.BUSINESS_DAYS).date() == dt.date(2026, 3, 10)


def test_a_request_after_office_hours_counts_from_the_next_business_day():
    evening = dt.datetime(2026, 3, 4, 18, 30, tzinfo=SANTIAGO)  # Wednesday, office closes 17:00
    morning = dt.datetime(2026, 3, 4, 8, 0, tzinfo=SANTIAGO)

    assert CHILE.effective_start(evening) == dt.date(2026, 3, 5)
    assert CHILE.effective_start(morning) == dt.date(2026, 3, 4)


def test_the_request_time_is_read_in_the_organisations_time_zone():
    # 23:30 UTC on Wednesday is 20:30 in Santiago (after hours) and 00:30 Thursday in Madrid.
    moment = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)

    assert CHILE.effective_start(moment) == dt.date(2026, 3, 5)
    assert CATALONIA.effective_start(moment) == dt.date(2026, 3, 5)
    with pytest.raises(ValueError, match="timezone-aware"):
        CHILE.effective_start(dt.datetime(2026, 3, 4, 10))


def test_organisation_closures_are_skipped():
    closed = BusinessCalendar(
        country="ES", subdivision="CT", closed_days=frozenset({dt.date(2026, 6, 29)})
    )

    assert not closed.is_business_day(dt.date(2026, 6, 29))
    assert CATALONIA.is_business_day(dt.date(2026, 6, 29))
    assert closed.add_business_days(dt.date(2026, 6, 26), 1) == dt.date(2026, 6, 30)
    assert (dt.date(2026, 6, 29), "Closure") in closed.holidays_between(
        dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    )


def test_christmas_example_from_the_library_survey():
    spain = BusinessCalendar(country="ES", closed_days=frozenset({dt.date(2026, 12, 26)}))

    assert spain.add_business_days(dt.date(2026, 12, 24), 3) == dt.date(2026, 12, 30)


def test_months_end_on_the_same_day_or_the_months_last_day_then_roll_forward():
    received = dt.datetime(2026, 1, 31, 10, 0, tzinfo=MADRID)
    spain = BusinessCalendar(country="ES", time_zone="Europe/Madrid")

    # 28 February 2026 is a Saturday: the deadline moves to Monday 2 March.
    assert spain.deadline(received, 1, DeadlineUnit.MONTHS).date() == dt.date(2026, 3, 2)
    assert spain.deadline(
        dt.datetime(2026, 3, 16, 9, tzinfo=MADRID), 3, DeadlineUnit.MONTHS
    ).date() == dt.date(2026, 6, 16)


def test_calendar_days_ending_on_a_holiday_move_to_the_next_business_day():
    received = dt.datetime(2026, 9, 1, 10, 0, tzinfo=MADRID)

    assert CATALONIA.deadline(received, 10, DeadlineUnit.CALENDAR_DAYS).date() == dt.date(
        2026, 9, 14
    )


def test_business_hours_only_count_while_the_office_is_open():
    friday_afternoon = dt.datetime(2026, 3, 6, 15, 0, tzinfo=SANTIAGO)

    due = CHILE.deadline(friday_afternoon, 4, DeadlineUnit.HOURS)

    # Two hours on Friday (15–17), two more on Monday from 09:00.
    assert due == dt.datetime(2026, 3, 9, 11, 0, tzinfo=SANTIAGO)


def test_business_days_between_counts_from_the_day_after():
    assert CHILE.business_days_between(dt.date(2026, 3, 2), dt.date(2026, 3, 6)) == 4
    assert CHILE.business_days_between(dt.date(2026, 3, 6), dt.date(2026, 3, 2)) == -4
    assert CHILE.business_days_between(dt.date(2026, 3, 2), dt.date(2026, 3, 2)) == 0
    now = dt.datetime(2026, 3, 2, 9, tzinfo=SANTIAGO)
    assert CHILE.business_days_left(now, now - dt.timedelta(days=7)) < 0


@pytest.mark.parametrize(
    ("country", "subdivision", "message"),
    [
        ("XX", "", 'Unknown country code "XX".'),
        ("cl", "", "upper-case"),
        ("CL", "ZZ", 'Unknown subdivision "ZZ"'),
    ],
)
def test_unknown_regions_are_refused_clearly(country, subdivision, message):
    with pytest.raises(UnknownRegion, match=message):
        validate_region(country, subdivision)


def test_supported_countries_and_their_regions():
    for country in ("AR", "CL", "CO", "ES", "MX", "PE"):
        validate_region(country)
    assert {"CT", "MD"} <= set(country_subdivisions("ES"))
    assert len(country_subdivisions("CL")) == 16


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekmask": "1111"}, "working week"),
        ({"weekmask": "0000000"}, "working week"),
        ({"weekmask": "11111x0"}, "working week"),
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone"),
        ({"opens_at": dt.time(18), "closes_at": dt.time(9)}, "open before it closes"),
    ],
)
def test_bad_calendar_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(country="CL", **kwargs)


def test_negative_deadline_amounts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CHILE.deadline(dt.datetime(2026, 3, 2, tzinfo=SANTIAGO), -1, DeadlineUnit.BUSINESS_DAYS)


days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))
amounts = st.integers(min_value=0, max_value=400)
calendars = st.sampled_from(
    [
        CHILE,
        CATALONIA,
        MADRID_REGION,
        BusinessCalendar(country="MX"),
        BusinessCalendar(country="CO"),
        BusinessCalendar(country="PE"),
        BusinessCalendar(country="AR", weekmask="1111110"),
    ]
)


@settings(max_examples=150, deadline=None)
@given(calendar=calendars, day=days, n=st.integers(min_value=1, max_value=400))
def test_adding_business_days_lands_on_a_business_day(calendar, day, n):
    assert calendar.is_business_day(calendar.add_business_days(day, n))


@settings(max_examples=150, deadline=None)
@given(calendar=calendars, day=days, n=amounts)
def test_counting_undoes_adding(calendar, day, n):
    start = calendar.roll_forward(day)  # a non-business day first rolls to the next business day

    assert calendar.business_days_between(start, calendar.add_business_days(day, n)) == n


@settings(max_examples=100, deadline=None)
@given(calendar=calendars, day=days, n=st.integers(min_value=0, max_value=200))
def test_more_days_never_give_an_earlier_deadline(calendar, day, n):
    assert calendar.add_business_days(day, n) <= calendar.add_business_days(day, n + 1)


@settings(max_examples=100, deadline=None)
@given(
    calendar=calendars,
    moment=st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 12, 31)),
    n=amounts,
)
def test_business_day_deadlines_are_after_receipt_and_on_business_days(calendar, moment, n):
    received = moment.replace(tzinfo=dt.UTC)

    due = calendar.deadline(received, n, DeadlineUnit.BUSINESS_DAYS)

    assert due >= received or due.date() >= calendar.local(received).date()
    assert calendar.is_business_day(due.date())


@settings(max_examples=100, deadline=None)
@given(
    calendar=calendars,
    moment=st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 12, 31)),
    hours=st.integers(min_value=0, max_value=300),
)
def test_business_hour_deadlines_fall_within_office_hours(calendar, moment, hours):
    due = calendar.deadline(moment.replace(tzinfo=dt.UTC), hours, DeadlineUnit.HOURS)

    assert calendar.is_business_day(due.date())
    assert calendar.opens_at <= due.timetz().replace(tzinfo=None) <= calendar.closes_at
