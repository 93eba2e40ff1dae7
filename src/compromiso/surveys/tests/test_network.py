"""The network analyst sees each organisation's satisfaction against the network (institutional
weights), aggregates only; nobody else sees the page."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.core.actors import SYSTEM
from compromiso.organizations.services import grant_network_role
from compromiso.organizations.tests.factories import UserFactory
from compromiso.surveys import services

pytestmark = pytest.mark.django_db
SCALE = {"kind": "scale", "scale_min": 1, "scale_max": 7, "satisfied_min": 6, "dissatisfied_max": 4}


def _survey(organization, scores):
    service = ServiceFactory(organization=organization)
    questionnaire = services.create_questionnaire(
        organization,
        by=SYSTEM,
        title="Enquesta",
        language=organization.language,
        questions=[{**SCALE, "texts": {"es": "General"}, "is_overall": True}],
    )
    wave = services.create_wave(
        organization,
        by=SYSTEM,
        questionnaire=questionnaire,
        title="2026",
        kind="continuous",
        services=[service],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
    )
    services.open_wave(wave, by=SYSTEM)
    overall = questionnaire.questions.get()
    for score in scores:
        services.submit_response(wave, service=service, answers={overall.pk: score})
    return wave


def test_the_analyst_compares_institutions_and_others_get_404(
    client, organization, other_organization, quality_manager
):
    _survey(organization, [7] * 36 + [2] * 4)  # 90 % satisfied
    _survey(other_organization, [6] * 16 + [3] * 24)  # 40 % satisfied
    analyst = UserFactory(username="analyst")
    grant_network_role(user=analyst, by=SYSTEM)

    client.force_login(quality_manager)
    assert client.get(reverse("surveys:network")).status_code == 404
    client.force_login(analyst)
    page = client.get(reverse("surveys:network")).content.decode()

    assert "65,0 %" in page  # (90 + 40) / 2: every institution weighs the same
    assert "Servicio Nacional de Ejemplo" in page
    assert "Ajuntament d&#x27;Exemple" in page
    assert "por encima" in page
    assert "por debajo" in page


def test_an_institution_with_few_answers_is_not_shown(client, organization):
    _survey(organization, [7] * 10)
    analyst = UserFactory(username="analyst")
    grant_network_role(user=analyst, by=SYSTEM)
    client.force_login(analyst)

    page = client.get(reverse("surveys:network")).content.decode()

    assert "pocas respuestas" in page
