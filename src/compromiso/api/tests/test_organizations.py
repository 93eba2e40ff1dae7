"""Organisation and unit endpoints: scoping, the boundary, refusals that change nothing."""

import pytest

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.core.models import AuditEntry
from compromiso.organizations.models import Unit
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_outsider_cannot_list_or_fetch_the_organisations_units(api_as, outsider, branch):
    api = api_as(outsider)

    assert api.get("/units").json()["items"] == []
    assert api.get(f"/units/{branch.pk}").status_code == 404
    assert api.patch(f"/units/{branch.pk}", {"name": "Mía"}).status_code == 404
    assert api.delete(f"/units/{branch.pk}").status_code == 404
    branch.refresh_from_db()
    assert branch.name == "Sucursal Arica"


def test_unit_head_lists_only_own_subtree(api_as, unit_head, branch, other_branch):
    desk = UnitFactory(organization=branch.organization, parent=branch, name="Módulo 1")

    items = api_as(unit_head).get("/units").json()["items"]

    assert {item["id"] for item in items} == {branch.pk, desk.pk}


def test_units_are_paginated_and_filtered(api_as, admin_user, region, branch, other_branch):
    api = api_as(admin_user)

    page = api.get("/units", limit=2, offset=0).json()
    branches = api.get("/units", kind="branch").json()
    children = api.get("/units", parent=region.pk).json()

    assert page["count"] == 3
    assert len(page["items"]) == 2
    assert {u["id"] for u in branches["items"]} == {branch.pk, other_branch.pk}
    assert [u["id"] for u in children["items"]] == [branch.pk]


def test_administrator_creates_moves_and_deletes_a_unit(api_as, admin_user, region, other_branch):
    api = api_as(admin_user)

    created = api.post(
        "/units", {"name": "Sucursal Putre", "kind": "branch", "code": "PUT", "parent": region.pk}
    )
    unit_id = created.json()["id"]
    moved = api.patch(f"/units/{unit_id}", {"parent": other_branch.pk})
    deleted = api.delete(f"/units/{unit_id}")

    assert created.status_code == 201
    assert moved.json()["parent"] == other_branch.pk
    assert deleted.status_code == 204
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(unit_id), action__startswith="organizations.unit."
        ).values_list("action", flat=True)
    )
    assert actions == {
        "organizations.unit.created",
        "organizations.unit.updated",
        "organizations.unit.deleted",
    }


def test_viewer_cannot_create_units(api_as, viewer):
    response = api_as(viewer).post("/units", {"name": "X", "kind": "area"})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Unit.objects.filter(name="X").exists()


def test_a_parent_from_another_organisation_is_an_unknown_unit(
    api_as, admin_user, other_organization
):
    foreign = UnitFactory(organization=other_organization)

    response = api_as(admin_user).post(
        "/units", {"name": "X", "kind": "area", "parent": foreign.pk}
    )

    assert response.status_code == 422
    assert "parent" in response.json()["fields"]
    assert not Unit.objects.filter(name="X").exists()


def test_a_unit_cannot_move_under_its_own_child(api_as, admin_user, region, branch):
    response = api_as(admin_user).patch(f"/units/{region.pk}", {"parent": branch.pk})

    assert response.status_code == 422
    assert "parent" in response.json()["fields"]
    region.refresh_from_db()
    assert region.parent is None


def test_a_unit_with_services_is_not_deleted(api_as, admin_user, branch):
    ServiceFactory(organization=branch.organization, provider_unit=branch)

    response = api_as(admin_user).delete(f"/units/{branch.pk}")

    assert response.status_code == 409
    assert response.json()["code"] == "unit_in_use"
    assert Unit.objects.filter(pk=branch.pk).exists()


def test_organisation_settings_are_read_and_changed(api_as, admin_user, viewer, organization):
    assert api_as(viewer).get("/organization").json()["slug"] == organization.slug
    assert api_as(viewer).patch("/organization", {"name": "X"}).status_code == 403

    changed = api_as(admin_user).patch("/organization", {"subdivision": "AP"})
    unknown = api_as(admin_user).patch("/organization", {"country": "XX"})

    assert changed.json()["subdivision"] == "AP"
    assert unknown.status_code == 422
    assert "country" in unknown.json()["fields"]
    organization.refresh_from_db()
    assert organization.country == "CL"
