"""Slots computed by hand: office hours, split days, holidays, closures, the clock change in
Santiago, the past and capacity."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from compromiso.attention import slots
from compromiso.attention.models import Appointment, AppointmentStatus, OpeningHours, SlotPlan
from compromiso.organizations.models import ClosureDay

pytestmark = pytest.mark.django_db
SCL = ZoneInfo("America/Santiago")


def at(*args):
    return dt.datetime(*args, tzinfo=SCL)


@pytest.fixture
def plan(office, general_queue):
    return SlotPlan.objects.create(
        branch=office,
        queue=general_queue,
        slot_minutes=30,
        capacity=2,
        horizon_days=60,
        valid_from=dt.date(2024, 1, 1),
    )


def times(found, day):
    return [f"{s.starts_at.astimezone(SCL):%H:%M}" for s in found.get(day, [])]


def test_office_hours_give_half_hour_slots(plan, general_queue, organization):
    organization.office_opens_at, organization.office_closes_at = dt.time(9), dt.time(11)
    organization.save()
    monday = dt.date(2024, 6, 3)
    found = slots.slots(general_queue, monday, monday, now=at(2024, 6, 1, 8))
    assert times(found, monday) == ["09:00", "09:30", "10:00", "10:30"]
    assert all(s.free == 2 for s in found[monday])
    # 09:00 in Santiago in June (UTC-4) is 13:00 UTC.
    assert found[monday][0].starts_at.astimezone(dt.UTC).hour == 13


def test_split_day_uses_the_branch_hours_and_no_slot_runs_past_closing(plan, office, general_queue):
    OpeningHours.objects.create(
        branch=office, weekday=0, opens_at=dt.time(8, 30), closes_at=dt.time(10, 15)
    )
    OpeningHours.objects.create(
        branch=office, weekday=0, opens_at=dt.time(15), closes_at=dt.time(16)
    )
    monday, tuesday = dt.date(2024, 6, 3), dt.date(2024, 6, 4)
    found = slots.slots(general_queue, monday, tuesday, now=at(2024, 6, 1, 8))
    assert times(found, monday) == ["08:30", "09:00", "09:30", "15:00", "15:30"]
    assert tuesday not in found  # the branch keeps hours, none on Tuesday


def test_weekends_holidays_and_closures_have_no_slots(plan, general_queue, organization):
    ClosureDay.objects.create(organization=organization, date=dt.date(2024, 9, 16), name="Cierre")
    found = slots.slots(
        general_queue, dt.date(2024, 9, 13), dt.date(2024, 9, 23), now=at(2024, 9, 1)
    )
    # Fri 13 open; Sat 14, Sun 15 weekend; Mon 16 closure; Tue 17 open; 18, 19, 20 holidays
    # (Fiestas Patrias); 21, 22 weekend; Mon 23 open.
    assert sorted(found) == [dt.date(2024, 9, 13), dt.date(2024, 9, 17), dt.date(2024, 9, 23)]


def test_clock_change_day_in_santiago_keeps_local_times(plan, office, general_queue, organization):
    organization.weekmask = "1111111"
    organization.save()
    # On Sunday 8 September 2024 clocks went from 00:00 to 01:00 (UTC-4 to UTC-3).
    OpeningHours.objects.create(branch=office, weekday=6, opens_at=dt.time(0), closes_at=dt.time(2))
    for weekday in (0, 4):
        OpeningHours.objects.create(
            branch=office, weekday=weekday, opens_at=dt.time(9), closes_at=dt.time(10)
        )
    sunday, monday = dt.date(2024, 9, 8), dt.date(2024, 9, 9)
    found = slots.slots(general_queue, sunday, monday, now=at(2024, 9, 1))
    assert times(found, sunday) == ["01:00", "01:30"]  # 00:00–00:59 never happened
    assert [s.starts_at.astimezone(dt.UTC).hour for s in found[sunday]] == [4, 4]
    assert times(found, monday) == ["09:00", "09:30"]
    assert found[monday][0].starts_at.astimezone(dt.UTC) == dt.datetime(
        2024, 9, 9, 12, tzinfo=dt.UTC
    )
    # The Friday before, 09:00 was 13:00 UTC.
    friday = dt.date(2024, 9, 6)
    found = slots.slots(general_queue, friday, friday, now=at(2024, 9, 1))
    assert found[friday][0].starts_at.astimezone(dt.UTC).hour == 13


def test_past_slots_are_hidden(plan, general_queue, organization):
    organization.office_opens_at, organization.office_closes_at = dt.time(9), dt.time(11)
    organization.save()
    monday = dt.date(2024, 6, 3)
    found = slots.slots(general_queue, monday, monday, now=at(2024, 6, 3, 9, 30))
    assert times(found, monday) == ["10:00", "10:30"]
    earlier = slots.slots(general_queue, dt.date(2024, 5, 31), monday, now=at(2024, 6, 3, 9, 30))
    assert list(earlier) == [monday]


def test_capacity_counts_booked_and_checked_in_not_cancelled(
    plan, office, general_queue, organization
):
    organization.office_opens_at, organization.office_closes_at = dt.time(9), dt.time(10)
    organization.save()
    start = at(2024, 6, 3, 9)
    for n, status in enumerate(
        [AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.CANCELLED]
    ):
        Appointment.objects.create(
            organization=organization,
            branch=office,
            queue=general_queue,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=30),
            code=f"CODE000{n}",
            name="X",
            status=status,
        )
    monday = dt.date(2024, 6, 3)
    found = slots.slots(general_queue, monday, monday, now=at(2024, 6, 1))
    assert times(found, monday) == ["09:30"]  # 09:00 is full (2 of 2)
    full = slots.slots(general_queue, monday, monday, now=at(2024, 6, 1), include_full=True)
    assert [(s.taken, s.free) for s in full[monday]] == [(2, 0), (0, 2)]


def test_plan_validity_and_horizon(plan, general_queue):
    plan.valid_until = dt.date(2024, 6, 4)
    plan.horizon_days = 2
    plan.save()
    found = slots.slots(
        general_queue, dt.date(2024, 6, 3), dt.date(2024, 6, 10), now=at(2024, 6, 3, 6)
    )
    assert sorted(found) == [dt.date(2024, 6, 3), dt.date(2024, 6, 4)]
    plan.is_active = False
    plan.save()
    assert (
        slots.slots(general_queue, dt.date(2024, 6, 3), dt.date(2024, 6, 4), now=at(2024, 6, 3, 6))
        == {}
    )


def test_a_queue_without_a_plan_offers_nothing(general_queue, quick_queue, plan):
    assert (
        slots.slots(quick_queue, dt.date(2024, 6, 3), dt.date(2024, 6, 4), now=at(2024, 6, 1)) == {}
    )


def test_slot_keys_round_trip(plan, general_queue):
    monday = dt.date(2024, 6, 3)
    slot = slots.slots(general_queue, monday, monday, now=at(2024, 6, 1))[monday][0]
    assert slot.key == "20240603T1300Z"
    assert slots.parse_key(slot.key) == slot.starts_at
    assert slots.parse_key("<script>") is None
