"""Attention protocols: drafting, putting in force, retiring, overrides, the checklist and
recording observations, with who may do each."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.core.actors import SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.servicemodel import services
from compromiso.servicemodel.applicability import protocols_at
from compromiso.servicemodel.checklists import checklist_for_touch_point
from compromiso.servicemodel.models import ProtocolCheck, ProtocolStatus, StepResult
from compromiso.servicemodel.services import ProtocolError, StepInput
from compromiso.servicemodel.tests.protocol_fixtures import STEPS, outcomes

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 10)


def _steps(of):
    return [
        StepInput(s.behaviour, s.standard, {v.channel_kind: v.text for v in s.variants.all()}, s.pk)
        for s in of.steps.all()
    ]


def test_a_new_protocol_is_a_draft_with_its_steps_and_variants_in_order(protocol_draft):
    assert protocol_draft.status == ProtocolStatus.DRAFT
    steps = list(protocol_draft.steps.all())
    assert [s.order for s in steps] == [1, 2, 3]
    assert steps[0].behaviour == "Saludar e identificarse"
    assert {v.channel_kind: v.text for v in steps[0].variants.all()} == {
        "in_person": "Se pone de pie y mira a la persona.",
        "phone": "Dice su nombre y unidad.",
    }
    assert AuditEntry.objects.filter(action="servicemodel.protocol.created").count() == 1


def test_a_protocol_without_steps_cannot_be_put_in_force(organization):
    empty = services.create_protocol(organization, by=SYSTEM, name="Vacío", channel_kind="web")
    with pytest.raises(ProtocolError):
        services.activate_protocol(empty, by=SYSTEM)


def test_protocols_are_the_whole_organisations_edited_and_put_in_force_by_quality_managers(
    organization, viewer, unit_head, quality_manager
):
    for someone in (viewer, unit_head):
        with pytest.raises(PermissionDenied):
            services.create_protocol(organization, by=someone, name="X", steps=STEPS)
    draft = services.create_protocol(organization, by=quality_manager, name="X", steps=STEPS)
    with pytest.raises(PermissionDenied):
        services.update_protocol(draft, by=unit_head, name="Y")
    with pytest.raises(PermissionDenied):
        services.activate_protocol(draft, by=unit_head)
    services.activate_protocol(draft, by=quality_manager)
    with pytest.raises(PermissionDenied):
        services.retire_protocol(draft, by=unit_head)
    services.retire_protocol(draft, by=quality_manager)
    assert draft.status == ProtocolStatus.RETIRED
    with pytest.raises(ProtocolError):
        services.update_protocol(draft, by=quality_manager, name="Y")


def test_the_checklist_gives_each_step_with_the_variant_of_the_touch_points_channel(
    protocol, counter, phone
):
    items = checklist_for_touch_point(counter)

    assert [i.behaviour for i in items] == [s.behaviour for s in STEPS]
    assert items[0].variant == "Se pone de pie y mira a la persona."
    assert items[0].standard == "En los primeros 10 segundos, con su nombre."
    assert items[1].variant == ""
    assert checklist_for_touch_point(phone) == []  # the counter protocol is not in force there


def test_a_touch_point_can_add_or_exclude_a_protocol(protocol, counter, phone):
    services.set_protocol_override(protocol, phone, by=SYSTEM, applies=True)
    services.set_protocol_override(protocol, counter, by=SYSTEM, applies=False)

    assert protocols_at(phone) == [protocol]
    assert protocols_at(counter) == []
    assert checklist_for_touch_point(phone)[0].variant == "Dice su nombre y unidad."

    services.set_protocol_override(protocol, counter, by=SYSTEM, applies=None)
    assert protocols_at(counter) == [protocol]


def test_an_observation_needs_a_result_for_every_step(protocol, counter):
    partial = dict(list(outcomes(protocol, "met", "met", "na").items())[:2])
    with pytest.raises(ValidationError):
        services.record_protocol_check(
            protocol, counter, by=SYSTEM, observed_on=DAY, method="audit", results=partial
        )
    bogus = outcomes(protocol, "met", "met", "perfect")
    with pytest.raises(ValidationError):
        services.record_protocol_check(
            protocol, counter, by=SYSTEM, observed_on=DAY, method="audit", results=bogus
        )
    assert not ProtocolCheck.objects.exists()

    check = services.record_protocol_check(
        protocol,
        counter,
        by=SYSTEM,
        observed_on=DAY,
        method="mystery",
        results=outcomes(protocol, "met", "not_met", "na", comment=" Sin saludo "),
    )
    assert [r.outcome for r in check.results.all()] == ["met", "not_met", "na"]
    assert check.results.first().comment == "Sin saludo"


def test_an_observation_is_refused_where_the_protocol_does_not_apply(protocol, phone):
    with pytest.raises(ProtocolError):
        services.record_protocol_check(
            protocol,
            phone,
            by=SYSTEM,
            observed_on=DAY,
            method="audit",
            results=outcomes(protocol, "met", "met", "met"),
        )


def test_an_observation_cannot_be_in_the_future(protocol, counter, organization):
    tomorrow = organization.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.record_protocol_check(
            protocol,
            counter,
            by=SYSTEM,
            observed_on=tomorrow,
            method="audit",
            results=outcomes(protocol, "met", "met", "met"),
        )


def test_unit_heads_observe_their_units_touch_points_only(protocol, counter, phone, unit_head):
    services.set_protocol_override(protocol, phone, by=SYSTEM, applies=True)
    services.record_protocol_check(
        protocol,
        counter,
        by=unit_head,
        observed_on=DAY,
        method="supervision",
        results=outcomes(protocol, "met", "met", "met"),
    )
    with pytest.raises(PermissionDenied):
        services.record_protocol_check(
            protocol,
            phone,
            by=unit_head,
            observed_on=DAY,
            method="supervision",
            results=outcomes(protocol, "met", "met", "met"),
        )
    assert ProtocolCheck.objects.get().observer == unit_head


def test_an_observed_step_keeps_its_behaviour_and_cannot_be_removed(protocol, counter):
    services.record_protocol_check(
        protocol,
        counter,
        by=SYSTEM,
        observed_on=DAY,
        method="audit",
        results=outcomes(protocol, "met", "met", "met"),
    )
    steps = _steps(protocol)
    with pytest.raises(ProtocolError):
        services.update_protocol(protocol, by=SYSTEM, steps=steps[:2])
    changed = [StepInput("Otra cosa", steps[0].standard, {}, steps[0].id), *steps[1:]]
    with pytest.raises(ProtocolError):
        services.update_protocol(protocol, by=SYSTEM, steps=changed)

    refined = [
        StepInput(steps[0].behaviour, "En 5 segundos.", {"web": "Saluda en el chat."}, steps[0].id),
        *steps[1:],
        StepInput("Despedirse", ""),
    ]
    services.update_protocol(protocol, by=SYSTEM, steps=refined)
    first = protocol.steps.first()
    assert first.standard == "En 5 segundos."
    assert [v.channel_kind for v in first.variants.all()] == ["web"]
    assert protocol.steps.count() == 4
    assert StepResult.objects.count() == 3  # the recorded results are untouched


def test_a_draft_is_edited_freely_and_a_step_of_another_protocol_is_refused(
    protocol_draft, organization
):
    other = services.create_protocol(organization, by=SYSTEM, name="Web", steps=STEPS[:1])
    foreign = StepInput("X", "", {}, other.steps.get().pk)
    with pytest.raises(ValidationError):
        services.update_protocol(protocol_draft, by=SYSTEM, steps=[foreign])

    services.update_protocol(protocol_draft, by=SYSTEM, steps=[StepInput("Solo uno")])
    assert [s.behaviour for s in protocol_draft.steps.all()] == ["Solo uno"]
    with pytest.raises(ValidationError):
        services.update_protocol(protocol_draft, by=SYSTEM, steps=[StepInput("   ")])
    with pytest.raises(ValidationError):
        services.update_protocol(protocol_draft, by=SYSTEM, steps=[StepInput("A" * 301)])
