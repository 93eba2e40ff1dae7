"""The public home page links to each organisation's open surveys (not drafts, closed or
internal-customer waves)."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.surveys import services
from compromiso.surveys.tests import conftest as survey_fixtures

pytestmark = pytest.mark.django_db

licences = survey_fixtures.licences
permits = survey_fixtures.permits
questionnaire = survey_fixtures.questionnaire
wave = survey_fixtures.wave


def _wave(organization, quality_manager, questionnaire, service, title, **extra):
    return services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title=title,
        kind="baseline",
        services=[service],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
        **extra,
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", "Encuestas abiertas"), ("ca", "Enquestes obertes"), ("en", "Open surveys")],
)
def test_the_home_page_links_to_the_open_surveys(
    client, organization, quality_manager, questionnaire, wave, licences, language, words
):
    draft = _wave(organization, quality_manager, questionnaire, licences, "Borrador")
    internal_service = ServiceFactory(organization=organization, audience="internal")
    internal = services.open_wave(
        _wave(
            organization,
            quality_manager,
            questionnaire,
            internal_service,
            "Interna",
            audience="internal",
        ),
        by=quality_manager,
    )
    client.cookies["compromiso_language"] = language

    page = client.get(reverse("portal:home")).content.decode()

    assert words in page
    assert reverse("portal:survey", args=[wave.token]) in page
    assert reverse("portal:survey", args=[draft.token]) not in page
    assert reverse("portal:survey", args=[internal.token]) not in page
