"""Queries whose SQL is built once: each call must bind its own values, never the first ones."""

import pytest

from compromiso.core.permissions import Role, roles_in
from compromiso.core.prepared import PreparedQuery
from compromiso.organizations.models import Membership
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _roles(user_id):
    return Membership.objects.filter(user_id=user_id).values_list("role", flat=False)


def test_each_call_binds_its_own_values(organization):
    ana, luis = UserFactory(username="ana"), UserFactory(username="luis")
    MembershipFactory(user=ana, organization=organization, role=Role.AUDITOR)
    MembershipFactory(user=luis, organization=organization, role=Role.VIEWER)
    query = PreparedQuery(_roles, {"user_id": -5})

    assert query.rows(user_id=ana.pk) == [("auditor",)]
    assert query.rows(user_id=luis.pk) == [("viewer",)]
    assert query.rows(user_id=-5) == []


def test_a_placeholder_must_stand_out_in_the_query():
    with pytest.raises(ValueError, match="found 2 times"):
        PreparedQuery(lambda n: Membership.objects.filter(user_id=n, unit_id=n), {"n": -5})


def test_permissions_read_each_users_own_memberships(organization, branch):
    officer, head = UserFactory(username="o"), UserFactory(username="h")
    MembershipFactory(user=officer, organization=organization, unit=branch, role=Role.CASE_OFFICER)
    MembershipFactory(user=head, organization=organization, role=Role.UNIT_HEAD)

    assert roles_in(officer, organization.pk) == {"case_officer"}
    assert roles_in(head, organization.pk) == {"unit_head"}
