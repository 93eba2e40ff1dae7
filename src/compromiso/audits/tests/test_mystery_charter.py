"""A charter commitment measured by mystery shopping ("we greet and identify ourselves at every
counter"): its indicator is protocol compliance restricted to the observations of mystery
shoppers, and the measurement computed for the period equals the steps met ÷ steps applicable
of the round's visits, worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from compromiso.audits.tests import mystery_fixtures
from compromiso.audits.tests.mystery_fixtures import ALL_MET, visit_at
from compromiso.audits.tests.test_mystery_services import record
from compromiso.charters import indicators
from compromiso.charters import services as charters
from compromiso.charters.models import Compliance, Measurement
from compromiso.charters.tests.conftest import commit, fill_sections
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services as servicemodel
from compromiso.servicemodel.tests.protocol_fixtures import outcomes

pytestmark = pytest.mark.django_db

counter = mystery_fixtures.counter
phone = mystery_fixtures.phone
protocol = mystery_fixtures.protocol
protocol_draft = mystery_fixtures.protocol_draft
certificates = mystery_fixtures.certificates
counter_scenario = mystery_fixtures.counter_scenario
phone_scenario = mystery_fixtures.phone_scenario
mystery_round = mystery_fixtures.mystery_round
scheduled = mystery_fixtures.scheduled

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


@pytest.fixture
def charter(organization, quality_manager, certificates):
    return charters.create_charter(
        organization,
        by=quality_manager,
        title="Carta de servicios",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        services=[certificates],
    )


def greeting(charter, by, service, **extra):
    return commit(
        charter,
        by,
        service,
        text="Le saludamos y nos identificamos en cada mesón.",
        indicator="% de pasos del protocolo presencial cumplidos (cliente incógnito)",
        source="protocol_compliance",
        threshold_days=None,
        case_kind="",
        target=90,
        **extra,
    )


def _visits(scheduled, auditor, protocol, counter):
    """Three mystery visits at the counter, and a supervisor's observation that must not count."""
    record(visit_at(scheduled, counter, 0), auditor, protocol, "met", "met", "not_met", day=3)
    record(visit_at(scheduled, counter, 1), auditor, protocol, "met", "na", "met", day=6)
    record(visit_at(scheduled, counter, 2), auditor, protocol, "not_met", "met", "met", day=10)
    servicemodel.record_protocol_check(
        protocol,
        counter,
        by=SYSTEM,
        observed_on=dt.date(2026, 3, 11),
        method="supervision",
        results=outcomes(protocol, "met", "met", "met"),
    )


def test_a_commitment_counts_only_the_mystery_shoppers_observations(
    charter, quality_manager, certificates, scheduled, auditor, protocol, counter
):
    _visits(scheduled, auditor, protocol, counter)
    mystery = greeting(
        charter, quality_manager, certificates, channel=counter.channel, check_method="mystery"
    )
    any_method = greeting(charter, quality_manager, certificates, channel=counter.channel)

    # Mystery visits: met 2 + 2 + 2 = 6 of applicable 3 + 2 + 3 = 8 → 75 %.
    assert indicators.measure(mystery, *MARCH) == indicators.Value(
        Decimal("75.00"), Decimal(6), Decimal(8), 8
    )
    # With the supervisor's 3 of 3: 9 of 11.
    assert indicators.measure(any_method, *MARCH).value == Decimal("81.82")


def test_the_measurement_of_the_period_equals_the_rounds_visits_by_hand(
    organization, charter, quality_manager, certificates, scheduled, auditor, protocol, counter
):
    commitment = greeting(
        charter, quality_manager, certificates, touch_point=counter, check_method="mystery"
    )
    fill_sections(charter, quality_manager)
    charters.submit_for_review(charter, by=quality_manager)
    charters.approve_charter(charter, by=quality_manager, reference="Resolución 7")
    with time_machine.travel(dt.datetime(2026, 1, 2, 12, tzinfo=dt.UTC), tick=False):
        charters.publish_charter(charter, by=quality_manager)
    _visits(scheduled, auditor, protocol, counter)

    charters.compute_measurements(organization, today=dt.date(2026, 4, 2))

    march = Measurement.objects.get(commitment=commitment, period_start=MARCH[0])
    assert (march.numerator, march.denominator, march.value) == (
        Decimal(6),
        Decimal(8),
        Decimal("75.00"),
    )
    assert march.compliance == Compliance.NOT_MET  # target 90 %
    february = Measurement.objects.get(commitment=commitment, period_start=dt.date(2026, 2, 1))
    assert february.value is None  # no mystery visit: no data, never 0 %


def test_only_a_protocol_compliance_indicator_is_narrowed_to_a_way_of_observing(
    charter, quality_manager, certificates
):
    with pytest.raises(ValidationError) as refused:
        commit(charter, quality_manager, certificates, check_method="mystery")
    assert "check_method" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        greeting(charter, quality_manager, certificates, check_method="telepathy")
    assert "check_method" in refused.value.message_dict


def test_the_answers_of_the_scenario_do_not_count_in_protocol_compliance(
    charter, quality_manager, certificates, scheduled, auditor, protocol, counter
):
    answers = {**ALL_MET, "outcome": ("not_met", "Sin certificado.")}
    record(visit_at(scheduled, counter), auditor, protocol, "met", "met", "met", answers=answers)
    commitment = greeting(charter, quality_manager, certificates, check_method="mystery")

    assert indicators.measure(commitment, *MARCH).value == Decimal("100.00")
