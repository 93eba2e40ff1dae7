"""Indicator formulas on hand-computed data, periods, compliance, and the computation from real
cases: change a case's answer date and the next computation changes the published figure."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from compromiso.cases import services as case_services
from compromiso.cases.models import Case, CaseDailyFact
from compromiso.charters import indicators, periods, services
from compromiso.charters.models import Compliance, Measurement
from compromiso.charters.tests.conftest import commit
from compromiso.core.actors import PUBLIC

pytestmark = pytest.mark.django_db
SANTIAGO = ZoneInfo("America/Santiago")


def test_periods_are_calendar_months_quarters_and_years():
    assert periods.period_containing("monthly", dt.date(2025, 2, 14)) == (
        dt.date(2025, 2, 1),
        dt.date(2025, 2, 28),
    )
    assert periods.period_containing("quarterly", dt.date(2025, 11, 30)) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert periods.period_containing("yearly", dt.date(2024, 2, 29)) == (
        dt.date(2024, 1, 1),
        dt.date(2024, 12, 31),
    )


def test_only_ended_periods_are_measured_and_the_validity_cuts_them():
    found = periods.closed_periods(
        "quarterly", dt.date(2025, 2, 15), dt.date(2026, 2, 14), dt.date(2025, 10, 1)
    )

    assert found == [
        (dt.date(2025, 2, 15), dt.date(2025, 3, 31)),
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
    ]


def test_no_value_is_neither_met_nor_failed():
    assert periods.is_met(None, "gte", Decimal(90)) is None
    assert periods.is_met(Decimal(90), "gte", Decimal(90)) is True
    assert periods.is_met(Decimal("5.5"), "lte", Decimal(5)) is False


def _fact(organization, service, day, **counts):
    return CaseDailyFact.objects.create(
        organization=organization, day=day, kind="complaint", service=service, **counts
    )


@pytest.fixture
def march(organization, service):
    """March 2025: 10 complaints answered, after 2, 5, 5, 8, 10, 11, 12, 15, 20, 30 business
    days; 7 within the legal deadline; 8 acknowledged, 6 on time; 12 received; 4 ratings
    whose handling averages sum to 15."""
    _fact(
        organization,
        service,
        dt.date(2025, 3, 10),
        received=7,
        answered=4,
        answered_on_time=4,
        acknowledged=5,
        acknowledged_on_time=4,
        rated=3,
        handling_sum=11.0,
        answer_days={"2": 1, "5": 2, "8": 1},
    )
    _fact(
        organization,
        service,
        dt.date(2025, 3, 28),
        received=5,
        answered=6,
        answered_on_time=3,
        acknowledged=3,
        acknowledged_on_time=2,
        rated=1,
        handling_sum=4.0,
        answer_days={"10": 1, "11": 1, "12": 1, "15": 1, "20": 1, "30": 1},
    )
    # Outside the period or of another kind: never counted.
    _fact(organization, service, dt.date(2025, 4, 1), answered=9, answer_days={"1": 9})
    CaseDailyFact.objects.create(
        organization=organization,
        day=dt.date(2025, 3, 11),
        kind="suggestion",
        service=service,
        answered=3,
        answer_days={"1": 3},
    )


@pytest.mark.parametrize(
    ("source", "extra", "value", "n"),
    [
        ("cases_within_days", {"threshold_days": 10}, Decimal("50.00"), 10),  # 5 of 10
        ("cases_within_days", {"threshold_days": 1}, Decimal("0.00"), 10),
        ("cases_on_time", {}, Decimal("70.00"), 10),  # 7 of 10
        ("cases_median_days", {}, Decimal("10.00"), 10),  # 5th of 10 sorted values
        ("cases_acknowledged", {}, Decimal("75.00"), 8),  # 6 of 8
        ("cases_received", {}, Decimal("12"), 12),
        ("cases_handling", {}, Decimal("3.75"), 4),  # 15 / 4
    ],
)
def test_each_formula_on_hand_computed_facts(
    draft, quality_manager, service, march, source, extra, value, n
):
    commitment = commit(draft, quality_manager, service, source=source, **extra)

    result = indicators.measure(commitment, dt.date(2025, 3, 1), dt.date(2025, 3, 31))

    assert result.value == value
    assert result.n == n


@pytest.mark.parametrize(
    "source", ["cases_within_days", "cases_on_time", "cases_median_days", "cases_handling"]
)
def test_a_period_without_data_gives_no_value_not_zero(draft, quality_manager, service, source):
    commitment = commit(draft, quality_manager, service, source=source)

    result = indicators.measure(commitment, dt.date(2025, 3, 1), dt.date(2025, 3, 31))

    assert result.value is None
    assert result.n == 0


def test_a_count_of_zero_is_data(draft, quality_manager, service):
    commitment = commit(
        draft, quality_manager, service, source="cases_received", comparator="lte", target=5
    )

    result = indicators.measure(commitment, dt.date(2025, 3, 1), dt.date(2025, 3, 31))

    assert result.value == 0


def test_a_channel_narrows_the_indicator(organization, draft, quality_manager, service, web):
    CaseDailyFact.objects.create(
        organization=organization,
        day=dt.date(2025, 3, 3),
        kind="complaint",
        service=service,
        channel=web,
        answered=2,
        answered_on_time=1,
    )
    _fact(organization, service, dt.date(2025, 3, 3), answered=2, answered_on_time=2)
    commitment = commit(draft, quality_manager, service, source="cases_on_time", channel=web)

    result = indicators.measure(commitment, dt.date(2025, 3, 1), dt.date(2025, 3, 31))

    assert result.value == Decimal("50.00")


def _answered_complaint(organization, service, web, officer, received, answered):
    case, _secret = case_services.receive_case(
        organization=organization,
        kind="complaint",
        channel=web,
        service=service,
        subject="Demora",
        description="Nadie me responde.",
        requester_name="Ana",
        received_at=received,
        by=PUBLIC,
    )
    with time_machine.travel(answered, tick=False):
        case_services.answer_case(case, answer="Le respondemos.", by=officer)
    return Case.objects.get(pk=case.pk)


def test_measurements_come_from_the_cases_and_follow_a_changed_answer_date(
    organization, published, service, web, officer, quality_manager
):
    # Received Monday 3 March 2025, answered Friday 7 March: 4 business days.
    case = _answered_complaint(
        organization,
        service,
        web,
        officer,
        dt.datetime(2025, 3, 3, 10, tzinfo=SANTIAGO),
        dt.datetime(2025, 3, 7, 10, tzinfo=SANTIAGO),
    )
    services.compute_measurements(organization, today=dt.date(2025, 4, 15))
    march = Measurement.objects.get(period_start=dt.date(2025, 3, 1))
    assert (march.value, march.n, march.compliance) == (Decimal("100.00"), 1, Compliance.MET)
    february = Measurement.objects.get(period_start=dt.date(2025, 2, 1))
    assert (february.value, february.compliance) == (None, Compliance.NO_DATA)

    # The answer really went out on 31 March: 20 business days, beyond the 10 promised.
    case_services.correct_answer_date(
        case, answered_at=dt.datetime(2025, 3, 31, 10, tzinfo=SANTIAGO), by=quality_manager
    )
    services.compute_measurements(organization, today=dt.date(2025, 4, 15))

    march.refresh_from_db()
    assert (march.value, march.compliance) == (Decimal("0.00"), Compliance.NOT_MET)


def test_recomputing_is_idempotent_and_a_breach_is_notified_once(
    organization, published, service, web, officer, unit_head, django_capture_on_commit_callbacks
):
    _answered_complaint(
        organization,
        service,
        web,
        officer,
        dt.datetime(2025, 3, 3, 10, tzinfo=SANTIAGO),
        dt.datetime(2025, 4, 1, 10, tzinfo=SANTIAGO),
    )
    unit_head.email = "jefa@servicio.example"
    unit_head.save()

    with django_capture_on_commit_callbacks(execute=True):
        first = services.compute_measurements(organization, today=dt.date(2025, 5, 15))
    rows = list(Measurement.objects.values_list("period_start", "value", "compliance"))
    with django_capture_on_commit_callbacks(execute=True):
        second = services.compute_measurements(organization, today=dt.date(2025, 5, 15))

    assert first["written"] == second["written"] == 4  # January to April
    assert list(Measurement.objects.values_list("period_start", "value", "compliance")) == rows
    assert (first["breaches"], second["breaches"]) == (1, 0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jefa@servicio.example", "quality@example.org"]
    assert "Respondemos sus reclamos" in mail.outbox[0].body


def test_drafts_are_not_measured(organization, draft, quality_manager, service):
    commit(draft, quality_manager, service)

    assert services.compute_measurements(organization, today=dt.date(2025, 6, 1))["written"] == 0
