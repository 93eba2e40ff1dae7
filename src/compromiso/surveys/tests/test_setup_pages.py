"""A quality manager creates a questionnaire from the services' attributes and a wave over it,
from the pages; others cannot; bad dates are explained."""

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import AttributeFactory
from compromiso.surveys.models import Questionnaire, Wave

pytestmark = pytest.mark.django_db


def test_a_questionnaire_from_the_attributes_then_a_wave(client, quality_manager, licences):
    AttributeFactory(service=licences, name="Rapidez")
    AttributeFactory(service=licences, name="Claridad")
    client.force_login(quality_manager)

    client.post(
        reverse("surveys:new_questionnaire"),
        {
            "title": "Encuesta de licencias",
            "language": "es",
            "scale": "1-7",
            "overall": "¿Qué nota le pone a la atención?",
            "services": [licences.pk],
            "solved": "on",
            "open_text": "on",
        },
    )
    questionnaire = Questionnaire.objects.get()
    kinds = list(questionnaire.questions.values_list("kind", "is_overall"))
    bad = client.post(
        reverse("surveys:new_wave"),
        {
            "title": "Medición",
            "questionnaire": questionnaire.pk,
            "kind": "baseline",
            "audience": "external",
            "services": [licences.pk],
            "opens_on": "2026-06-01",
            "closes_on": "2026-05-01",
        },
    )
    created = client.post(
        reverse("surveys:new_wave"),
        {
            "title": "Medición",
            "questionnaire": questionnaire.pk,
            "kind": "baseline",
            "audience": "external",
            "services": [licences.pk],
            "opens_on": "2026-06-01",
            "closes_on": "2026-12-31",
        },
    )

    assert kinds == [
        ("scale", True),
        ("scale", False),
        ("scale", False),
        ("yes_no", False),
        ("text", False),
    ]
    assert bad.status_code == 200
    assert "cerrarse después de abrirse" in bad.content.decode()
    wave = Wave.objects.get()
    assert created["Location"] == reverse("surveys:wave", args=[wave.pk])
    assert wave.status == "draft"


def test_only_survey_managers_create(client, unit_head):
    client.force_login(unit_head)

    assert client.get(reverse("surveys:new_questionnaire")).status_code == 403
    assert client.get(reverse("surveys:new_wave")).status_code == 403
