"""A small world for the evidence and findings tests (fixtures imported by name): the Arica
branch's web touch point and counter, a service, a charter commitment with measurements, cases
received and answered in the audited period (January to June 2026, America/Santiago), a
survey wave with answers, protocol observations and a sample of cases."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from compromiso.audits.models import SamplingRecord
from compromiso.cases import services as cases
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory
from compromiso.charters import services as charters
from compromiso.charters.models import Measurement
from compromiso.core.actors import PUBLIC, SYSTEM
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory
from compromiso.servicemodel import services as servicemodel
from compromiso.servicemodel.services import StepInput
from compromiso.surveys import services as surveys

SANTIAGO = ZoneInfo("America/Santiago")


def local(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SANTIAGO)


@pytest.fixture
def web(organization):
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


@pytest.fixture
def phone(organization):
    return ChannelFactory(organization=organization, kind="phone", name="Teléfono")


@pytest.fixture
def licences(organization, branch):
    return ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")


@pytest.fixture
def web_point(organization, branch, web):
    return TouchPointFactory(organization=organization, unit=branch, channel=web, name="Web Arica")


@pytest.fixture
def counter(organization, branch):
    channel = ChannelFactory(organization=organization, kind="in_person", name="Oficinas")
    return TouchPointFactory(
        organization=organization, unit=branch, channel=channel, name="Mesón Arica"
    )


@pytest.fixture
def second_auditor(organization):
    user = UserFactory(username="auditor2")
    MembershipFactory(user=user, organization=organization, role=Role.AUDITOR)
    return user


def receive(organization, channel, service, moment, kind="complaint"):
    case, _secret = cases.receive_case(
        organization=organization,
        kind=kind,
        channel=channel,
        service=service,
        subject="Demora en la atención",
        description="Esperé dos horas en la fila.",
        requester_name="Ana Pérez",
        requester_email="ana@example.com",
        requester_phone="+56 9 1234 5678",
        received_at=moment,
        by=PUBLIC,
    )
    return case


def answer(case, officer, moment):
    with time_machine.travel(moment, tick=False):
        cases.assign_case(case, assignee=officer, by=officer)
        cases.answer_case(case, answer="Respondido.", by=officer)
    case.refresh_from_db()
    return case


@pytest.fixture
def period_cases(organization, web, phone, licences, officer):
    """Three complaints at the web touch point in March (two answered within the deadline, one
    late), one received at 23:30 on the period's last day, one half an hour after the period
    and one by phone."""
    march = [receive(organization, web, licences, local(dt.date(2026, 3, 2))) for _ in range(3)]
    answer(march[0], officer, local(dt.date(2026, 3, 3), 12))
    answer(march[1], officer, local(dt.date(2026, 3, 4), 12))
    answer(march[2], officer, local(dt.date(2026, 5, 4), 12))  # past its deadline
    last = receive(organization, web, licences, local(dt.date(2026, 6, 30), 23, 30))
    after = receive(organization, web, licences, local(dt.date(2026, 7, 1), 0, 30))
    by_phone = receive(organization, phone, licences, local(dt.date(2026, 3, 2)))
    return {"march": march, "last": last, "after": after, "phone": by_phone}


@pytest.fixture
def commitment(organization, quality_manager, licences):
    charter = charters.create_charter(
        organization,
        by=quality_manager,
        title="Carta de servicios",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        services=[licences],
    )
    return charters.save_commitment(
        charter,
        by=quality_manager,
        service=licences,
        text="Respondemos sus reclamos en 10 días hábiles.",
        indicator="% de reclamos respondidos en 10 días hábiles",
        source="cases_within_days",
        threshold_days=10,
        case_kind="complaint",
        comparator="gte",
        target=90,
        periodicity="monthly",
    )


def measure(commitment, start, value, compliance):
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return Measurement.objects.create(
        commitment=commitment,
        period_start=start,
        period_end=end,
        value=None if value is None else Decimal(value),
        n=10 if value is not None else 0,
        compliance=compliance,
        computed_at=timezone.now(),
    )


@pytest.fixture
def measurements(commitment):
    """December (outside the period), then January met, February not met, March no data."""
    return [
        measure(commitment, dt.date(2025, 12, 1), "99", "met"),
        measure(commitment, dt.date(2026, 1, 1), "95", "met"),
        measure(commitment, dt.date(2026, 2, 1), "80", "not_met"),
        measure(commitment, dt.date(2026, 3, 1), None, "no_data"),
    ]


@pytest.fixture
def wave(organization, quality_manager, licences):
    questionnaire = surveys.create_questionnaire(
        organization,
        by=quality_manager,
        title="Encuesta de satisfacción",
        language="es",
        questions=[
            {
                "kind": "scale",
                "texts": {"es": "Satisfacción general"},
                "scale_min": 1,
                "scale_max": 7,
                "satisfied_min": 6,
                "dissatisfied_max": 4,
                "is_overall": True,
            }
        ],
    )
    created = surveys.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Medición 2026",
        kind="baseline",
        services=[licences],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
    )
    created.min_publish = 3
    created.save()
    return surveys.open_wave(created, by=quality_manager)


def respond(wave, service, grade, **extra):
    question = wave.questionnaire.questions.get()
    return surveys.submit_response(wave, service=service, answers={question.pk: grade}, **extra)


@pytest.fixture
def web_answers(wave, licences, web):
    """Ten answers through the web by members of the public: six satisfied (7), two neutral
    (5), two dissatisfied (2) → net 40 points; two more by phone that the segment leaves out."""
    for grade in [7] * 6 + [5] * 2 + [2] * 2:
        respond(wave, licences, grade, channel=web, user_type="citizen")
    respond(wave, licences, 1, user_type="business")
    respond(wave, licences, 1, user_type="business")


@pytest.fixture
def protocol(organization):
    draft = servicemodel.create_protocol(
        organization,
        by=SYSTEM,
        name="Atención presencial",
        purpose="El mismo trato en cada oficina.",
        channel_kind="in_person",
        steps=[
            StepInput("Saludar e identificarse", "Con su nombre."),
            StepInput("Escuchar sin interrumpir", "Deja terminar a la persona."),
            StepInput("Cerrar y ofrecer la encuesta", "Entrega la encuesta."),
        ],
    )
    return servicemodel.activate_protocol(draft, by=SYSTEM)


def observe(protocol, point, day, *outcomes):
    steps = list(protocol.steps.all())
    return servicemodel.record_protocol_check(
        protocol,
        point,
        by=SYSTEM,
        observed_on=day,
        method="audit",
        results={step.pk: (outcome, "") for step, outcome in zip(steps, outcomes, strict=True)},
    )


@pytest.fixture
def observations(protocol, counter):
    """In the period: met, met, not met; after it (July): everything met."""
    observe(protocol, counter, dt.date(2026, 3, 10), "met", "met", "not_met")
    observe(protocol, counter, dt.date(2026, 7, 10), "met", "met", "met")


@pytest.fixture
def case_sample(audit, period_cases):
    march = period_cases["march"]
    return SamplingRecord.objects.create(
        audit=audit,
        title="Reclamos de marzo",
        population="cases",
        population_size=4,
        sample_size=3,
        method="random",
        seed=20260701,
        items=[march[0].pk, march[2].tracking_code, 987654321],
        drawn_at=timezone.now(),
    )
