"""Catalogue pages: scoping by provider unit, the organisation boundary, inline attributes."""

import pytest
from django.urls import reverse

from compromiso.catalog.models import Attribute, Channel, Service, TouchPoint
from compromiso.catalog.tests.factories import AttributeFactory, ChannelFactory, ServiceFactory
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arica_service(branch):
    return ServiceFactory(
        organization=branch.organization, provider_unit=branch, name="Certificados Arica"
    )


@pytest.fixture
def temuco_service(other_branch):
    return ServiceFactory(
        organization=other_branch.organization,
        provider_unit=other_branch,
        name="Certificados Temuco",
    )


@pytest.mark.parametrize("name", ["services", "channels", "touch_points", "service_create"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(f"catalog:{name}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_unit_head_lists_only_own_branch_services(client, unit_head, arica_service, temuco_service):
    client.force_login(unit_head)

    html = client.get(reverse("catalog:services")).content.decode()

    assert "Certificados Arica" in html
    assert "Certificados Temuco" not in html


def test_unit_head_gets_404_for_another_branchs_service(client, unit_head, temuco_service):
    client.force_login(unit_head)

    assert (
        client.get(reverse("catalog:service_detail", args=[temuco_service.pk])).status_code == 404
    )
    assert client.get(reverse("catalog:service_edit", args=[temuco_service.pk])).status_code == 404


def test_outsider_gets_404_for_service_attribute_and_channel(
    client, outsider, arica_service, organization
):
    attribute = AttributeFactory(service=arica_service)
    channel = ChannelFactory(organization=organization)
    client.force_login(outsider)

    assert client.get(reverse("catalog:service_detail", args=[arica_service.pk])).status_code == 404
    assert client.get(reverse("catalog:attribute_edit", args=[attribute.pk])).status_code == 404
    assert client.get(reverse("catalog:channel_edit", args=[channel.pk])).status_code == 404
    assert client.post(reverse("catalog:attribute_delete", args=[attribute.pk])).status_code == 404
    assert Attribute.objects.filter(pk=attribute.pk).exists()


def test_services_can_be_filtered_by_unit_and_audience(
    client, admin_user, arica_service, temuco_service
):
    Service.objects.filter(pk=temuco_service.pk).update(audience="internal")
    client.force_login(admin_user)

    by_unit = client.get(reverse("catalog:services"), {"unit": arica_service.provider_unit_id})
    by_audience = client.get(reverse("catalog:services"), {"audience": "internal"})
    nonsense = client.get(reverse("catalog:services"), {"unit": "x'--", "audience": "<b>"})

    assert list(by_unit.context["services"]) == [arica_service]
    assert list(by_audience.context["services"]) == [temuco_service]
    assert nonsense.status_code == 200


def test_quality_manager_creates_a_service_with_two_attributes(
    client, quality_manager, branch, organization
):
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    client.force_login(quality_manager)

    response = client.post(
        reverse("catalog:service_create"),
        {
            "code": "CERT",
            "name": "Certificados en línea",
            "description": "",
            "provider_unit": branch.pk,
            "audience": "external",
            "channels": [web.pk],
            "attributes-TOTAL_FORMS": "4",
            "attributes-INITIAL_FORMS": "0",
            "attributes-0-name": "Rapidez",
            "attributes-0-dimension": "responsiveness",
            "attributes-1-name": "Claridad",
            "attributes-1-dimension": "assurance",
        },
    )

    service = Service.objects.get(code="CERT")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog:service_detail", args=[service.pk])
    assert [a.name for a in service.attributes.all()] == ["Rapidez", "Claridad"]
    assert list(service.channels.all()) == [web]


def test_a_provider_unit_from_another_organisation_is_refused(
    client, quality_manager, other_organization
):
    foreign = UnitFactory(organization=other_organization)
    client.force_login(quality_manager)

    response = client.post(
        reverse("catalog:service_create"),
        {
            "code": "X",
            "name": "X",
            "provider_unit": foreign.pk,
            "audience": "external",
            "attributes-TOTAL_FORMS": "0",
            "attributes-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "provider_unit" in response.context["form"].errors
    assert not Service.objects.exists()


def test_a_tampered_attribute_formset_is_refused(client, quality_manager, branch):
    client.force_login(quality_manager)

    response = client.post(
        reverse("catalog:service_create"),
        {
            "code": "X",
            "name": "X",
            "provider_unit": branch.pk,
            "audience": "external",
            "attributes-TOTAL_FORMS": "5000",
            "attributes-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert not Service.objects.exists()


def test_viewer_cannot_create_services(client, viewer):
    client.force_login(viewer)

    assert client.get(reverse("catalog:service_create")).status_code == 403


def test_attribute_is_added_inline_with_htmx(client, unit_head, arica_service):
    client.force_login(unit_head)

    response = client.post(
        reverse("catalog:service_detail", args=[arica_service.pk]),
        {"new-name": "Amabilidad", "new-dimension": "empathy"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Amabilidad" in response.content
    assert arica_service.attributes.get().dimension == "empathy"


def test_attribute_errors_come_back_in_the_fragment(client, unit_head, arica_service):
    client.force_login(unit_head)

    response = client.post(
        reverse("catalog:service_detail", args=[arica_service.pk]),
        {"new-name": "", "new-dimension": "telepathy"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"name", "dimension"}
    assert not arica_service.attributes.exists()


def test_attribute_is_edited_inline_and_without_javascript(client, quality_manager, arica_service):
    attribute = AttributeFactory(service=arica_service, name="Rapidez", position=1)
    client.force_login(quality_manager)
    url = reverse("catalog:attribute_edit", args=[attribute.pk])
    prefix = f"attribute-{attribute.pk}"

    fragment = client.post(
        url,
        {f"{prefix}-name": "Rapidez en la atención", f"{prefix}-is_active": "on"},
        headers={"HX-Request": "true"},
    )
    page = client.post(url, {f"{prefix}-name": "Rapidez", f"{prefix}-position": "3"})

    assert b"Rapidez en la atenci" in fragment.content
    assert b"<html" not in fragment.content
    assert page.status_code == 302
    attribute.refresh_from_db()
    assert (attribute.name, attribute.position, attribute.is_active) == ("Rapidez", 3, False)


def test_unit_head_cannot_manage_channels(client, unit_head, organization):
    channel = ChannelFactory(organization=organization)
    client.force_login(unit_head)

    assert client.post(reverse("catalog:channels"), {"kind": "web", "name": "X"}).status_code == 403
    assert client.get(reverse("catalog:channel_edit", args=[channel.pk])).status_code == 403
    assert not Channel.objects.filter(name="X").exists()


def test_touch_point_is_added_for_a_unit_in_scope(
    client, unit_head, branch, other_branch, organization
):
    channel = ChannelFactory(organization=organization, kind="in_person", name="Presencial")
    client.force_login(unit_head)

    ok = client.post(
        reverse("catalog:touch_points"),
        {
            "name": "Mesón Arica",
            "unit": branch.pk,
            "channel": channel.pk,
            "address": "Av. 1",
            "opening_hours": "Lun–Vie 8:30–14:00",
        },
    )
    refused = client.post(
        reverse("catalog:touch_points"),
        {"name": "Mesón Temuco", "unit": other_branch.pk, "channel": channel.pk},
    )

    assert ok.status_code == 302
    assert refused.status_code == 200
    assert "unit" in refused.context["form"].errors
    assert list(TouchPoint.objects.values_list("name", flat=True)) == ["Mesón Arica"]
