"""Fixtures of the fieldwork tests (imported by name into the app's conftest): an audit of the
northern region in fieldwork, with two touch points in scope (the Arica counter and the Arica
phone line), a third touch point outside it (the Temuco counter), and a published charter.

The charter (whole organisation) has one service offered on every channel and three
commitments: one general, one tied to the phone channel, one tied to the Temuco counter. At the
two touch points in scope that makes 1 + 1 (general) + 1 (phone) = 3 commitment items."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from compromiso.audits.models import AuditStatus
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory
from compromiso.charters.models import Charter, CharterStatus, Commitment
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def in_english(settings, client):
    """Messages and pages in English (the msgids), as if chosen with the language switcher."""
    settings.LANGUAGE_CODE = "en"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")


@pytest.fixture
def in_person(organization):
    return ChannelFactory(organization=organization, kind="in_person", name="Oficinas")


@pytest.fixture
def phone_channel(organization):
    return ChannelFactory(organization=organization, kind="phone", name="Teléfono")


@pytest.fixture
def arica_counter(organization, branch, in_person):
    return TouchPointFactory(
        organization=organization, unit=branch, channel=in_person, name="Mesón Arica"
    )


@pytest.fixture
def arica_phone(organization, branch, phone_channel):
    return TouchPointFactory(
        organization=organization, unit=branch, channel=phone_channel, name="Fono Arica"
    )


@pytest.fixture
def temuco_counter(organization, other_branch, in_person):
    return TouchPointFactory(
        organization=organization, unit=other_branch, channel=in_person, name="Mesón Temuco"
    )


@pytest.fixture
def field_audit(audit, region, arica_counter, arica_phone):
    audit.unit = region
    audit.status = AuditStatus.FIELDWORK
    audit.save()
    audit.touch_points.set([arica_counter, arica_phone])
    return audit


def _commitment(charter, service, order, text, **extra):
    return Commitment.objects.create(
        charter=charter,
        service=service,
        order=order,
        text=text,
        indicator="% de casos en plazo",
        source="cases_on_time",
        target=Decimal("90"),
        **extra,
    )


@pytest.fixture
def charter(organization, branch, phone_channel, temuco_counter):
    service = ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")
    charter = Charter.objects.create(
        organization=organization,
        title="Carta de servicios",
        status=CharterStatus.PUBLISHED,
        profile="cl_public",
        language="es",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
    )
    charter.services.set([service])
    _commitment(charter, service, 1, "Le atendemos en menos de 15 minutos.")
    _commitment(charter, service, 2, "Contestamos el 90 % de las llamadas.", channel=phone_channel)
    _commitment(charter, service, 3, "En Temuco, sala de espera.", touch_point=temuco_counter)
    return charter


@pytest.fixture
def team_auditor(organization):
    """An auditor of the organisation: conducts every audit of it."""
    user = UserFactory(username="field-auditor")
    MembershipFactory(user=user, organization=organization, role=Role.AUDITOR)
    return user


@pytest.fixture
def temuco_head(organization, other_branch):
    user = UserFactory(username="temuco-head")
    MembershipFactory(user=user, organization=organization, unit=other_branch, role=Role.UNIT_HEAD)
    return user
