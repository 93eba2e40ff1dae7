"""Queries whose SQL is built once: each call must bind its own values, never the first ones."""

import pytest

from compromiso.core.permissions import Role, roles_in
from compromiso.core.prepared import PreparedQuery
from compromiso.organizations.models import Membership, Organization
from compromiso.organizations.services import active_organization
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


def test_rows_are_converted_as_the_orm_converts_them(organization, branch):
    """Times come back aware, booleans as booleans, missing units as None: as the ORM reads
    them, on every backend the suite runs on."""
    ana = UserFactory(username="ana")
    MembershipFactory(user=ana, organization=organization, role=Role.AUDITOR)
    MembershipFactory(user=ana, organization=organization, unit=branch, role=Role.VIEWER)

    def build(user_id):
        return (
            Membership.objects.filter(user_id=user_id)
            .order_by("pk")
            .values_list("role", "unit_id", "created_at", "organization__is_active")
        )

    rows = PreparedQuery(build, {"user_id": -5}).rows(user_id=ana.pk)

    assert [tuple(row) for row in rows] == list(build(ana.pk))
    assert rows[0][1] is None
    assert rows[0][2].tzinfo is not None
    assert rows[0][3] is True


def test_the_undocumented_compiler_calls_it_rests_on_keep_their_shape():
    """core/prepared.py uses four calls Django does not document; a Django upgrade that
    changes one of them must fail here, not in a request."""
    import inspect

    from django.db import DEFAULT_DB_ALIAS

    query = Membership.objects.filter(user_id=7).values_list("role", "unit__path").query
    compiler = query.get_compiler(DEFAULT_DB_ALIAS)
    sql, params = compiler.as_sql()

    assert isinstance(sql, str)
    assert list(params) == [7]
    assert all(len(item) == 3 for item in compiler.select)  # (expression, sql, alias)
    expressions = [expression for expression, _sql, _alias in compiler.select]
    assert len(expressions) == 2
    assert isinstance(compiler.get_converters(expressions), dict)
    assert list(inspect.signature(compiler.apply_converters).parameters) == ["rows", "converters"]


def test_the_public_forms_organisation_is_the_one_the_orm_reads(organization, other_organization):
    found = active_organization(organization.slug)
    other = active_organization(other_organization.slug)  # the second call binds its own slug

    assert found is not None
    assert other is not None
    assert (found.pk, other.pk) == (organization.pk, other_organization.pk)
    orm = Organization.objects.get(pk=organization.pk)
    for field in Organization._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
    assert found.zone == orm.zone
    assert not found._state.adding  # saved as an update, like a row the ORM loaded

    Organization.objects.filter(pk=organization.pk).update(is_active=False)
    assert active_organization(organization.slug) is None
    assert active_organization("nobody-here") is None
