"""The staff list: adding, changing and deactivating people, who may, and profiles from the
organisation's memberships."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.audit import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UnitFactory, UserFactory
from compromiso.servicemodel import services
from compromiso.servicemodel.models import StaffMember, StaffRole
from compromiso.servicemodel.services import ServiceModelError

pytestmark = pytest.mark.django_db


@pytest.fixture
def counter(organization, branch):
    return TouchPointFactory(organization=organization, unit=branch, name="Mesón Arica")


def test_a_quality_manager_adds_a_person_with_touch_points_of_their_unit(
    organization, quality_manager, branch, counter
):
    member = services.create_staff_member(
        organization,
        by=quality_manager,
        unit=branch,
        code=" 1001 ",
        name="  Ana   Pérez ",
        touch_points=[counter],
    )

    assert (member.code, member.name, member.role) == ("1001", "Ana Pérez", StaffRole.CONTACT)
    assert list(member.touch_points.all()) == [counter]
    assert AuditEntry.objects.filter(action="servicemodel.staffmember.created").count() == 1


def test_a_touch_point_of_another_unit_is_refused(organization, other_branch, counter):
    with pytest.raises(ValidationError) as error:
        services.create_staff_member(
            organization, by=SYSTEM, unit=other_branch, code="1", name="A", touch_points=[counter]
        )

    assert "touch_points" in error.value.message_dict
    assert not StaffMember.objects.exists()


def test_the_employee_number_is_unique_in_the_organisation(organization, branch):
    services.create_staff_member(organization, by=SYSTEM, unit=branch, code="1", name="A")

    with pytest.raises(ValidationError):
        services.create_staff_member(organization, by=SYSTEM, unit=branch, code="1", name="B")


def test_a_unit_head_keeps_their_unit_people_only(
    organization, unit_head, branch, other_branch, region
):
    mine = services.create_staff_member(organization, by=unit_head, unit=branch, code="1", name="A")

    with pytest.raises(PermissionDenied):
        services.create_staff_member(
            organization, by=unit_head, unit=other_branch, code="2", name="B"
        )
    with pytest.raises(PermissionDenied):  # moving out of their subtree
        services.update_staff_member(mine, by=unit_head, unit=region)


@pytest.mark.parametrize("persona", ["viewer", "auditor", "officer", "outsider"])
def test_readers_and_outsiders_change_nothing(request, persona, organization, branch):
    member = services.create_staff_member(organization, by=SYSTEM, unit=branch, code="1", name="A")

    with pytest.raises(PermissionDenied):
        services.update_staff_member(member, by=request.getfixturevalue(persona), name="B")


def test_moving_a_person_drops_the_touch_points_outside_the_new_unit(
    organization, branch, other_branch, counter
):
    member = services.create_staff_member(
        organization, by=SYSTEM, unit=branch, code="1", name="A", touch_points=[counter]
    )

    services.update_staff_member(member, by=SYSTEM, unit=other_branch, role=StaffRole.BACK_OFFICE)

    member.refresh_from_db()
    assert member.unit == other_branch
    assert member.role == StaffRole.BACK_OFFICE
    assert not member.touch_points.exists()


def test_a_user_account_of_another_organisation_cannot_be_linked(organization, branch, outsider):
    member = services.create_staff_member(organization, by=SYSTEM, unit=branch, code="1", name="A")

    with pytest.raises(ValidationError):
        services.update_staff_member(member, by=SYSTEM, user=outsider)


def test_deactivating_keeps_the_person_and_twice_is_refused(organization, branch):
    member = services.create_staff_member(organization, by=SYSTEM, unit=branch, code="1", name="A")

    services.deactivate_staff_member(member, by=SYSTEM)

    assert StaffMember.objects.get().is_active is False
    with pytest.raises(ServiceModelError):
        services.deactivate_staff_member(member, by=SYSTEM)


def test_profiles_from_memberships_for_members_without_one(
    organization, region, branch, officer, unit_head, quality_manager
):
    # The quality manager's role is on the whole organisation, which has one top unit: region.
    # (branch sits inside region; other units would make the top ambiguous.)
    result = services.staff_from_memberships(organization, by=SYSTEM)

    assert (result.created, result.skipped) == (3, 0)
    units = dict(StaffMember.objects.values_list("code", "unit_id"))
    assert units == {"officer": branch.pk, "head": branch.pk, "quality": region.pk}
    assert services.staff_from_memberships(organization, by=SYSTEM).created == 0


def test_profiles_from_memberships_by_a_unit_head_stay_in_their_unit(
    organization, branch, other_branch, unit_head
):
    other = UserFactory(username="temuco")
    MembershipFactory(user=other, organization=organization, unit=other_branch, role=Role.VIEWER)

    result = services.staff_from_memberships(organization, by=unit_head)

    assert result.created == 1
    assert list(StaffMember.objects.values_list("code", flat=True)) == ["head"]


def test_a_whole_organisation_member_without_a_single_top_unit_is_skipped(
    organization, region, other_branch, quality_manager
):
    result = services.staff_from_memberships(organization, by=SYSTEM)

    assert (result.created, result.skipped) == (0, 1)


def test_profiles_from_memberships_need_the_right(organization, viewer):
    with pytest.raises(PermissionDenied):
        services.staff_from_memberships(organization, by=viewer)


def test_a_unit_code_never_reaches_another_organisation(organization, other_organization):
    foreign = UnitFactory(organization=other_organization, name="Fuera")

    with pytest.raises(ValidationError):
        services.create_staff_member(organization, by=SYSTEM, unit=foreign, code="1", name="A")
