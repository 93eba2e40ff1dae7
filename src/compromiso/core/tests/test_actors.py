"""The system acts under a name, and the audit log says which part of it acted."""

import pytest

from compromiso.core.actors import DEMO, SYSTEM, SystemActor
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_the_system_may_act_in_any_organisation():
    organization = Organization.objects.create(name="Agencia", slug="agencia")
    require(SYSTEM, Perm.HANDLE_CASES, organization_id=organization.pk)
    require(SystemActor("maintenance"), Perm.MANAGE_SURVEYS, organization_id=organization.pk)


def test_the_audit_log_names_the_part_of_the_system_that_acted():
    organization = Organization.objects.create(name="Agencia", slug="agencia")
    assert (
        log_action(organization, "organizations.organization.tested", by=SYSTEM).actor_label
        == "system"
    )
    entry = log_action(organization, "organizations.organization.tested", by=DEMO)
    assert entry.actor is None
    assert entry.actor_label == "system: demo"


def test_the_roles_holding_a_permission_come_from_the_role_table():
    from compromiso.core.permissions import ROLE_PERMISSIONS, Role, roles_with

    assert roles_with(Perm.HANDLE_CASES) == {
        Role.ADMINISTRATOR,
        Role.QUALITY_MANAGER,
        Role.UNIT_HEAD,
        Role.CASE_OFFICER,
    }
    assert roles_with(Perm.APPROVE_CHARTERS) == {Role.ADMINISTRATOR, Role.QUALITY_MANAGER}
    for perm in Perm:
        assert all(perm in ROLE_PERMISSIONS[role] for role in roles_with(perm))


def test_no_actor_at_all_is_refused_rather_than_skipping_the_check():
    organization = Organization.objects.create(name="Agencia", slug="agencia")
    with pytest.raises(TypeError):
        require(None, Perm.HANDLE_CASES, organization_id=organization.pk)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        log_action(organization, "organizations.organization.tested", by=None)  # type: ignore[arg-type]


def test_the_person_behind_an_actor_is_the_user_or_nobody_for_the_system(admin_user):
    from compromiso.core.actors import PUBLIC, user_of

    assert user_of(admin_user) == admin_user
    assert user_of(SYSTEM) is None
    assert user_of(PUBLIC) is None


def test_the_roles_that_manage_charters_and_improvement_and_receive_escalations():
    from compromiso.charters.home import MANAGING_ROLES as CHARTER_MANAGERS
    from compromiso.core.permissions import Role
    from compromiso.improvement.home import MANAGING_ROLES as ACTION_MANAGERS
    from compromiso.improvement.reminders import ESCALATED_TO

    assert {Role.QUALITY_MANAGER, Role.ADMINISTRATOR} == CHARTER_MANAGERS
    assert {Role.QUALITY_MANAGER, Role.ADMINISTRATOR} == ACTION_MANAGERS
    assert {Role.UNIT_HEAD, Role.QUALITY_MANAGER} == ESCALATED_TO
