"""Catalogue endpoints: provider scoping, ids from elsewhere, attributes."""

import pytest

from compromiso.catalog.models import Attribute, Service
from compromiso.catalog.tests.factories import AttributeFactory, ChannelFactory, ServiceFactory
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def temuco_service(other_branch):
    return ServiceFactory(
        organization=other_branch.organization, provider_unit=other_branch, code="TEM"
    )


def test_quality_manager_creates_a_service_with_channels_and_attributes(
    api_as, quality_manager, branch, organization
):
    web = ChannelFactory(organization=organization, kind="web")

    response = api_as(quality_manager).post(
        "/services",
        {
            "code": "CERT",
            "name": "Certificados",
            "provider_unit": branch.pk,
            "channels": [web.pk],
            "attributes": [{"name": "Rapidez", "dimension": "responsiveness"}, {"name": "Trato"}],
        },
    )

    body = response.json()
    assert response.status_code == 201
    assert body["channels"] == [web.pk]
    assert [(a["name"], a["dimension"]) for a in body["attributes"]] == [
        ("Rapidez", "responsiveness"),
        ("Trato", None),
    ]


def test_unit_head_sees_own_services_and_404_for_another_branch(
    api_as, unit_head, branch, temuco_service
):
    own = ServiceFactory(organization=branch.organization, provider_unit=branch, code="ARI")
    api = api_as(unit_head)

    assert [s["code"] for s in api.get("/services").json()["items"]] == ["ARI"]
    assert api.get(f"/services/{own.pk}").status_code == 200
    assert api.get(f"/services/{temuco_service.pk}").status_code == 404
    assert api.post(f"/services/{temuco_service.pk}/attributes", {"name": "X"}).status_code == 404


def test_services_filter_by_text_audience_and_unit(api_as, admin_user, branch, temuco_service):
    ServiceFactory(
        organization=branch.organization,
        provider_unit=branch,
        code="ARI",
        name="Certificados",
        audience="internal",
    )
    api = api_as(admin_user)

    assert [s["code"] for s in api.get("/services", q="certif").json()["items"]] == ["ARI"]
    assert [s["code"] for s in api.get("/services", audience="internal").json()["items"]] == ["ARI"]
    assert [
        s["code"]
        for s in api.get("/services", provider_unit=temuco_service.provider_unit_id).json()["items"]
    ] == ["TEM"]
    assert api.get("/services", audience="aliens").status_code == 422


def test_ids_from_another_organisation_are_unknown(
    api_as, quality_manager, branch, other_organization
):
    foreign_unit = UnitFactory(organization=other_organization)
    foreign_channel = ChannelFactory(organization=other_organization)
    api = api_as(quality_manager)

    by_unit = api.post("/services", {"code": "X", "name": "X", "provider_unit": foreign_unit.pk})
    by_channel = api.post(
        "/services",
        {"code": "Y", "name": "Y", "provider_unit": branch.pk, "channels": [foreign_channel.pk]},
    )

    assert by_unit.status_code == 422
    assert "provider_unit" in by_unit.json()["fields"]
    assert by_channel.status_code == 422
    assert "channels" in by_channel.json()["fields"]
    assert not Service.objects.exists()


def test_duplicate_service_code_is_refused(api_as, quality_manager, branch):
    api = api_as(quality_manager)
    api.post("/services", {"code": "CERT", "name": "A", "provider_unit": branch.pk})

    response = api.post("/services", {"code": "CERT", "name": "B", "provider_unit": branch.pk})

    assert response.status_code == 422
    assert Service.objects.count() == 1


def test_attributes_are_added_changed_and_removed(api_as, unit_head, branch):
    service = ServiceFactory(organization=branch.organization, provider_unit=branch)
    api = api_as(unit_head)

    created = api.post(
        f"/services/{service.pk}/attributes", {"name": "Claridad", "dimension": "assurance"}
    )
    attribute_id = created.json()["id"]
    patched = api.patch(f"/attributes/{attribute_id}", {"dimension": None, "position": 5})
    listed = api.get(f"/services/{service.pk}/attributes").json()
    removed = api.delete(f"/attributes/{attribute_id}")

    assert created.status_code == 201
    assert patched.json()["dimension"] is None
    assert listed[0]["position"] == 5
    assert removed.status_code == 204
    assert not Attribute.objects.exists()


def test_attribute_input_is_validated(api_as, quality_manager, branch):
    service = ServiceFactory(organization=branch.organization, provider_unit=branch)
    api = api_as(quality_manager)

    assert (
        api.post(
            f"/services/{service.pk}/attributes", {"name": "X", "dimension": "magic"}
        ).status_code
        == 422
    )
    assert (
        api.post(f"/services/{service.pk}/attributes", {"name": "X", "position": -1}).status_code
        == 422
    )
    assert api.post(f"/services/{service.pk}/attributes", {"name": "X" * 201}).status_code == 422
    AttributeFactory(service=service, name="Dup")
    assert api.post(f"/services/{service.pk}/attributes", {"name": "Dup"}).status_code == 422
    assert service.attributes.count() == 1


def test_channels_and_touch_points(api_as, quality_manager, unit_head, branch, other_branch):
    manager = api_as(quality_manager)
    channel = manager.post("/channels", {"kind": "phone", "name": "Call center 600"}).json()
    point = manager.post(
        "/touch-points",
        {"name": "Mesón", "unit": branch.pk, "channel": channel["id"], "address": "Av. 1"},
    )
    foreign_point = manager.post(
        "/touch-points", {"name": "X", "unit": 999999, "channel": channel["id"]}
    )

    assert point.status_code == 201
    assert foreign_point.status_code == 422
    assert api_as(unit_head).post("/channels", {"kind": "web", "name": "Web"}).status_code == 403
    head_view = api_as(unit_head).get("/touch-points").json()["items"]
    assert [p["name"] for p in head_view] == ["Mesón"]
    moved = manager.patch(f"/touch-points/{point.json()['id']}", {"unit": other_branch.pk})
    assert moved.json()["unit"] == other_branch.pk
    assert api_as(unit_head).get(f"/touch-points/{point.json()['id']}").status_code == 404
