import datetime as dt

import pytest

from compromiso.catalog.tests.factories import AttributeFactory, ChannelFactory, ServiceFactory
from compromiso.surveys import services


@pytest.fixture
def web(organization):
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


@pytest.fixture
def licences(organization, branch):
    return ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")


@pytest.fixture
def permits(organization, other_branch):
    return ServiceFactory(organization=organization, provider_unit=other_branch, name="Permisos")


@pytest.fixture
def questionnaire(organization, quality_manager, licences):
    speed = AttributeFactory(service=licences, name="Rapidez")
    return services.create_questionnaire(
        organization,
        by=quality_manager,
        title="Encuesta de satisfacción",
        language="es",
        questions=[
            {
                "kind": "scale",
                "texts": {"es": "Satisfacción general", "ca": "Satisfacció general"},
                "scale_min": 1,
                "scale_max": 7,
                "satisfied_min": 6,
                "dissatisfied_max": 4,
                "is_overall": True,
            },
            {
                "kind": "scale",
                "texts": {"es": "Rapidez de la atención"},
                "scale_min": 1,
                "scale_max": 7,
                "satisfied_min": 6,
                "dissatisfied_max": 4,
                "attribute": speed,
            },
            {"kind": "yes_no", "texts": {"es": "¿Resolvió su trámite?"}},
            {"kind": "text", "texts": {"es": "¿Qué mejoraría?"}, "required": False},
        ],
    )


@pytest.fixture
def wave(organization, quality_manager, questionnaire, licences, permits):
    created = services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Medición 2026",
        kind="baseline",
        services=[licences, permits],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
    )
    created.min_publish = 3
    created.save()
    return services.open_wave(created, by=quality_manager)


def answers_for(wave, overall, speed=6, solved="yes", text=""):
    questions = list(wave.questionnaire.questions.all())
    return {
        questions[0].pk: overall,
        questions[1].pk: speed,
        questions[2].pk: solved,
        questions[3].pk: text,
    }
