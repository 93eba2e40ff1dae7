"""The daily facts and the figures read from them, on an event log computed by hand."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from compromiso.attention import facts, figures, services
from compromiso.attention.models import Branch, Outcome, Queue, VisitDailyFact
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.actors import PUBLIC
from compromiso.organizations.tests.factories import UnitFactory

SANTIAGO = ZoneInfo("America/Santiago")
DAY = dt.date(2026, 11, 2)


def at(hour, minute, day=DAY, zone=SANTIAGO):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


@pytest.fixture
def log(general_queue, quick_queue, desk_one, desk_two, officer):
    """Five visits on Monday 2 November 2026 in Arica (service level 15 minutes):

    1. A, 09:00; called 09:10 at desk 1; served 09:11–09:30 with 5 minutes on hold → wait 10,
       service 14, resolved.
    2. A, 09:05; called 09:30 at desk 2; served 09:31; transferred to B at 09:40 → wait 25,
       service 9; in B called 09:45 at desk 1, served 09:46–09:50 → wait 5, service 4, pending.
    3. A, 09:20; left at 10:00 without being called → waited 40.
    4. A, 09:25; called 09:26 at desk 2, called again, no-show at 09:35 → wait 1.
    5. A, 23:50; called 00:10 the next day at desk 1, served 00:11–00:21 → wait 20,
       service 10, resolved: it stays on Monday, hour 23.
    """
    by = officer
    one = services.issue_ticket(general_queue, by=PUBLIC, at=at(9, 0))
    two = services.issue_ticket(general_queue, by=PUBLIC, at=at(9, 5))
    three = services.issue_ticket(general_queue, by=PUBLIC, at=at(9, 20))
    four = services.issue_ticket(general_queue, by=PUBLIC, at=at(9, 25))
    services.call(one, desk=desk_one, by=by, at=at(9, 10))
    services.start(one, by=by, at=at(9, 11))
    services.hold(one, by=by, at=at(9, 15))
    services.resume(one, by=by, at=at(9, 20))
    services.finish(one, outcome=Outcome.RESOLVED, by=by, at=at(9, 30))
    services.call(four, desk=desk_two, by=by, at=at(9, 26))
    services.recall(four, by=by, at=at(9, 30))
    services.no_show(four, by=by, at=at(9, 35))
    services.call(two, desk=desk_two, by=by, at=at(9, 30))
    services.start(two, by=by, at=at(9, 31))
    services.transfer(two, to_queue=quick_queue, by=by, at=at(9, 40))
    services.call(two, desk=desk_one, by=by, at=at(9, 45))
    services.start(two, by=by, at=at(9, 46))
    services.finish(two, outcome=Outcome.PENDING, by=by, at=at(9, 50))
    services.left(three, by=by, at=at(10, 0))
    five = services.issue_ticket(general_queue, by=PUBLIC, at=at(23, 50))
    tuesday = DAY + dt.timedelta(days=1)
    services.call(five, desk=desk_one, by=by, at=at(0, 10, tuesday))
    services.start(five, by=by, at=at(0, 11, tuesday))
    services.finish(five, outcome=Outcome.RESOLVED, by=by, at=at(0, 21, tuesday))
    return [one, two, three, four, five]


def totals(organization):
    rows = VisitDailyFact.objects.filter(organization=organization)
    return {name: sum(getattr(r, name) for r in rows) for name in facts.COUNTERS}


def test_the_facts_count_visits_transactions_and_outcomes(organization, log):
    assert facts.refresh(organization) == 1  # Monday only: visit 5 stays on its arrival day
    sums = totals(organization)
    assert sums["visits"] == 5
    assert sums["transactions"] == 6  # the transfer opened a second transaction
    assert sums["called"] == 5
    assert sums["served"] == 4
    assert (sums["resolved"], sums["pending"], sums["transferred"]) == (2, 1, 1)
    assert (sums["no_shows"], sums["left"]) == (1, 1)
    assert sums["within_level"] == 3  # waits 10, 5 and 1 of 10, 25, 5, 1, 20
    assert sums["left_after_level"] == 1  # left after 40 minutes
    assert sums["wait_seconds"] == (10 + 25 + 5 + 1 + 20) * 60
    assert sums["service_seconds"] == (14 + 9 + 4 + 10) * 60  # the hold is not service
    assert sums["hold_seconds"] == 5 * 60
    assert sums["walk_seconds"] == 4 * 60
    assert set(VisitDailyFact.objects.values_list("day", flat=True)) == {DAY}
    late = VisitDailyFact.objects.get(hour=23)
    assert (late.visits, late.wait_minutes, late.service_minutes) == (1, {"20": 1}, {"10": 1})


def test_a_transfer_counts_each_wait_in_its_own_queue(organization, log, quick_queue):
    facts.refresh(organization)
    quick = VisitDailyFact.objects.get(queue=quick_queue)
    assert (quick.visits, quick.transactions, quick.called) == (0, 1, 1)
    assert quick.wait_minutes == {"5": 1}
    assert quick.service_minutes == {"4": 1}


def test_the_figures_match_the_hand_computed_values(organization, log, office):
    report = figures.compute(organization, DAY, DAY)
    total = report.total
    assert total.visits == 5
    assert (total.wait_median, total.wait_p90, total.wait_mean) == (10, 25, 12.2)
    assert (total.service_median, total.service_p90) == (9, 14)
    assert total.within == 50.0  # 3 called within 15 ÷ (5 called + 1 left after 15)
    assert total.abandonment == 20.0
    assert total.no_shows == 20.0
    assert total.transfers == 20.0
    assert report.busiest_day == (DAY, 5)
    assert report.per_hour[0] == {9: 4.0, 23: 1.0}  # Monday: one day open
    thirty = figures.compute(organization, DAY, DAY, minutes=30)
    assert thirty.total.within == round(100 * 5 / 6, 1)  # the 40-minute leaver still counts
    assert figures.compute(organization, DAY, DAY, minutes=45).total.within == 100.0
    assert [r.label for r in report.by_branch] == ["Oficina Arica"]
    assert {r.label for r in report.by_desk} == {
        "Módulo 1 · Oficina Arica",
        "Módulo 2 · Oficina Arica",
        "—",
    }


def test_no_visits_means_no_figures(organization, office):
    report = figures.compute(organization, DAY, DAY)
    assert report.is_empty
    assert report.total.within is None
    assert report.total.wait_median is None
    assert report.busiest_day is None


def test_refresh_picks_up_a_later_step(organization, general_queue, desk_one, officer):
    visit = services.issue_ticket(general_queue, by=PUBLIC, at=at(11, 0))
    facts.refresh(organization)
    assert totals(organization)["called"] == 0
    services.call(visit, desk=desk_one, by=officer, at=at(11, 7))
    facts.refresh(organization)
    assert totals(organization)["called"] == 1
    assert VisitDailyFact.objects.get(called=1).wait_minutes == {"7": 1}


def test_refresh_of_given_days_rebuilds_only_those(organization, log):
    facts.refresh(organization)
    VisitDailyFact.objects.all().delete()
    assert facts.refresh(organization, days=[DAY + dt.timedelta(days=1)]) == 1
    assert not VisitDailyFact.objects.exists()
    facts.refresh(organization, days=[DAY])
    assert totals(organization)["visits"] == 5


def test_waits_are_rounded_up_to_the_minute():
    assert [facts.minutes_bucket(s) for s in (0, 1, 60, 61, 900, 901)] == [0, 1, 1, 2, 15, 16]
    assert facts.minutes_bucket(10**6) == 241


@pytest.mark.parametrize(
    ("zone", "local_hour", "utc_hour"),
    [("America/Santiago", 23, 2), ("Europe/Madrid", 23, 22)],
)
def test_day_and_hour_are_the_organisation_s_own(
    other_organization, organization, zone, local_hour, utc_hour
):
    """23:30 local is the next day in UTC in Santiago and the same day in Madrid: both
    count on the local Monday at 23 h."""
    owner = organization if zone == "America/Santiago" else other_organization
    unit = UnitFactory(organization=owner, name="Oficina", kind="branch")
    channel = ChannelFactory(organization=owner, kind="in_person", name="Presencial")
    point = TouchPointFactory(organization=owner, unit=unit, channel=channel, name="OAC")
    branch = Branch.objects.create(organization=owner, touch_point=point, code="oac")
    queue = Queue.objects.create(branch=branch, name="General", letter="A")
    arrival = at(local_hour, 30, zone=ZoneInfo(zone))
    assert arrival.astimezone(dt.UTC).hour == utc_hour
    services.issue_ticket(queue, by=PUBLIC, at=arrival)
    facts.refresh(owner)
    fact = VisitDailyFact.objects.get(organization=owner)
    assert (fact.day, fact.hour, fact.visits) == (DAY, 23, 1)
