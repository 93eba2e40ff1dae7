"""Organisation services: validation, the audit log, refusals that change nothing."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.core.errors import DomainError
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations import services
from compromiso.organizations.models import ApiToken, ClosureDay, Membership, Unit

pytestmark = pytest.mark.django_db


def test_create_unit_places_it_in_the_tree_and_logs_it(organization, region, admin_user):
    unit = services.create_unit(
        organization=organization,
        name="Sucursal Iquique",
        kind="branch",
        parent=region,
        by=admin_user,
    )

    assert unit.path == f"{region.path}{unit.pk}/"
    entry = AuditEntry.objects.for_object(unit).get()
    assert entry.action == "organizations.unit.created"
    assert entry.actor == admin_user
    assert entry.organization_id == organization.pk


def test_moving_a_unit_carries_its_subtree(organization, region, branch, other_branch, admin_user):
    desk = services.create_unit(
        organization=organization, name="Mesón", parent=branch, by=admin_user
    )

    services.update_unit(branch, parent=other_branch, by=admin_user)

    desk.refresh_from_db()
    assert branch.path == f"{other_branch.path}{branch.pk}/"
    assert desk.path == f"{branch.path}{desk.pk}/"
    assert AuditEntry.objects.for_object(branch).first().data == {
        "parent": [region.pk, other_branch.pk]
    }


def test_a_unit_cannot_be_moved_inside_its_own_subtree(organization, region, branch, admin_user):
    with pytest.raises(ValidationError) as error:
        services.update_unit(region, parent=branch, by=admin_user)

    assert "parent" in error.value.message_dict
    region.refresh_from_db()
    assert region.parent is None


def test_a_unit_cannot_be_its_own_parent(region, admin_user):
    with pytest.raises(ValidationError):
        services.update_unit(region, parent=region, by=admin_user)


def test_a_unit_cannot_hang_from_another_organisations_unit(
    organization, other_organization, admin_user
):
    foreign = Unit.objects.create(organization=other_organization, name="Alcaldia", path="/999999/")

    with pytest.raises(ValidationError):
        services.create_unit(organization=organization, name="X", parent=foreign, by=admin_user)
    assert not Unit.objects.filter(name="X").exists()


def test_empty_and_oversized_unit_names_are_refused(organization, admin_user):
    with pytest.raises(ValidationError) as empty:
        services.create_unit(organization=organization, name="", by=admin_user)
    with pytest.raises(ValidationError) as huge:
        services.create_unit(organization=organization, name="x" * 201, by=admin_user)

    assert "name" in empty.value.message_dict
    assert "name" in huge.value.message_dict
    assert not Unit.objects.exists()


def test_a_unit_with_services_cannot_be_deleted(branch, admin_user):
    ServiceFactory(organization=branch.organization, provider_unit=branch)

    with pytest.raises(DomainError) as error:
        services.delete_unit(branch, by=admin_user)

    assert error.value.code == "unit_in_use"
    assert "1" in error.value.message
    assert Unit.objects.filter(pk=branch.pk).exists()
    assert not AuditEntry.objects.filter(action="organizations.unit.deleted").exists()


def test_an_unused_unit_is_deleted_and_the_log_keeps_it(organization, admin_user):
    unit = services.create_unit(organization=organization, name="Temporal", by=admin_user)
    unit_pk = unit.pk

    services.delete_unit(unit, by=admin_user)

    assert not Unit.objects.filter(pk=unit_pk).exists()
    assert AuditEntry.objects.filter(
        object_id=str(unit_pk), action="organizations.unit.deleted"
    ).exists()


def test_unit_head_cannot_create_units_anywhere(organization, branch, unit_head):
    with pytest.raises(PermissionDenied):
        services.create_unit(organization=organization, name="Nueva", parent=branch, by=unit_head)


def test_unknown_country_or_region_is_refused(organization, admin_user):
    with pytest.raises(ValidationError) as error:
        services.update_organization(organization, country="XX", by=admin_user)
    assert "country" in error.value.message_dict

    with pytest.raises(ValidationError) as error:
        services.update_organization(organization, country="CL", subdivision="ZZ", by=admin_user)
    assert "subdivision" in error.value.message_dict


def test_office_hours_must_be_ordered(organization, admin_user):
    with pytest.raises(ValidationError):
        services.update_organization(
            organization, office_opens_at=dt.time(18), office_closes_at=dt.time(9), by=admin_user
        )


def test_organisation_changes_are_logged_field_by_field(organization, admin_user):
    services.update_organization(organization, name="Servicio Renombrado", by=admin_user)

    entry = AuditEntry.objects.for_object(organization).get()
    assert entry.data == {"name": ["Servicio Nacional de Ejemplo", "Servicio Renombrado"]}


def test_new_staff_user_gets_a_password_link_by_email(
    organization, admin_user, branch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.create_staff_user(
            organization=organization, username="nueva", email="nueva@example.org", by=admin_user
        )
    services.add_membership(
        organization=organization, user=user, role=Role.CASE_OFFICER, unit=branch, by=admin_user
    )

    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["nueva@example.org"]


def test_the_same_role_twice_on_the_same_unit_is_refused(organization, officer, branch, admin_user):
    with pytest.raises(ValidationError):
        services.add_membership(
            organization=organization,
            user=officer,
            role=Role.CASE_OFFICER,
            unit=branch,
            by=admin_user,
        )


def test_membership_on_another_organisations_unit_is_refused(
    organization, other_organization, admin_user, officer
):
    foreign = Unit.objects.create(organization=other_organization, name="Alcaldia", path="/999998/")
    with pytest.raises(ValidationError):
        services.add_membership(
            organization=organization, user=officer, role=Role.VIEWER, unit=foreign, by=admin_user
        )


def test_the_last_administrator_cannot_be_removed(organization, admin_user):
    membership = Membership.objects.get(user=admin_user)

    with pytest.raises(DomainError):
        services.remove_membership(membership, by=admin_user)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_closure_days_record_who_added_them(organization, quality_manager):
    closure = services.add_closure_day(
        organization=organization, day=dt.date(2026, 6, 29), name="Cierre local", by=quality_manager
    )

    assert closure.created_by == quality_manager
    assert dt.date(2026, 6, 29) in organization.business_calendar().closed_days
    with pytest.raises(ValidationError):
        services.add_closure_day(
            organization=organization, day=dt.date(2026, 6, 29), name="Otra vez", by=quality_manager
        )
    assert ClosureDay.objects.count() == 1


def test_api_tokens_store_only_a_hash_and_stop_working_when_revoked(organization, viewer):
    token, raw = services.create_api_token(
        user=viewer, organization=organization, name="Call centre"
    )

    assert raw.startswith("cmp_")
    assert raw not in token.key_hash
    assert services.authenticate_api_token(raw) == token
    assert services.authenticate_api_token(raw + "x") is None

    services.revoke_api_token(token, by=viewer)
    assert services.authenticate_api_token(raw) is None
    assert ApiToken.objects.get().revoked_at is not None


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_token_authenticates_as_the_orm_would_read_it(
    organization, viewer, django_assert_num_queries
):
    """The API's token look-up reuses SQL built once; what it returns must be what the ORM
    returns, field by field (times, booleans and all), and its checks must hold: expired,
    revoked, inactive user or organisation."""
    from django.utils import timezone

    now = timezone.now()
    token, raw = services.create_api_token(
        user=viewer, organization=organization, name="Centro", expires_at=now + dt.timedelta(1)
    )
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - dt.timedelta(hours=1))
    expected = services.usable_tokens(token.key_hash, now).get()

    found = services.authenticate_api_token(raw)

    assert _fields(found) == _fields(expected)
    assert _fields(found.user) == _fields(expected.user)
    assert _fields(found.organization) == _fields(expected.organization)
    assert isinstance(found.organization.office_opens_at, dt.time)
    assert found.organization.business_calendar().time_zone == organization.time_zone
    with django_assert_num_queries(0):
        assert found.user == viewer
        assert found.organization == organization
    ApiToken.objects.filter(pk=token.pk).update(expires_at=now - dt.timedelta(seconds=1))
    assert services.authenticate_api_token(raw) is None
    ApiToken.objects.filter(pk=token.pk).update(expires_at=None)
    assert services.authenticate_api_token(raw) == token
    type(viewer).objects.filter(pk=viewer.pk).update(is_active=False)
    assert services.authenticate_api_token(raw) is None
    type(viewer).objects.filter(pk=viewer.pk).update(is_active=True)
    type(organization).objects.filter(pk=organization.pk).update(is_active=False)
    assert services.authenticate_api_token(raw) is None


def test_tokens_cannot_expire_in_the_past(organization, viewer):
    from django.utils import timezone

    with pytest.raises(ValidationError):
        services.create_api_token(
            user=viewer,
            organization=organization,
            name="Old",
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
