"""Protocol compliance against hand-computed figures: met / (met + not met), n.a. left out, no
value (never 0 %) without applicable items."""

import datetime as dt
from decimal import Decimal

import pytest

from compromiso.core.actors import SYSTEM
from compromiso.organizations.models import Unit
from compromiso.servicemodel import services
from compromiso.servicemodel.compliance import Share, compliance_table, protocol_compliance
from compromiso.servicemodel.models import ProtocolStep
from compromiso.servicemodel.tests.protocol_fixtures import outcomes

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


def _observe(observed, touch_point, day, *values):
    return services.record_protocol_check(
        observed,
        touch_point,
        by=SYSTEM,
        observed_on=day,
        method="audit",
        results=outcomes(observed, *values),
    )


def test_no_observation_gives_no_value_never_zero(organization, protocol):
    share = protocol_compliance(organization, START, END)

    assert share == Share(0, 0, 0)
    assert share.value is None
    assert share.percent is None


def test_only_not_applicable_items_give_no_value_but_count_the_observation(
    organization, protocol, counter
):
    _observe(protocol, counter, dt.date(2026, 10, 5), "na", "na", "na")

    share = protocol_compliance(organization, START, END)
    assert (share.numerator, share.denominator, share.observations) == (0, 0, 1)
    assert share.value is None


def test_repeated_observations_add_up_and_not_applicable_is_left_out(
    organization, protocol, counter, phone, branch, other_branch
):
    services.set_protocol_override(protocol, phone, by=SYSTEM, applies=True)
    _observe(protocol, counter, dt.date(2026, 10, 1), "met", "not_met", "na")  # 1 of 2
    _observe(protocol, counter, dt.date(2026, 10, 1), "met", "met", "met")  # 3 of 3, same day
    _observe(protocol, phone, dt.date(2026, 10, 31), "not_met", "not_met", "met")  # 1 of 3
    _observe(protocol, counter, dt.date(2026, 9, 30), "met", "met", "met")  # before the period
    _observe(protocol, phone, dt.date(2026, 11, 1), "not_met", "na", "na")  # after it

    whole = protocol_compliance(organization, START, END)
    assert (whole.numerator, whole.denominator, whole.observations) == (5, 8, 3)
    assert whole.value == Decimal("62.50")
    assert whole.percent == 63
    at_counter = protocol_compliance(organization, START, END, touch_point=counter)
    assert (at_counter.numerator, at_counter.denominator, at_counter.value) == (
        4,
        5,
        Decimal("80.00"),
    )
    in_temuco = protocol_compliance(organization, START, END, unit=other_branch)
    assert in_temuco.value == Decimal("33.33")
    assert protocol_compliance(organization, START, END, protocol=protocol) == whole

    table = compliance_table(
        organization,
        START,
        END,
        touch_points=counter.__class__.objects.all(),
        units=Unit.objects.filter(organization=organization).order_by("path"),
    )
    assert table.total == whole
    assert {
        r.subject.name: (r.share.numerator, r.share.denominator) for r in table.touch_points
    } == {
        "Mesón Arica": (4, 5),
        "Fono Temuco": (1, 3),
    }
    region = branch.parent
    units = {r.subject.pk: r.share for r in table.units}
    assert units[region.pk] == Share(4, 5, 2)  # the region's subtree holds the Arica branch
    assert units[other_branch.pk] == Share(1, 3, 1)
    assert [(r.share.numerator, r.share.denominator) for r in table.protocols] == [(5, 8)]
    steps = list(ProtocolStep.objects.filter(protocol=protocol).order_by("order"))
    by_step = {r.subject.pk: (r.share, r.items) for r in table.steps}
    assert by_step[steps[0].pk] == (Share(2, 3, 3), 3)  # 66.67 %
    assert by_step[steps[1].pk] == (Share(1, 3, 3), 3)  # 33.33 %: fails most
    assert by_step[steps[2].pk] == (Share(2, 2, 3), 3)  # one n.a. left out
    assert [r.subject.pk for r in table.steps] == [steps[1].pk, steps[0].pk, steps[2].pk]


def test_the_table_shows_only_the_touch_points_given(organization, protocol, counter, phone):
    services.set_protocol_override(protocol, phone, by=SYSTEM, applies=True)
    _observe(protocol, counter, dt.date(2026, 10, 2), "met", "met", "met")
    _observe(protocol, phone, dt.date(2026, 10, 2), "not_met", "not_met", "not_met")

    table = compliance_table(
        organization,
        START,
        END,
        touch_points=counter.__class__.objects.filter(pk=counter.pk),
        units=[],
    )
    assert table.total == Share(3, 3, 1)
    assert [r.subject for r in table.touch_points] == [counter]
