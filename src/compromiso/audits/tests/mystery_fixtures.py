"""Fixtures of the mystery-shopping tests (imported by name into each test module): the counter
of the Arica branch with a counter protocol of three steps in force, a phone line in Temuco
with none, a scenario for each, and a round over both in the first two weeks of March 2026
observed by the auditor."""

import datetime as dt

import pytest

from compromiso.audits import services
from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory
from compromiso.servicemodel.tests import protocol_fixtures

counter = protocol_fixtures.counter
phone = protocol_fixtures.phone
protocol = protocol_fixtures.protocol
protocol_draft = protocol_fixtures.protocol_draft

MARCH = (dt.date(2026, 3, 2), dt.date(2026, 3, 13))  # Monday 2 to Friday 13


@pytest.fixture
def certificates(organization, branch):
    return ServiceFactory(organization=organization, provider_unit=branch, name="Certificados")


@pytest.fixture
def counter_scenario(organization, certificates):
    return services.save_scenario(
        organization,
        by=SYSTEM,
        service=certificates,
        channel_kind="in_person",
        title="Certificado de nacimiento para un hijo",
        persona="Madre de un recién nacido, sin cita previa.",
        script="Pide un certificado de nacimiento y pregunta cuánto tarda.",
        expected_outcome="Sale con el certificado en menos de 15 minutos.",
    )


@pytest.fixture
def phone_scenario(organization, certificates):
    return services.save_scenario(
        organization,
        by=SYSTEM,
        service=certificates,
        channel_kind="phone",
        title="Consulta telefónica por requisitos",
        script="Llama y pregunta qué documentos necesita para un certificado.",
        expected_outcome="Recibe la lista completa de requisitos.",
    )


@pytest.fixture
def second_auditor(organization):
    user = UserFactory(username="auditor2", first_name="Berta")
    MembershipFactory(user=user, organization=organization, role=Role.AUDITOR)
    return user


@pytest.fixture
def mystery_round(
    organization, quality_manager, auditor, counter, phone, counter_scenario, phone_scenario
):
    return services.create_round(
        organization,
        by=quality_manager,
        reference="MS-2026-01",
        title="Cliente incógnito de marzo",
        planned_start=MARCH[0],
        planned_end=MARCH[1],
        touch_points=[counter, phone],
        scenarios=[counter_scenario, phone_scenario],
        observers=[auditor],
        visits_per_stratum=3,
    )


@pytest.fixture
def scheduled(mystery_round, quality_manager):
    services.schedule_round(mystery_round, by=quality_manager, seed=20260302)
    return mystery_round


def visit_at(round_, touch_point, index=0):
    return round_.visits.filter(touch_point=touch_point).order_by("number")[index]


def moment(day, hour=10):
    return dt.datetime(2026, 3, day, hour, 30, tzinfo=dt.UTC)


ALL_MET = {"outcome": ("met", ""), "information": ("met", "")}
