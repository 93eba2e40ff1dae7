"""Personas shared by every app's tests, and the test-wide settings."""

import pytest
from django.test import override_settings
from django.utils import timezone, translation

from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Tests hash with MD5: each persona's password costs microseconds, not a second of Argon2."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _no_language_or_time_zone_left_behind():
    """Each test starts in the default language and time zone, whatever an earlier one
    activated (a view, a task or a test itself)."""
    yield
    translation.deactivate()
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Background tasks run inline in tests, so their effects can be asserted."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files go to a folder of the test, never to the demo's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def organization(db):
    """A Chilean public service."""
    return OrganizationFactory(name="Servicio Nacional de Ejemplo", country="CL", subdivision="RM")


@pytest.fixture
def other_organization(db):
    """A Catalan town council: nobody in `organization` may see anything of it."""
    return OrganizationFactory(
        name="Ajuntament d'Exemple",
        country="ES",
        subdivision="CT",
        language="ca",
        time_zone="Europe/Madrid",
    )


@pytest.fixture
def region(organization):
    return UnitFactory(organization=organization, name="Dirección Regional Norte", kind="region")


@pytest.fixture
def branch(region):
    return UnitFactory(
        organization=region.organization, parent=region, name="Sucursal Arica", kind="branch"
    )


@pytest.fixture
def other_branch(organization):
    return UnitFactory(organization=organization, name="Sucursal Temuco", kind="branch")


def _member(organization, role, unit=None, **user_fields):
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, unit=unit, role=role)
    return user


@pytest.fixture
def admin_user(organization):
    return _member(organization, Role.ADMINISTRATOR, username="admin")


@pytest.fixture
def quality_manager(organization):
    return _member(organization, Role.QUALITY_MANAGER, username="quality")


@pytest.fixture
def officer(organization, branch):
    return _member(organization, Role.CASE_OFFICER, unit=branch, username="officer")


@pytest.fixture
def unit_head(organization, branch):
    """Head of the Arica branch: sees that branch's subtree only."""
    return _member(organization, Role.UNIT_HEAD, unit=branch, username="head")


@pytest.fixture
def auditor(organization):
    return _member(organization, Role.AUDITOR, username="auditor")


@pytest.fixture
def viewer(organization):
    return _member(organization, Role.VIEWER, username="viewer")


@pytest.fixture
def outsider(other_organization):
    """An administrator of another organisation."""
    return _member(other_organization, Role.ADMINISTRATOR, username="outsider")


@pytest.fixture
def citizen(client):
    """An anonymous member of the public."""
    return client
