"""The service model's life: drafted, approved, published (superseding the version in force),
copied into the next draft; and acknowledged once per person and version."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.core.actors import DEMO, SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.servicemodel import services
from compromiso.servicemodel.models import Acknowledgement, ModelStatus, ServiceModel
from compromiso.servicemodel.services import ServiceModelError
from compromiso.servicemodel.tests.conftest import TEXT

pytestmark = pytest.mark.django_db


def _actions(model):
    return list(
        AuditEntry.objects.filter(object_id=str(model.pk), action__startswith="servicemodel.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_a_quality_manager_drafts_the_model_with_its_axes_and_promises_in_order(
    organization, quality_manager
):
    model = services.create_service_model(organization, by=quality_manager, **TEXT)

    assert model.status == ModelStatus.DRAFT
    assert model.version == 1
    assert [a.name for a in model.axes.all()] == ["Acogida", "Resolución"]
    assert [p.text for p in model.promises.all()] == [
        "Le atenderemos en 15 minutos.",
        "Responderemos su reclamo en plazo.",
    ]
    assert model.slogan_list == ["Te recibimos, te resolvemos.", "Un mismo trato."]
    assert _actions(model) == ["servicemodel.servicemodel.created"]


def test_a_second_model_for_the_same_organisation_is_refused(draft, quality_manager):
    with pytest.raises(ServiceModelError):
        services.create_service_model(draft.organization, by=quality_manager, **TEXT)


def test_a_unit_head_and_a_viewer_cannot_draft_the_organisations_model(
    organization, unit_head, viewer
):
    for person in (unit_head, viewer):
        with pytest.raises(PermissionDenied):
            services.create_service_model(organization, by=person, **TEXT)
    assert not ServiceModel.objects.exists()


def test_editing_a_draft_replaces_its_axes_and_promises_and_names_the_fields_changed(
    draft, quality_manager
):
    services.update_service_model(
        draft,
        by=quality_manager,
        quality_policy="Otra política.",
        axes=[("Calidez", "")],
        promises=["Una sola promesa."],
    )

    draft.refresh_from_db()
    assert draft.quality_policy == "Otra política."
    assert [(a.order, a.name) for a in draft.axes.all()] == [(1, "Calidez")]
    assert [p.text for p in draft.promises.all()] == ["Una sola promesa."]
    entry = AuditEntry.objects.get(action="servicemodel.servicemodel.updated")
    assert entry.data == {"fields": ["quality_policy"], "axes": 1, "promises": 1}


def test_an_oversized_quality_policy_is_refused_with_the_field_named(draft, quality_manager):
    with pytest.raises(ValidationError) as refusal:
        services.update_service_model(draft, by=quality_manager, quality_policy="x" * 20001)

    assert "quality_policy" in refusal.value.message_dict


def test_too_many_promises_are_refused(draft, quality_manager):
    with pytest.raises(ValidationError) as refusal:
        services.update_service_model(
            draft, by=quality_manager, promises=[f"Promesa {n}" for n in range(21)]
        )

    assert "promises" in refusal.value.message_dict


def test_approval_needs_the_right_to_approve(draft, unit_head, admin_user):
    with pytest.raises(PermissionDenied):
        services.approve_service_model(draft, by=unit_head, reference="Resolución 1")

    services.approve_service_model(draft, by=admin_user, reference="  Resolución   1 ")

    draft.refresh_from_db()
    assert draft.status == ModelStatus.APPROVED
    assert draft.approved_by == admin_user
    assert draft.approval_reference == "Resolución 1"


def test_an_incomplete_draft_cannot_be_approved(organization, quality_manager):
    model = services.create_service_model(organization, by=quality_manager, project_name="X")

    with pytest.raises(ServiceModelError) as refusal:
        services.approve_service_model(model, by=quality_manager, reference="Resolución 1")

    assert refusal.value.code == "incomplete"


def test_approval_needs_a_reference(draft, quality_manager):
    with pytest.raises(ValidationError):
        services.approve_service_model(draft, by=quality_manager, reference="   ")


def test_only_an_approved_model_is_published_and_it_is_in_force_from_the_organisations_today(
    draft, quality_manager
):
    with pytest.raises(ServiceModelError):
        services.publish_service_model(draft, by=quality_manager)
    services.approve_service_model(draft, by=quality_manager, reference="R 1")

    services.publish_service_model(draft, by=quality_manager)

    assert draft.status == ModelStatus.PUBLISHED
    assert draft.valid_from == draft.organization.today()
    assert services.in_force(draft.organization) == draft
    assert _actions(draft) == [
        "servicemodel.servicemodel.created",
        "servicemodel.servicemodel.approved",
        "servicemodel.servicemodel.published",
    ]


def test_a_published_model_is_not_edited(published, quality_manager):
    with pytest.raises(ServiceModelError):
        services.update_service_model(published, by=quality_manager, project_name="Otro")


def test_a_new_version_copies_the_published_one_into_a_draft(published, quality_manager):
    draft = services.new_service_model_version(published, by=quality_manager)

    assert (draft.version, draft.status, draft.lineage) == (2, "draft", published.lineage)
    assert draft.quality_policy == published.quality_policy
    assert [a.name for a in draft.axes.all()] == [a.name for a in published.axes.all()]
    assert [p.text for p in draft.promises.all()] == [p.text for p in published.promises.all()]
    with pytest.raises(ServiceModelError):
        services.new_service_model_version(published, by=quality_manager)


def test_publishing_the_next_version_supersedes_the_one_in_force_and_keeps_it(
    published, quality_manager
):
    draft = services.new_service_model_version(published, by=quality_manager)
    services.update_service_model(draft, by=quality_manager, promises=["Nueva promesa."])
    services.approve_service_model(draft, by=quality_manager, reference="R 2")
    services.publish_service_model(draft, by=quality_manager)

    published.refresh_from_db()
    assert published.status == ModelStatus.SUPERSEDED
    assert [p.text for p in published.promises.all()] == [
        "Le atenderemos en 15 minutos.",
        "Responderemos su reclamo en plazo.",
    ]
    assert services.in_force(published.organization) == draft
    assert "servicemodel.servicemodel.superseded" in _actions(published)


def test_a_new_version_cannot_be_made_from_a_draft(draft, quality_manager):
    with pytest.raises(ServiceModelError):
        services.new_service_model_version(draft, by=quality_manager)


def test_every_member_acknowledges_the_model_in_force_once(published, viewer, officer):
    first = services.acknowledge_service_model(published, by=viewer)
    services.acknowledge_service_model(published, by=officer)

    with pytest.raises(ServiceModelError) as again:
        services.acknowledge_service_model(published, by=viewer)

    assert again.value.code == "already_acknowledged"
    assert first.user == viewer
    assert Acknowledgement.objects.filter(service_model=published).count() == 2
    assert AuditEntry.objects.filter(action="servicemodel.acknowledgement.created").count() == 2


def test_a_person_of_another_organisation_cannot_acknowledge(published, outsider):
    with pytest.raises(PermissionDenied):
        services.acknowledge_service_model(published, by=outsider)


def test_a_draft_or_a_superseded_version_cannot_be_acknowledged(draft, viewer):
    with pytest.raises(ServiceModelError):
        services.acknowledge_service_model(draft, by=viewer)


def test_the_system_cannot_acknowledge_for_anyone(published):
    for actor in (SYSTEM, DEMO):
        with pytest.raises(ServiceModelError):
            services.acknowledge_service_model(published, by=actor)


def test_a_new_version_must_be_acknowledged_again(published, quality_manager, viewer):
    services.acknowledge_service_model(published, by=viewer)
    draft = services.new_service_model_version(published, by=quality_manager)
    services.approve_service_model(draft, by=quality_manager, reference="R 2")
    services.publish_service_model(draft, by=quality_manager)

    services.acknowledge_service_model(draft, by=viewer)

    assert Acknowledgement.objects.filter(user=viewer).count() == 2
