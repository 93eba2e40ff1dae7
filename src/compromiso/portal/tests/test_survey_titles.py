"""A survey's title is shown in the respondent's language, like its questions: the staff give
its translations when they create the questionnaire, and the main title stands in for a
missing one."""

import pytest
from django.urls import reverse

from compromiso.surveys import services
from compromiso.surveys.models import Questionnaire
from compromiso.surveys.tests import conftest as survey_fixtures

pytestmark = pytest.mark.django_db

licences = survey_fixtures.licences
permits = survey_fixtures.permits
questionnaire = survey_fixtures.questionnaire
wave = survey_fixtures.wave


@pytest.mark.parametrize(
    ("language", "title", "question"),
    [
        ("es", "Encuesta de satisfacción", "Satisfacción general"),
        ("ca", "Enquesta de satisfacció", "Satisfacció general"),
        ("en", "Encuesta de satisfacción", "Satisfacción general"),  # no English: the main one
    ],
)
def test_the_title_follows_the_language_like_the_questions(client, wave, language, title, question):
    wave.questionnaire.titles = {"ca": "Enquesta de satisfacció"}
    wave.questionnaire.save()
    client.cookies["compromiso_language"] = language

    page = client.get(reverse("portal:survey", args=[wave.token])).content.decode()
    kiosk = client.get(reverse("portal:survey_kiosk", args=[wave.token])).content.decode()
    home = client.get(reverse("portal:home")).content.decode()

    assert f'<h1 class="h3">{title}</h1>' in page
    assert question in page
    assert f'<h1 class="h2">{title}</h1>' in kiosk
    assert f">{title}</a>" in home


def test_the_staff_give_the_title_in_each_language(client, quality_manager, licences):
    client.force_login(quality_manager)

    form = client.get(reverse("surveys:new_questionnaire")).content.decode()
    client.post(
        reverse("surveys:new_questionnaire"),
        {
            "title": "Encuesta de licencias",
            "title_es": "",
            "title_ca": "Enquesta de llicències",
            "title_en": "Licence survey",
            "language": "es",
            "scale": "1-7",
            "overall": "¿Qué nota le pone a la atención?",
        },
    )

    assert 'name="title_ca"' in form
    created = Questionnaire.objects.get()
    assert created.titles == {"ca": "Enquesta de llicències", "en": "Licence survey"}
    again = services.new_version(created, by=quality_manager)
    assert again.titles == created.titles
