"""Charter commitments measured from the branches' visits and the contact centre: % served
within N minutes, average and median wait, complaints per 1,000 attentions and % of calls
answered within N seconds, each worked out by hand from the event log the test writes."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from compromiso.attention import services as queue
from compromiso.attention.models import (
    Branch,
    Contact,
    ContactInterval,
    ContactKind,
    ContactOutcome,
    Desk,
    Outcome,
    Queue,
)
from compromiso.cases.models import CaseDailyFact
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory
from compromiso.charters import indicators
from compromiso.charters import services as charters
from compromiso.charters.tests import conftest as charter_fixtures
from compromiso.charters.tests.conftest import commit
from compromiso.core.actors import PUBLIC
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

service = charter_fixtures.service
draft = charter_fixtures.draft

SANTIAGO = ZoneInfo("America/Santiago")
MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
APRIL = (dt.date(2025, 4, 1), dt.date(2025, 4, 30))


def at(day, hour, minute, zone=SANTIAGO):
    return dt.datetime(2025, 3, day, hour, minute, tzinfo=zone)


def _branch(organization, unit, service, code="arica"):
    channel = ChannelFactory(organization=organization, kind="in_person", name="Presencial")
    point = TouchPointFactory(organization=organization, unit=unit, channel=channel, name=code)
    office = Branch.objects.create(organization=organization, touch_point=point, code=code)
    general = Queue.objects.create(branch=office, name="General", letter="A")
    quick = Queue.objects.create(branch=office, name="Rápida", letter="B")
    for line in (general, quick):
        line.services.add(service)
    desk = Desk.objects.create(branch=office, name="Módulo 1")
    desk.queues.add(general, quick)
    return office, general, quick, desk


@pytest.fixture
def log(organization, branch, service, officer):
    """Monday 3 March 2025, Santiago, service level 15 minutes. Waits of the called: 10, 25
    (then transferred), 5 (after the transfer), 1 (no-show), 20 (arrived 23:50 on the 31st,
    called after midnight: it counts in March); one visitor left uncalled after 40 minutes.
    Services: 14 (19 minutes with 5 on hold), 9, 4 and 10 minutes — four attentions."""
    office, general, quick, desk = _branch(organization, branch, service)
    one = queue.issue_ticket(general, by=PUBLIC, at=at(3, 9, 0))
    two = queue.issue_ticket(general, by=PUBLIC, at=at(3, 9, 5))
    three = queue.issue_ticket(general, by=PUBLIC, at=at(3, 9, 20))
    four = queue.issue_ticket(general, by=PUBLIC, at=at(3, 9, 25))
    queue.call(one, desk=desk, by=officer, at=at(3, 9, 10))
    queue.start(one, by=officer, at=at(3, 9, 11))
    queue.hold(one, by=officer, at=at(3, 9, 15))
    queue.resume(one, by=officer, at=at(3, 9, 20))
    queue.finish(one, outcome=Outcome.RESOLVED, by=officer, at=at(3, 9, 30))
    queue.call(four, desk=desk, by=officer, at=at(3, 9, 26))
    queue.no_show(four, by=officer, at=at(3, 9, 35))
    queue.call(two, desk=desk, by=officer, at=at(3, 9, 30))
    queue.start(two, by=officer, at=at(3, 9, 31))
    queue.transfer(two, to_queue=quick, by=officer, at=at(3, 9, 40))
    queue.call(two, desk=desk, by=officer, at=at(3, 9, 45))
    queue.start(two, by=officer, at=at(3, 9, 46))
    queue.finish(two, outcome=Outcome.PENDING, by=officer, at=at(3, 9, 50))
    queue.left(three, by=officer, at=at(3, 10, 0))
    five = queue.issue_ticket(general, by=PUBLIC, at=at(31, 23, 50))
    april = dt.datetime(2025, 4, 1, 0, 10, tzinfo=SANTIAGO)
    queue.call(five, desk=desk, by=officer, at=april)
    queue.start(five, by=officer, at=april + dt.timedelta(minutes=1))
    queue.finish(five, outcome=Outcome.RESOLVED, by=officer, at=april + dt.timedelta(minutes=11))
    return office


def _commitment(draft, quality_manager, service, source, **extra):
    return commit(
        draft,
        quality_manager,
        service,
        text="Le atendemos en 15 minutos.",
        indicator=source,
        source=source,
        threshold_days=None,
        case_kind="",
        target=80,
        **extra,
    )


def test_share_served_within_n_minutes(draft, quality_manager, service, log):
    within = _commitment(draft, quality_manager, service, "attention_within", threshold_minutes=15)
    value = indicators.measure(within, *MARCH)
    assert value == indicators.Value(Decimal("50.00"), Decimal(3), Decimal(6), 6)
    assert within.unit_symbol == "%"
    within.threshold_minutes = 30  # 5 called within 30 ÷ (5 + the one who left after 40)
    assert indicators.measure(within, *MARCH).value == Decimal("83.33")


def test_mean_and_median_wait(draft, quality_manager, service, log):
    mean = _commitment(draft, quality_manager, service, "attention_mean_wait", comparator="lte")
    median = _commitment(draft, quality_manager, service, "attention_median_wait", comparator="lte")
    assert indicators.measure(mean, *MARCH).value == Decimal("12.20")  # 61 minutes ÷ 5
    assert indicators.measure(median, *MARCH).value == Decimal("10.00")  # 1 5 [10] 20 25
    with translation.override("en"):
        assert mean.unit_symbol == "minutes"


def test_complaints_per_thousand_attentions(organization, draft, quality_manager, service, log):
    CaseDailyFact.objects.create(
        organization=organization,
        day=dt.date(2025, 3, 4),
        kind="complaint",
        service=service,
        received=2,
    )
    CaseDailyFact.objects.create(  # an inquiry is not a complaint
        organization=organization,
        day=dt.date(2025, 3, 4),
        kind="inquiry",
        service=service,
        received=7,
    )
    rate = _commitment(
        draft, quality_manager, service, "attention_complaints_per_1000", comparator="lte"
    )
    value = indicators.measure(rate, *MARCH, refresh=True)
    assert value.value == Decimal("500.00")  # 2 complaints ÷ 4 attentions × 1,000
    assert (value.numerator, value.denominator) == (Decimal(2), Decimal(4))


def test_no_visits_is_no_data_not_zero(draft, quality_manager, service, log):
    for source, extra in (
        ("attention_within", {"threshold_minutes": 15}),
        ("attention_mean_wait", {}),
        ("attention_median_wait", {}),
        ("attention_complaints_per_1000", {}),
    ):
        commitment = _commitment(draft, quality_manager, service, source, **extra)
        assert indicators.measure(commitment, *APRIL) == indicators.NO_DATA, source


def test_the_touch_point_narrows_to_one_branch(
    organization, draft, quality_manager, service, log, other_branch
):
    elsewhere = TouchPointFactory(organization=organization, unit=other_branch, name="Temuco")
    here = _commitment(
        draft,
        quality_manager,
        service,
        "attention_within",
        threshold_minutes=15,
        touch_point=log.touch_point,
    )
    there = _commitment(
        draft,
        quality_manager,
        service,
        "attention_within",
        threshold_minutes=15,
        touch_point=elsewhere,
    )
    assert indicators.measure(here, *MARCH).value == Decimal("50.00")
    assert indicators.measure(there, *MARCH) == indicators.NO_DATA


def test_calls_within_n_seconds_from_intervals(organization, draft, quality_manager, service):
    """The worked example of research §G: 1,000 answered, 860 within 20 s, 60 abandoned of
    which 20 were short abandons → 860 ÷ 1,040."""
    ContactInterval.objects.create(
        organization=organization,
        line="101",
        starts_at=at(3, 9, 0),
        threshold_seconds=20,
        offered=1060,
        answered=1000,
        answered_within=860,
        abandoned=60,
        short_abandoned=20,
    )
    ContactInterval.objects.create(  # another threshold: not this commitment's
        organization=organization,
        line="101",
        starts_at=at(3, 9, 30),
        threshold_seconds=30,
        answered=10,
        answered_within=0,
    )
    calls = _commitment(draft, quality_manager, service, "calls_within", threshold_seconds=20)
    value = indicators.measure(calls, *MARCH)
    assert value.value == Decimal("82.69")
    assert (value.numerator, value.denominator) == (Decimal(860), Decimal(1040))
    assert indicators.measure(calls, *APRIL) == indicators.NO_DATA


def test_calls_within_n_seconds_from_logged_calls(organization, draft, quality_manager, service):
    for wait, outcome in ((10, "resolved"), (30, "answered"), (20, "resolved"), (50, "abandoned")):
        Contact.objects.create(
            organization=organization,
            kind=ContactKind.PHONE,
            started_at=at(5, 11, 0),
            wait_seconds=wait,
            outcome=ContactOutcome(outcome),
        )
    Contact.objects.create(  # a chat is not a call
        organization=organization,
        kind=ContactKind.CHAT,
        started_at=at(5, 11, 0),
        wait_seconds=1,
        outcome=ContactOutcome.RESOLVED,
    )
    calls = _commitment(draft, quality_manager, service, "calls_within", threshold_seconds=20)
    assert indicators.measure(calls, *MARCH).value == Decimal("50.00")  # 2 ÷ (3 + 1)


@pytest.mark.parametrize(
    ("source", "field"),
    [("attention_within", "threshold_minutes"), ("calls_within", "threshold_seconds")],
)
def test_the_threshold_is_required(draft, quality_manager, service, source, field):
    with pytest.raises(ValidationError) as error:
        _commitment(draft, quality_manager, service, source)
    assert field in error.value.message_dict


@pytest.mark.parametrize("zone", ["America/Santiago", "Europe/Madrid"])
def test_the_period_follows_the_organisation_s_time_zone(
    other_organization, organization, quality_manager, outsider, zone
):
    """23:30 on 31 March, local time, is April in UTC in Santiago (UTC−3) and still March in
    Madrid (UTC+2): both count in March, none in April."""
    owner, by = (
        (organization, quality_manager)
        if zone == "America/Santiago"
        else (other_organization, outsider)
    )
    unit = UnitFactory(organization=owner, name="Oficina", kind="branch")
    local_service = ServiceFactory(organization=owner, provider_unit=unit, name="Padrón")
    _office, general, _quick, desk = _branch(owner, unit, local_service, code="oac")
    staff = by
    charter = charters.create_charter(
        owner,
        by=by,
        title="Carta",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        services=[local_service],
    )
    visit = queue.issue_ticket(general, by=PUBLIC, at=at(31, 23, 30, ZoneInfo(zone)))
    queue.call(visit, desk=desk, by=staff, at=at(31, 23, 38, ZoneInfo(zone)))
    commitment = _commitment(charter, by, local_service, "attention_within", threshold_minutes=15)
    assert indicators.measure(commitment, *MARCH).value == Decimal("100.00")
    assert indicators.measure(commitment, *APRIL) == indicators.NO_DATA
