"""Catalogue services: cross-organisation references, provider scoping, audit entries."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.catalog import services
from compromiso.catalog.models import Attribute, Service
from compromiso.catalog.tests.factories import AttributeFactory, ChannelFactory, ServiceFactory
from compromiso.core.models import AuditEntry
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_service_is_created_with_channels_and_attributes(organization, branch, quality_manager):
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")

    service = services.create_service(
        organization=organization,
        code="CERT",
        name="Certificados",
        provider_unit=branch,
        channels=[web],
        attributes=[{"name": "Rapidez", "dimension": "responsiveness"}, {"name": "Trato"}],
        by=quality_manager,
    )

    assert list(service.channels.all()) == [web]
    assert [a.name for a in service.attributes.all()] == ["Rapidez", "Trato"]
    assert [a.position for a in service.attributes.all()] == [1, 2]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert actions == {"catalog.service.created", "catalog.attribute.created"}


def test_a_service_cannot_be_provided_by_another_organisations_unit(
    organization, other_organization, quality_manager
):
    foreign_unit = UnitFactory(organization=other_organization)

    with pytest.raises(ValidationError) as error:
        services.create_service(
            organization=organization,
            code="X",
            name="X",
            provider_unit=foreign_unit,
            by=quality_manager,
        )
    assert "provider_unit" in error.value.message_dict
    assert not Service.objects.exists()


def test_a_service_cannot_use_another_organisations_channel(
    organization, other_organization, branch, quality_manager
):
    foreign_channel = ChannelFactory(organization=other_organization)

    with pytest.raises(ValidationError):
        services.create_service(
            organization=organization,
            code="X",
            name="X",
            provider_unit=branch,
            channels=[foreign_channel],
            by=quality_manager,
        )
    assert not Service.objects.exists()


def test_duplicate_service_codes_are_refused(organization, branch, quality_manager):
    ServiceFactory(organization=organization, provider_unit=branch, code="CERT")

    with pytest.raises(ValidationError) as error:
        services.create_service(
            organization=organization,
            code="CERT",
            name="Otro",
            provider_unit=branch,
            by=quality_manager,
        )
    assert error.value.messages


def test_unit_head_keeps_attributes_of_own_services_only(
    organization, branch, other_branch, unit_head
):
    own = ServiceFactory(organization=organization, provider_unit=branch)
    foreign = ServiceFactory(organization=organization, provider_unit=other_branch)

    services.add_attribute(own, name="Claridad", by=unit_head)
    with pytest.raises(PermissionDenied):
        services.add_attribute(foreign, name="Claridad", by=unit_head)
    with pytest.raises(PermissionDenied):
        services.update_service(own, provider_unit=other_branch, by=unit_head)

    own.refresh_from_db()
    assert own.provider_unit == branch
    assert list(Attribute.objects.values_list("service", flat=True)) == [own.pk]


def test_channels_are_managed_organisation_wide_only(organization, unit_head, quality_manager):
    with pytest.raises(PermissionDenied):
        services.create_channel(organization=organization, kind="phone", name="600", by=unit_head)
    channel = services.create_channel(
        organization=organization, kind="phone", name="600 Call centre", by=quality_manager
    )
    assert channel.kind == "phone"


def test_unknown_channel_kind_and_servqual_dimension_are_refused(
    organization, branch, quality_manager
):
    with pytest.raises(ValidationError):
        services.create_channel(
            organization=organization, kind="pigeon", name="Paloma", by=quality_manager
        )
    service = ServiceFactory(organization=organization, provider_unit=branch)
    with pytest.raises(ValidationError):
        services.add_attribute(service, name="Algo", dimension="telepathy", by=quality_manager)


def test_attribute_update_is_logged_and_removal_leaves_a_record(
    organization, branch, quality_manager
):
    attribute = AttributeFactory(
        service=ServiceFactory(organization=organization, provider_unit=branch)
    )

    services.update_attribute(attribute, name="Amabilidad", by=quality_manager)
    attribute_pk = attribute.pk
    services.remove_attribute(attribute, by=quality_manager)

    actions = list(
        AuditEntry.objects.filter(
            object_id=str(attribute_pk), action__startswith="catalog.attribute."
        ).values_list("action", flat=True)
    )
    assert set(actions) == {"catalog.attribute.updated", "catalog.attribute.removed"}
    assert not Attribute.objects.filter(pk=attribute_pk).exists()


def test_touch_point_needs_unit_and_channel_of_the_same_organisation(
    organization, other_organization, branch, quality_manager
):
    foreign_channel = ChannelFactory(organization=other_organization)
    with pytest.raises(ValidationError):
        services.create_touch_point(
            organization=organization,
            unit=branch,
            channel=foreign_channel,
            name="Mesón",
            by=quality_manager,
        )


def test_an_oversized_service_description_is_refused(organization, branch, quality_manager):
    with pytest.raises(ValidationError) as error:
        services.create_service(
            organization=organization,
            code="X",
            name="X",
            provider_unit=branch,
            description="x" * 5001,
            by=quality_manager,
        )

    assert "description" in error.value.message_dict
    assert not Service.objects.exists()
