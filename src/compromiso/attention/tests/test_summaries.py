"""The day summaries (`VisitDaySummary`): kept by the facts' refresh, and giving the figures of
several branches exactly as the daily facts do, on event logs computed by hand in two time
zones (a transfer, a hold, a no-show, a visitor who left, a visit crossing midnight), the
hour-of-day waits included."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from compromiso.attention import facts, figures, services
from compromiso.attention.models import Branch, Desk, Outcome, Queue, VisitDaySummary
from compromiso.attention.models.summaries import (
    BINS,
    HOUR_SERVICE,
    HOURLY,
    pack_histogram,
    pack_hour_minutes,
    pack_hours,
    unpack_array,
    unpack_histogram,
    unpack_hour_minutes,
    unpack_hours,
)
from compromiso.catalog.tests.factories import (
    ChannelFactory,
    ServiceFactory,
    TouchPointFactory,
)
from compromiso.core.actors import PUBLIC, SYSTEM
from compromiso.organizations.tests.factories import UnitFactory

DAY = dt.date(2026, 11, 2)  # a Monday
TUESDAY = DAY + dt.timedelta(days=1)
SANTIAGO = ZoneInfo("America/Santiago")
MADRID = ZoneInfo("Europe/Madrid")


def _at(zone, hour, minute, day=DAY):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def _branch(organization, name, code, service):
    unit = UnitFactory(organization=organization, name=name, kind="branch")
    channel = ChannelFactory(organization=organization, kind="in_person", name=f"P {code}")
    point = TouchPointFactory(organization=organization, unit=unit, channel=channel, name=name)
    branch = Branch.objects.create(organization=organization, touch_point=point, code=code)
    general = Queue.objects.create(branch=branch, name="General", letter="A", order=1)
    quick = Queue.objects.create(branch=branch, name="Rápida", letter="B", order=2)
    general.services.add(service)
    quick.services.add(service)
    one = Desk.objects.create(branch=branch, name="Módulo 1")
    two = Desk.objects.create(branch=branch, name="Módulo 2")
    one.queues.add(general, quick)
    two.queues.add(general)
    return general, quick, one, two


def _play(zone, general, quick, one, two):
    """Five visits on Monday 2 November 2026 (local times; service level 15 minutes):

    1. A 09:00, called 09:10 at desk 1, served 09:11–09:30 with 5 min on hold → wait 10,
       service 14.
    2. A 09:05, called 09:30 at desk 2, served 09:31, transferred to B 09:40 → wait 25,
       service 9; in B called 09:45 at desk 1, served 09:46–09:50 → wait 5, service 4.
    3. A 09:20, left at 10:00 uncalled → waited 40.
    4. A 09:25, called 09:26 at desk 2, recalled, no-show 09:35 → wait 1.
    5. A 23:50, called 00:10 the next day at desk 1, served 00:11–00:21 → wait 20, service 10,
       on Monday at 23 h."""

    def at(hour, minute, day=DAY):
        return _at(zone, hour, minute, day)

    visit_1 = services.issue_ticket(general, by=PUBLIC, at=at(9, 0))
    visit_2 = services.issue_ticket(general, by=PUBLIC, at=at(9, 5))
    visit_3 = services.issue_ticket(general, by=PUBLIC, at=at(9, 20))
    visit_4 = services.issue_ticket(general, by=PUBLIC, at=at(9, 25))
    services.call(visit_1, desk=one, by=SYSTEM, at=at(9, 10))
    services.start(visit_1, by=SYSTEM, at=at(9, 11))
    services.hold(visit_1, by=SYSTEM, at=at(9, 15))
    services.resume(visit_1, by=SYSTEM, at=at(9, 20))
    services.finish(visit_1, outcome=Outcome.RESOLVED, by=SYSTEM, at=at(9, 30))
    services.call(visit_4, desk=two, by=SYSTEM, at=at(9, 26))
    services.recall(visit_4, by=SYSTEM, at=at(9, 30))
    services.no_show(visit_4, by=SYSTEM, at=at(9, 35))
    services.call(visit_2, desk=two, by=SYSTEM, at=at(9, 30))
    services.start(visit_2, by=SYSTEM, at=at(9, 31))
    services.transfer(visit_2, to_queue=quick, by=SYSTEM, at=at(9, 40))
    services.call(visit_2, desk=one, by=SYSTEM, at=at(9, 45))
    services.start(visit_2, by=SYSTEM, at=at(9, 46))
    services.finish(visit_2, outcome=Outcome.PENDING, by=SYSTEM, at=at(9, 50))
    services.left(visit_3, by=SYSTEM, at=at(10, 0))
    visit_5 = services.issue_ticket(general, by=PUBLIC, at=at(23, 50))
    services.call(visit_5, desk=one, by=SYSTEM, at=at(0, 10, TUESDAY))
    services.start(visit_5, by=SYSTEM, at=at(0, 11, TUESDAY))
    services.finish(visit_5, outcome=Outcome.RESOLVED, by=SYSTEM, at=at(0, 21, TUESDAY))


@pytest.fixture
def network(organization, other_organization):
    """Santiago: Arica with the full log and Temuco with a second service (one visitor, 08:40,
    called 09:12 → wait 32, served 09:13–09:20). Madrid: the same full log in its own zone."""
    owners = {}
    for owner, zone in ((organization, SANTIAGO), (other_organization, MADRID)):
        service = ServiceFactory(organization=owner, code="ATP", name="Atención")
        queues = _branch(owner, "Arica", "arica", service)
        _play(zone, *queues)
        owners[owner.pk] = queues
    extra = ServiceFactory(organization=organization, code="REG", name="Registro")
    general, _quick, one, _two = _branch(organization, "Temuco", "temuco", extra)
    visit = services.issue_ticket(general, by=PUBLIC, at=_at(SANTIAGO, 8, 40))
    services.call(visit, desk=one, by=SYSTEM, at=_at(SANTIAGO, 9, 12))
    services.start(visit, by=SYSTEM, at=_at(SANTIAGO, 9, 13))
    services.finish(visit, outcome=Outcome.RESOLVED, by=SYSTEM, at=_at(SANTIAGO, 9, 20))
    return owners


def test_the_refresh_keeps_one_summary_per_day_branch_queue_and_service(organization, network):
    facts.refresh(organization)
    general, quick, _one, _two = network[organization.pk]
    rows = VisitDaySummary.objects.filter(organization=organization)
    assert rows.count() == 3  # Arica A and B, Temuco A; all on Monday
    assert set(rows.values_list("day", flat=True)) == {DAY}  # visit 5 stays on Monday
    a = rows.get(queue=general)
    assert (a.visits, a.transactions, a.called, a.served) == (5, 5, 4, 3)
    assert (a.no_shows, a.left, a.transferred, a.within_level, a.left_after_level) == (
        1,
        1,
        1,
        2,
        1,
    )
    assert a.wait_seconds == (10 + 25 + 1 + 20) * 60
    assert (a.service_seconds, a.hold_seconds) == ((14 + 9 + 10) * 60, 5 * 60)
    assert unpack_histogram(a.wait_minutes) == {1: 1, 10: 1, 20: 1, 25: 1}
    assert unpack_histogram(a.service_minutes) == {9: 1, 10: 1, 14: 1}
    assert unpack_histogram(a.left_minutes) == {40: 1}
    hours = unpack_hours(a.hours)
    assert sorted(hours) == [9, 23]
    assert (hours[9]["visits"], hours[9]["called"], hours[9]["left"]) == (4, 3, 1)
    assert (hours[23]["visits"], hours[23]["wait_seconds"]) == (1, 20 * 60)
    assert unpack_hour_minutes(a.hour_minutes) == {
        "wait_minutes": {9: {1: 1, 10: 1, 25: 1}, 23: {20: 1}},  # visit 5 at 23 h on Monday
        "left_minutes": {9: {40: 1}},
    }
    # Served at 09 h for 14 and 9 minutes (visits 1 and 2), at 23 h for 10 (visit 5, after
    # midnight, on hold 5 minutes left out).
    assert unpack_hour_minutes(a.hour_service, HOUR_SERVICE) == {
        "service_minutes": {9: {9: 1, 14: 1}, 23: {10: 1}}
    }
    b = rows.get(queue=quick)
    assert (b.visits, b.transactions, b.called, b.served) == (0, 1, 1, 1)
    assert unpack_histogram(b.wait_minutes) == {5: 1}
    assert unpack_hours(b.hours)[9]["transactions"] == 1  # counted at the visit's arrival hour
    # The transfer's wait in B is kept at the visit's arrival hour too.
    assert unpack_hour_minutes(b.hour_minutes) == {"wait_minutes": {9: {5: 1}}, "left_minutes": {}}


def test_rebuilding_a_day_rebuilds_its_summaries(organization, network):
    facts.refresh(organization)
    VisitDaySummary.objects.all().delete()
    assert facts.refresh(organization, days=[TUESDAY]) == 1
    assert not VisitDaySummary.objects.exists()
    facts.refresh(organization, days=[DAY])
    assert VisitDaySummary.objects.filter(organization=organization).count() == 3
    general = network[organization.pk][0]
    late = services.issue_ticket(general, by=PUBLIC, at=_at(SANTIAGO, 16, 0))
    services.left(late, by=SYSTEM, at=_at(SANTIAGO, 16, 3))
    facts.refresh(organization)  # the step's day only
    a = VisitDaySummary.objects.get(queue=general, day=DAY)
    assert (a.visits, a.left) == (6, 2)
    assert unpack_histogram(a.left_minutes) == {3: 1, 40: 1}


def _same(summary: figures.Row, fine: figures.Row) -> None:
    assert dataclasses.asdict(summary) == dataclasses.asdict(fine)


@pytest.mark.parametrize("minutes", [None, 5, 15, 30])
@pytest.mark.parametrize("zone", ["America/Santiago", "Europe/Madrid"])
def test_the_summaries_give_the_figures_of_the_facts(
    organization, other_organization, network, minutes, zone
):
    owner = organization if zone == "America/Santiago" else other_organization
    period = (owner, DAY - dt.timedelta(days=3), TUESDAY)

    def both(**options):
        summary = figures.compute(*period, detail=False, grain="summary", **options)
        fine = figures.compute(*period, detail=False, grain="facts", **options)
        return summary, fine

    for options in ({}, {"branches": [network[owner.pk][0].branch_id]}):
        summary, fine = both(minutes=minutes, **options)
        _same(summary.total, fine.total)
        for name in ("by_branch", "by_service", "by_day"):
            assert len(getattr(summary, name)) == len(getattr(fine, name))
            for got, expected in zip(getattr(summary, name), getattr(fine, name), strict=True):
                _same(got, expected)
        assert summary.by_queue == fine.by_queue == []
        assert summary.by_desk == []
        assert (
            [r.key for r in summary.by_hour]
            == [r.key for r in fine.by_hour]
            == [8, 9, 23][(owner != organization or "branches" in options) :]
        )
        for got, expected in zip(summary.by_hour, fine.by_hour, strict=True):
            _same(got, expected)
        assert summary.hour_service_kept
        assert fine.hour_service_kept
        assert summary.per_hour == fine.per_hour
        assert summary.hours == fine.hours
        assert summary.busiest_day == fine.busiest_day


def test_the_network_figures_by_hand(organization, network):
    """Santiago's two branches: waits 10, 25, 5, 1, 20 (Arica) and 32 (Temuco)."""
    report = figures.compute(organization, DAY, DAY, detail=False)
    total = report.total
    assert (total.visits, total.called, total.served) == (6, 6, 5)
    assert (total.wait_median, total.wait_p90) == (10, 32)  # ranks 3 and 6 of 1 5 10 20 25 32
    assert total.wait_mean == round((10 + 25 + 5 + 1 + 20 + 32) / 6, 1)
    assert total.within == round(100 * 3 / 7, 1)  # 3 within 15 of 6 called + 1 left after 40
    assert [(r.label, r.visits) for r in report.by_branch] == [("Arica", 5), ("Temuco", 1)]
    assert [(r.label, r.visits) for r in report.by_service] == [("Atención", 5), ("Registro", 1)]
    assert [(r.key, r.visits, r.called) for r in report.by_hour] == [
        (8, 1, 1),
        (9, 4, 4),
        (23, 1, 1),
    ]
    assert report.per_hour == {0: {8: 1.0, 9: 4.0, 23: 1.0}}
    assert report.busiest_day == (DAY, 6)
    service = report.by_service[1]
    only = figures.compute(organization, DAY, DAY, detail=False, service=_service(service.key))
    assert (only.total.visits, only.total.wait_median) == (1, 32)


# Hour of arrival → (wait median, P90, % within the level of 15, within 5, within 30), by hand.
# 09 h: waits 1, 5 (the transfer's second queue), 10, 25; visit 3 left after 40 uncalled →
# median rank 2 of 4 = 5, P90 rank 4 = 25; within 15: 3 ÷ (4 + 1) = 60 %, within 5: 2 ÷ 5,
# within 30: 4 ÷ 5. 23 h: visit 5, called after midnight, wait 20. 08 h (Temuco): wait 32.
BY_HAND = {
    8: (32, 32, 0.0, 0.0, 0.0),
    9: (5, 25, 60.0, 40.0, 80.0),
    23: (20, 20, 0.0, 0.0, 100.0),
}


def _hours(report):
    return {r.key: (r.wait_median, r.wait_p90, r.within) for r in report.by_hour}


@pytest.mark.parametrize(("minutes", "column"), [(None, 2), (5, 3), (30, 4)])
def test_the_network_hours_waits_by_hand(
    organization, other_organization, network, minutes, column
):
    """Two branches (Santiago) and one (Madrid, the same log in its own time zone): the hours'
    wait median, P90 and "within X" from the summaries are those computed by hand, and with one
    branch with visits, those of the one-branch page (the daily facts)."""
    expected = {hour: (*values[:2], values[column]) for hour, values in BY_HAND.items()}
    report = figures.compute(organization, DAY, TUESDAY, detail=False, minutes=minutes)
    assert _hours(report) == expected
    network_view = figures.compute(other_organization, DAY, TUESDAY, detail=False, minutes=minutes)
    assert _hours(network_view) == {hour: expected[hour] for hour in (9, 23)}
    arica = network[other_organization.pk][0].branch_id
    one_branch = figures.compute(
        other_organization, DAY, TUESDAY, branches=[arica], detail=True, minutes=minutes
    )
    assert _hours(one_branch) == _hours(network_view)


def test_summaries_built_before_the_hours_service_times_give_none_until_rebuilt(
    organization, network
):
    facts.refresh(organization)
    VisitDaySummary.objects.filter(organization=organization).update(hour_service=None)
    report = figures.compute(organization, DAY, DAY, detail=False, refresh=False)
    assert not report.hour_service_kept
    nine = report.by_hour[1]
    # 09 h in both branches: served 14 and 9 minutes in Arica's A, 4 in its B (visit 2).
    assert (nine.key, nine.wait_median, nine.service_mean) == (9, 5, 9.0)  # (14 + 9 + 4) ÷ 3
    assert (nine.service_median, nine.service_p90) == (None, None)
    assert report.total.service_median == 9  # of 4, 7, 9, 10, 14: the day histograms are whole
    call_command("attention_facts", "--all")
    assert not VisitDaySummary.objects.filter(hour_service=None).exists()
    rebuilt = figures.compute(organization, DAY, DAY, detail=False)
    assert rebuilt.hour_service_kept
    assert [(r.key, r.service_median, r.service_p90) for r in rebuilt.by_hour] == [
        (8, 7, 7),  # Temuco's visitor, 09:13–09:20
        (9, 9, 14),  # ranks 2 and 3 of 4, 9, 14
        (23, 10, 10),  # visit 5, served after midnight
    ]


def test_summaries_built_before_the_hours_waits_give_none_until_rebuilt(organization, network):
    facts.refresh(organization)
    VisitDaySummary.objects.filter(organization=organization).update(hour_minutes=None)
    report = figures.compute(organization, DAY, DAY, detail=False, minutes=30, refresh=False)
    nine = report.by_hour[1]
    assert (nine.key, nine.visits, nine.wait_mean) == (9, 4, 10.2)  # counts and sums still
    assert (nine.wait_median, nine.wait_p90, nine.within) == (None, None, None)
    assert report.total.wait_median == 10  # the day histograms are whole
    call_command("attention_facts", "--all")
    assert not VisitDaySummary.objects.filter(hour_minutes=None).exists()
    assert _hours(figures.compute(organization, DAY, DAY, detail=False, minutes=30))[9] == (
        5,
        25,
        80.0,
    )


def _service(pk):
    from compromiso.catalog.models import Service

    return Service.objects.get(pk=pk)


def test_an_empty_period_reads_no_summary(organization, network):
    report = figures.compute(organization, DAY + dt.timedelta(days=7), DAY + dt.timedelta(days=8))
    assert report.is_empty
    assert report.by_hour == []
    assert report.busiest_day is None
    network_view = figures.compute(
        organization, DAY - dt.timedelta(days=9), DAY - dt.timedelta(days=8), detail=False
    )
    assert network_view.is_empty
    assert network_view.per_hour == {}


def test_histograms_and_hours_are_packed_and_unpacked():
    assert pack_histogram({}) == b""
    assert unpack_histogram(b"") == {}
    assert unpack_histogram(pack_histogram({"3": 2, "0": 1, "7": 0})) == {0: 1, 3: 2}
    assert len(pack_histogram({"3": 2})) == 1 + 4 * 2  # the width, then 0 … 3 minutes
    assert pack_histogram({"1": 70_000})[0] == 4  # too big for 16 bits
    assert unpack_histogram(pack_histogram({BINS + 5: 1})) == {BINS - 1: 1}  # over the cap
    assert pack_hour_minutes({}) == b""
    service = pack_hour_minutes({"service_minutes": {10: {7: 3}}}, HOUR_SERVICE)
    assert unpack_array(service) == (10 * BINS + 7, 3)  # kind 0: key = hour × BINS + minutes
    assert unpack_hour_minutes(service, HOUR_SERVICE) == {"service_minutes": {10: {7: 3}}}
    blob = pack_hour_minutes(
        {"wait_minutes": {9: {"3": 2, 0: 1}, 23: {BINS + 5: 1}}, "left_minutes": {9: {40: 1}}}
    )
    assert len(blob) == 1 + 4 * 2 * 2  # the width, then four (key, count) pairs
    assert unpack_hour_minutes(memoryview(blob)) == {
        "wait_minutes": {9: {0: 1, 3: 2}, 23: {BINS - 1: 1}},  # over the cap
        "left_minutes": {9: {40: 1}},
    }
    counters = list(range(12))
    assert unpack_hours(pack_hours({9: counters}))[9]["service_seconds"] == 11
    assert unpack_hours(memoryview(pack_hours({23: [2**40] * 12})))[23]["visits"] == 2**40


def test_rows_of_every_width_add_up(organization, office, general_queue, service):
    """Counts beyond 16 bits and sums beyond 32 bits are packed wider, and still add up."""
    counters = dict.fromkeys(HOURLY, 0)
    common = {"organization": organization, "branch": office, "queue": general_queue}
    big = counters | {"visits": 70_000, "called": 70_000, "wait_seconds": 2**33}
    VisitDaySummary.objects.create(
        **common,
        day=DAY,
        service=service,
        **big,
        wait_minutes=pack_histogram({3: 70_000}),
        hours=pack_hours({9: [big[name] for name in HOURLY]}),
        hour_minutes=pack_hour_minutes({"wait_minutes": {9: {3: 70_000}}}),
    )
    small = counters | {"visits": 3, "called": 3, "wait_seconds": 180}
    VisitDaySummary.objects.create(
        **common,
        day=TUESDAY,
        service=None,
        **small,
        wait_minutes=pack_histogram({0: 1, 5: 2}),
        hours=pack_hours({9: [small[name] for name in HOURLY], 10: [0] * len(HOURLY)}),
        hour_minutes=pack_hour_minutes({"wait_minutes": {9: {0: 1, 5: 2}}}),
    )
    report = figures.compute(organization, DAY, TUESDAY, detail=False, refresh=False)
    assert (report.total.visits, report.total.called) == (70_003, 70_003)
    assert (report.total.wait_median, report.total.wait_p90) == (3, 3)
    assert [(r.key, r.wait_median, r.wait_p90) for r in report.by_day] == [
        (DAY, 3, 3),
        (TUESDAY, 5, 5),
    ]
    assert [(r.label, r.visits) for r in report.by_service] == [(service.name, 70_000), ("—", 3)]
    nine, ten = report.by_hour
    assert (nine.key, nine.visits, nine.wait_mean) == (
        9,
        70_003,
        round((2**33 + 180) / 60 / 70_003, 1),
    )
    assert (nine.wait_median, nine.wait_p90) == (3, 3)  # rows of 32 and 16 bits, added up
    assert (ten.key, ten.visits, ten.wait_mean, ten.wait_median) == (10, 0, None, None)
    within = figures.compute(organization, DAY, TUESDAY, detail=False, refresh=False, minutes=2)
    assert within.by_hour[0].within == round(100 * 1 / 70_003, 1)  # only the 0-minute wait
    assert report.per_hour == {0: {9: 70_000.0}, 1: {9: 3.0}}
