"""Charter commitments measured on the service model's own figures: the compliance observed
with the attention protocols, and the share of contact staff trained in the protocols of their
touch point. Expected values are worked out by hand from the rows each test writes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compromiso.charters import indicators
from compromiso.charters.tests import conftest as charter_fixtures
from compromiso.charters.tests.conftest import commit
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services as servicemodel
from compromiso.servicemodel.tests import protocol_fixtures
from compromiso.servicemodel.tests import training_factories as make
from compromiso.servicemodel.tests.protocol_fixtures import outcomes

pytestmark = pytest.mark.django_db

counter = protocol_fixtures.counter
phone = protocol_fixtures.phone
protocol = protocol_fixtures.protocol
protocol_draft = protocol_fixtures.protocol_draft

service = charter_fixtures.service
draft = charter_fixtures.draft

MARCH = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def _observe(protocol, touch_point, day, *values):
    return servicemodel.record_protocol_check(
        protocol,
        touch_point,
        by=SYSTEM,
        observed_on=day,
        method="supervision",
        results=outcomes(protocol, *values),
    )


def _compliance_commitment(draft, quality_manager, service, **extra):
    return commit(
        draft,
        quality_manager,
        service,
        text="Le atendemos siguiendo nuestro protocolo.",
        indicator="% de pasos del protocolo cumplidos",
        source="protocol_compliance",
        threshold_days=None,
        case_kind="",
        target=90,
        **extra,
    )


def test_protocol_compliance_counts_steps_met_of_those_observed_leaving_out_not_applicable(
    draft, quality_manager, service, protocol, counter
):
    _observe(protocol, counter, dt.date(2025, 3, 5), "met", "met", "not_met")
    _observe(protocol, counter, dt.date(2025, 3, 20), "met", "na", "not_met")
    _observe(protocol, counter, dt.date(2025, 4, 1), "not_met", "not_met", "not_met")  # April
    commitment = _compliance_commitment(draft, quality_manager, service, protocol=protocol)

    value = indicators.measure(commitment, *MARCH)

    # Met: 2 + 1 = 3; applicable: 3 + 2 = 5 (one not applicable left out); April not counted.
    assert value == indicators.Value(Decimal("60.00"), Decimal(3), Decimal(5), 5)


def test_protocol_compliance_narrows_to_the_touch_point_or_the_channel_of_the_commitment(
    draft, quality_manager, service, protocol, counter, phone
):
    servicemodel.set_protocol_override(protocol, phone, applies=True, by=SYSTEM)
    _observe(protocol, counter, dt.date(2025, 3, 5), "met", "met", "met")
    _observe(protocol, phone, dt.date(2025, 3, 6), "not_met", "met", "not_met")
    at_counter = _compliance_commitment(draft, quality_manager, service, touch_point=counter)
    by_phone = _compliance_commitment(draft, quality_manager, service, channel=phone.channel)
    everywhere = _compliance_commitment(draft, quality_manager, service)

    assert indicators.measure(at_counter, *MARCH).value == Decimal("100.00")
    assert indicators.measure(by_phone, *MARCH).value == Decimal("33.33")  # 1 of 3
    assert indicators.measure(everywhere, *MARCH).value == Decimal("66.67")  # 4 of 6


def test_protocol_compliance_without_observations_is_no_data_not_zero(
    draft, quality_manager, service, protocol, counter
):
    _observe(protocol, counter, dt.date(2025, 3, 5), "na", "na", "na")
    commitment = _compliance_commitment(draft, quality_manager, service, protocol=protocol)

    assert indicators.measure(commitment, *MARCH) == indicators.NO_DATA
    assert indicators.measure(commitment, dt.date(2025, 5, 1), dt.date(2025, 5, 31)).value is None


def test_only_a_protocol_compliance_indicator_names_a_protocol_and_only_of_its_organisation(
    draft, quality_manager, service, protocol, other_organization
):
    with pytest.raises(ValidationError) as refused:
        commit(draft, quality_manager, service, protocol=protocol)  # a case indicator
    assert "protocol" in refused.value.message_dict

    foreign = make.protocol(other_organization, "Atención ajena")
    with pytest.raises(ValidationError) as refused:
        _compliance_commitment(draft, quality_manager, service, protocol=foreign)
    assert "protocol" in refused.value.message_dict


def test_training_coverage_is_the_share_of_contact_staff_trained_on_the_last_day_of_the_period(
    organization, branch, draft, quality_manager, service
):
    counter_protocol = make.protocol(organization, "Mesón")
    desk = make.touch_point(organization, branch, "in_person", "Mesón Arica")
    people = [make.person(organization, branch, f"p{i}", [desk]) for i in range(3)]
    make.person(organization, branch, "back", [desk], role="back_office")  # not counted
    course = make.programme(organization, "Protocolos", [counter_protocol])
    make.train(course, people[:2], dt.date(2025, 3, 10))
    commitment = commit(
        draft,
        quality_manager,
        service,
        text="Todo nuestro personal de atención está formado.",
        indicator="% del personal formado en los protocolos",
        source="training_coverage",
        threshold_days=None,
        case_kind="",
        target=100,
    )

    march = indicators.measure(commitment, *MARCH)
    february = indicators.measure(commitment, dt.date(2025, 2, 1), dt.date(2025, 2, 28))

    assert march == indicators.Value(Decimal("66.67"), Decimal(2), Decimal(3), 3)
    # Before the session nobody was trained: a real 0 %, not missing data.
    assert february == indicators.Value(Decimal("0.00"), Decimal(0), Decimal(3), 3)


def test_the_commitment_form_offers_the_protocols_in_force_and_saves_one(
    client, quality_manager, draft, service, protocol, counter
):
    client.force_login(quality_manager)
    fields = {
        "service": service.pk,
        "touch_point": counter.pk,
        "text": "Le atendemos siguiendo nuestro protocolo.",
        "indicator": "% de pasos cumplidos",
        "source": "protocol_compliance",
        "protocol": protocol.pk,
        "comparator": "gte",
        "target": "90",
        "periodicity": "quarterly",
    }

    form = client.get(reverse("charters:commitment_new", args=[draft.pk]))
    saved = client.post(reverse("charters:commitment_new", args=[draft.pk]), fields)
    refused = client.post(
        reverse("charters:commitment_new", args=[draft.pk]), {**fields, "target": "120"}
    )

    assert protocol.name in form.content.decode()
    assert saved.status_code == 302
    commitment = draft.commitments.get()
    assert (commitment.protocol, commitment.touch_point) == (protocol, counter)
    assert refused.status_code == 200
    assert "no puede superar 100" in refused.content.decode()
    assert draft.commitments.count() == 1
