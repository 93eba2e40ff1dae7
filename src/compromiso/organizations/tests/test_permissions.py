"""The permission layer: subtree scoping and the organisation boundary."""

import pytest
from django.core.exceptions import PermissionDenied

from compromiso.catalog.models import Attribute, Channel, Service, TouchPoint
from compromiso.catalog.tests.factories import (
    AttributeFactory,
    ChannelFactory,
    ServiceFactory,
    TouchPointFactory,
)
from compromiso.core.permissions import Perm, Role, has_perm, require, scope_for
from compromiso.organizations.models import Membership, Organization, Unit
from compromiso.organizations.tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch_service(branch):
    return ServiceFactory(organization=branch.organization, provider_unit=branch, code="ARI")


@pytest.fixture
def other_branch_service(other_branch):
    return ServiceFactory(
        organization=other_branch.organization, provider_unit=other_branch, code="TEM"
    )


def test_unit_head_sees_own_branch_and_below_but_not_another_branch(
    unit_head, branch, other_branch
):
    sub_office = UnitFactory(organization=branch.organization, parent=branch, name="Módulo")

    visible = set(Unit.objects.visible_to(unit_head))

    assert visible == {branch, sub_office}
    assert other_branch not in visible


def test_unit_head_cannot_read_another_branchs_services_touch_points_or_attributes(
    unit_head, branch_service, other_branch_service
):
    AttributeFactory(service=branch_service, name="Trato")
    AttributeFactory(service=other_branch_service, name="Rapidez")
    TouchPointFactory(organization=branch_service.organization, unit=branch_service.provider_unit)
    TouchPointFactory(
        organization=other_branch_service.organization, unit=other_branch_service.provider_unit
    )

    assert list(Service.objects.visible_to(unit_head)) == [branch_service]
    assert {a.name for a in Attribute.objects.visible_to(unit_head)} == {"Trato"}
    assert {t.unit for t in TouchPoint.objects.visible_to(unit_head)} == {
        branch_service.provider_unit
    }


def test_administrator_of_the_organisation_sees_every_unit(
    admin_user, branch, other_branch, region
):
    assert set(Unit.objects.visible_to(admin_user)) == {region, branch, other_branch}


def test_nobody_in_one_organisation_sees_anything_of_another(
    admin_user, outsider, branch_service, organization, other_organization
):
    ChannelFactory(organization=organization, name="Web")
    ChannelFactory(organization=other_organization, name="Web")
    UnitFactory(organization=other_organization, name="Oficina d'Atenció Ciutadana")

    assert not Service.objects.visible_to(outsider).exists()
    assert set(Unit.objects.visible_to(outsider)) == set(other_organization.units.all())
    assert {c.organization for c in Channel.objects.visible_to(outsider)} == {other_organization}
    assert list(Organization.objects.visible_to(outsider)) == [other_organization]
    assert {c.organization for c in Channel.objects.visible_to(admin_user)} == {organization}


def test_a_unit_role_gives_no_organisation_wide_rights(unit_head, organization, branch):
    assert has_perm(
        unit_head, Perm.MANAGE_CATALOG, organization_id=organization.pk, unit_path=branch.path
    )
    assert not has_perm(unit_head, Perm.MANAGE_CATALOG, organization_id=organization.pk)
    with pytest.raises(PermissionDenied):
        require(
            unit_head, Perm.MANAGE_UNITS, organization_id=organization.pk, unit_path=branch.path
        )


def test_roles_hold_only_their_own_permissions(
    organization, viewer, auditor, officer, quality_manager
):
    org = organization.pk
    assert has_perm(viewer, Perm.VIEW, organization_id=org)
    assert not has_perm(viewer, Perm.VIEW_AUDIT_LOG, organization_id=org)
    assert has_perm(auditor, Perm.VIEW_AUDIT_LOG, organization_id=org)
    assert not has_perm(auditor, Perm.MANAGE_CATALOG, organization_id=org)
    assert not has_perm(officer, Perm.MANAGE_MEMBERS, organization_id=org)
    assert has_perm(quality_manager, Perm.MANAGE_CATALOG, organization_id=org)
    assert not has_perm(quality_manager, Perm.MANAGE_MEMBERS, organization_id=org)


def test_inactive_users_and_inactive_organisations_see_nothing(admin_user, organization, region):
    admin_user.is_active = False
    admin_user.save()
    assert not Unit.objects.visible_to(admin_user).exists()

    other = UserFactory()
    MembershipFactory(user=other, organization=organization, role=Role.ADMINISTRATOR)
    Organization.objects.filter(pk=organization.pk).update(is_active=False)
    assert scope_for(other, Perm.VIEW).is_empty


def test_nested_scopes_collapse_to_the_outermost_unit(organization, region, branch):
    user = UserFactory()
    MembershipFactory(user=user, organization=organization, unit=region, role=Role.VIEWER)
    MembershipFactory(user=user, organization=organization, unit=branch, role=Role.VIEWER)

    assert scope_for(user, Perm.VIEW).unit_paths == {organization.pk: (region.path,)}


def test_anonymous_users_have_no_scope(organization):
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser(), Perm.VIEW).is_empty
    assert not Membership.objects.visible_to(AnonymousUser()).exists()
