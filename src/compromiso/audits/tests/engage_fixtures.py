"""Fixtures of the programme, engagement and access tests (imported by name in conftest): a
service and a counter in the Arica branch, a programme in execution, an audit of the branch
with its agreement signed, a nonconformity grade, a peer auditor from the other organisation
and an outside auditor with no membership."""

import datetime as dt

import pytest
from django.utils import timezone

from compromiso.audits import services
from compromiso.audits.models import AuditProgramme, Grade, GradeKind, ProgrammeStatus
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def service(organization, branch):
    return ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")


@pytest.fixture
def counter(organization, branch):
    channel = ChannelFactory(organization=organization, kind="in_person", name="Oficinas")
    return TouchPointFactory(
        organization=organization, unit=branch, channel=channel, name="Mesón Arica"
    )


@pytest.fixture
def running(organization):
    """A programme for 2026, approved and in execution, auditing each service every 24 months."""
    return AuditProgramme.objects.create(
        organization=organization,
        title="Programa 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        objectives="Verificar los compromisos.",
        status=ProgrammeStatus.IN_EXECUTION,
    )


@pytest.fixture
def planned(organization, quality_manager, running, branch, service, counter, auditor):
    """AUD-2026-01: an internal audit of the Arica branch, planned, led by the auditor."""
    audit = services.create_audit(
        organization,
        by=quality_manager,
        programme=running,
        title="Atención presencial en Arica",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
        planned_start=dt.date(2026, 7, 6),
        planned_end=dt.date(2026, 7, 17),
        unit=branch,
        services=[service],
        touch_points=[counter],
    )
    services.add_team_member(audit, by=quality_manager, user=auditor, role="lead")
    audit.refresh_from_db()
    return audit


def sign_both(audit, auditor_side, auditee_side):
    services.save_agreement(audit, by=auditee_side, scope="La sucursal de Arica.")
    services.sign_agreement(audit, by=auditor_side, side="auditor")
    services.sign_agreement(audit, by=auditee_side, side="auditee")


@pytest.fixture
def major(organization):
    return Grade.objects.create(
        organization=organization,
        code="major",
        label="No conformidad mayor",
        kind=GradeKind.NONCONFORMITY,
        severity=3,
    )


@pytest.fixture
def peer(other_organization):
    """An auditor of the other organisation of the network."""
    user = UserFactory(username="peer", first_name="Núria", last_name="Casals")
    MembershipFactory(user=user, organization=other_organization, role=Role.AUDITOR)
    return user


@pytest.fixture
def external(db):
    """An outside auditor: an account that belongs to no organisation."""
    return UserFactory(username="extern", first_name="Elena", last_name="Ríos")


def window(days_before=1, days_after=30):
    now = timezone.now()
    return now - dt.timedelta(days=days_before), now + dt.timedelta(days=days_after)
