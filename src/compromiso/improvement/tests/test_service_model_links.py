"""Improvement actions that change the service model: a breached commitment or a complaint
cause proposes a protocol change or training, and the action's effect is checked on protocol
compliance or on training coverage (shares compared with Newcombe's interval)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from compromiso.cases import services as case_services
from compromiso.cases.models import RootCause
from compromiso.core.actors import SYSTEM
from compromiso.improvement import metrics, services
from compromiso.improvement.models import ActionStatus, ImprovementAction
from compromiso.servicemodel import services as servicemodel
from compromiso.servicemodel.tests import protocol_fixtures
from compromiso.servicemodel.tests import training_factories as make
from compromiso.servicemodel.tests.protocol_fixtures import outcomes

pytestmark = pytest.mark.django_db

counter = protocol_fixtures.counter
protocol = protocol_fixtures.protocol
protocol_draft = protocol_fixtures.protocol_draft

START = dt.datetime(2025, 6, 2, 15, tzinfo=dt.UTC)  # 11:00 in Santiago, Monday 2 June


@pytest.fixture
def waiting(organization):
    case_services.install_root_causes(organization, by=SYSTEM)
    return RootCause.objects.get(organization=organization, code="TIE")


def _observe(protocol, touch_point, day, *values):
    servicemodel.record_protocol_check(
        protocol,
        touch_point,
        by=SYSTEM,
        observed_on=day,
        method="supervision",
        results=outcomes(protocol, *values),
    )


def _propose(organization, branch, by, origin, **extra):
    return services.create_action(
        organization,
        by=by,
        title="Reforzar el saludo en mesón",
        description="Repasar el protocolo con el equipo.",
        owner_unit=branch,
        due_date=dt.date(2025, 9, 30),
        origins=[origin],
        **extra,
    )


def _to_checking(action, by):
    for step in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.CHECKING):
        services.move_action(action, step, by=by)


def test_a_complaint_cause_proposes_a_protocol_change_checked_on_protocol_compliance(
    organization, branch, quality_manager, waiting, protocol, counter
):
    # Before: 2 of 6 steps met in the 90 days before the action (one n.a. left out).
    _observe(protocol, counter, dt.date(2025, 4, 10), "met", "not_met", "not_met")
    _observe(protocol, counter, dt.date(2025, 5, 20), "met", "na", "not_met")
    _observe(protocol, counter, dt.date(2025, 1, 5), "met", "met", "met")  # too old
    with time_machine.travel(START, tick=False):
        action = _propose(
            organization,
            branch,
            quality_manager,
            {"root_cause": waiting},
            remedy="protocol",
            remedy_protocol=protocol,
            check_on="protocol",
            touch_points=[counter],
        )
        assert (action.remedy, action.remedy_protocol) == ("protocol", protocol)
        assert (action.metric, action.metric_protocol) == ("protocol", protocol)
        assert (action.baseline_count, action.baseline_whole) == (2, 5)
        assert action.baseline_value == Decimal("40.00")
        assert (action.baseline_start, action.baseline_end) == (
            dt.date(2025, 3, 4),
            dt.date(2025, 6, 1),
        )
        _to_checking(action, quality_manager)
    # After: 8 of 9 met since the action started.
    for day in (dt.date(2025, 6, 10), dt.date(2025, 7, 1), dt.date(2025, 7, 20)):
        _observe(protocol, counter, day, "met", "met", "met" if day.month == 7 else "not_met")
    with time_machine.travel(dt.datetime(2025, 8, 1, 15, tzinfo=dt.UTC), tick=False):
        effect = services.share_effect(action)
        services.record_check(action, effective=True, evidence="8 de 9 pasos.", by=quality_manager)

    action.refresh_from_db()
    assert (action.after_count, action.after_whole, action.after_value) == (8, 9, Decimal("88.89"))
    assert effect == metrics.proportion_change(2, 5, 8, 9)
    assert services.share_effect(action) == effect
    assert action.status == ActionStatus.EFFECTIVE


def test_a_commitment_proposes_training_checked_on_the_share_of_contact_staff_trained(
    organization, branch, quality_manager, waiting
):
    counter_protocol = make.protocol(organization, "Mesón")
    desk = make.touch_point(organization, branch, "in_person", "Mesón Arica")
    people = [make.person(organization, branch, f"p{i}", [desk]) for i in range(4)]
    course = make.programme(organization, "Protocolos", [counter_protocol])
    make.train(course, people[:1], dt.date(2025, 5, 5))
    with time_machine.travel(START, tick=False):
        action = _propose(
            organization,
            branch,
            quality_manager,
            {"root_cause": waiting},
            remedy="training",
            remedy_programme=course,
            check_on="training",
        )
        assert (action.remedy, action.remedy_programme) == ("training", course)
        assert (action.baseline_count, action.baseline_whole) == (1, 4)  # today, 2 June
        _to_checking(action, quality_manager)
    make.train(course, people[1:], dt.date(2025, 6, 20))
    with time_machine.travel(dt.datetime(2025, 7, 1, 15, tzinfo=dt.UTC), tick=False):
        services.record_check(
            action, effective=True, evidence="Todos formados.", by=quality_manager
        )

    action.refresh_from_db()
    assert (action.after_count, action.after_whole, action.after_value) == (4, 4, Decimal("100.00"))
    change = services.share_effect(action)
    assert change is not None
    assert (change.before, change.after) == (25.0, 100.0)
    assert change.difference == pytest.approx(75.0)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"remedy": "protocol"}, "remedy_protocol"),
        ({"remedy": "training"}, "remedy_programme"),
        ({"remedy": "other", "check_on": "attribute"}, "check_on"),
        ({"remedy": "miracle"}, "remedy"),
    ],
)
def test_a_remedy_names_what_it_changes_and_the_effect_a_known_figure(
    organization, branch, quality_manager, waiting, extra, field
):
    with time_machine.travel(START, tick=False), pytest.raises(ValidationError) as refused:
        _propose(organization, branch, quality_manager, {"root_cause": waiting}, **extra)
    assert field in refused.value.message_dict
    assert not ImprovementAction.objects.exists()


def test_a_remedy_of_another_organisation_is_refused(
    organization, other_organization, branch, quality_manager, waiting
):
    foreign_protocol = make.protocol(other_organization, "Ajeno")
    foreign_course = make.programme(other_organization, "Ajeno")
    for extra, field in (
        ({"remedy": "protocol", "remedy_protocol": foreign_protocol}, "remedy_protocol"),
        ({"remedy": "training", "remedy_programme": foreign_course}, "remedy_programme"),
        ({"remedy": "other", "remedy_programme": foreign_course}, "remedy_programme"),
    ):
        with time_machine.travel(START, tick=False), pytest.raises(ValidationError) as refused:
            _propose(organization, branch, quality_manager, {"root_cause": waiting}, **extra)
        assert field in refused.value.message_dict
    assert not ImprovementAction.objects.exists()


def test_the_cause_page_link_proposes_a_protocol_change_and_the_action_page_shows_it(
    client, organization, branch, quality_manager, waiting, protocol, counter
):
    _observe(protocol, counter, dt.date.today() - dt.timedelta(days=10), "met", "not_met", "na")
    client.force_login(quality_manager)
    form = client.get(reverse("improvement:new"), {"root_cause": waiting.pk, "remedy": "protocol"})
    assert form.context["form"].initial["remedy"] == "protocol"

    created = client.post(
        reverse("improvement:new"),
        {
            "title": "Saludo en mesón",
            "description": "Cambiar el paso del saludo.",
            "owner_unit": branch.pk,
            "due_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "effort": "small",
            "root_cause": waiting.pk,
            "remedy": "protocol",
            "remedy_protocol": protocol.pk,
            "check_on": "protocol",
            "touch_points": [counter.pk],
        },
    )

    action = ImprovementAction.objects.get()
    assert created.status_code == 302
    page = client.get(reverse("improvement:detail", args=[action.pk])).content.decode()
    assert reverse("servicemodel:protocol", args=[protocol.pk]) in page
    assert "Cumplimiento observado de un protocolo de atención" in page
    assert "50,0" in page  # baseline: 1 of 2 steps met


def test_the_form_keeps_what_was_typed_when_the_protocol_is_missing(
    client, branch, quality_manager, waiting
):
    client.force_login(quality_manager)
    answer = client.post(
        reverse("improvement:new"),
        {
            "title": "Saludo en mesón",
            "description": "Cambiar el paso del saludo.",
            "owner_unit": branch.pk,
            "due_date": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "effort": "small",
            "root_cause": waiting.pk,
            "remedy": "protocol",
        },
    )

    assert answer.status_code == 200
    assert "Indique qué protocolo cambiará." in answer.content.decode()
    assert "Saludo en mesón" in answer.content.decode()
    assert not ImprovementAction.objects.exists()
