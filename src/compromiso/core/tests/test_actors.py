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
