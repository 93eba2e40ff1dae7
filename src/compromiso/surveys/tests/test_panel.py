"""Panel waves: the same invited people measured twice, compared person by person, without
their addresses being kept."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.catalog.models import Service
from compromiso.surveys import services
from compromiso.surveys.figures import panel_change
from compromiso.surveys.models import Response, Wave
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db

PEOPLE = ["ana@example.cl", "beto@example.cl", "carla@example.cl", "dario@example.cl"]


@pytest.fixture
def follow_up(organization, quality_manager, questionnaire, wave, licences):
    Wave.objects.filter(pk=wave.pk).update(panel=True)
    wave.refresh_from_db()
    created = services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Seguimiento 2026",
        kind="follow_up",
        services=[licences],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
        previous=wave,
        panel=True,
    )
    Wave.objects.filter(pk=created.pk).update(min_publish=3)
    created.refresh_from_db()
    return services.open_wave(created, by=quality_manager)


def _answer(wave, licences, quality_manager, grades, people=PEOPLE):
    invitations = services.invite(wave, by=quality_manager, service=licences, emails=people)
    for invitation, grade in zip(invitations, grades, strict=True):
        services.submit_response(
            wave, service=licences, answers=answers_for(wave, grade), invitation=invitation
        )


def test_the_same_people_are_compared_person_by_person(wave, follow_up, licences, quality_manager):
    _answer(wave, licences, quality_manager, [4, 4, 5, 6])
    _answer(follow_up, licences, quality_manager, [7, 6, 7, 6], people=[p.upper() for p in PEOPLE])
    services.submit_response(follow_up, service=licences, answers=answers_for(follow_up, 1))

    found = panel_change(follow_up, Service.objects.all())

    assert found is not None
    assert found.pairs == 4  # the anonymous public answer is not paired; case is ignored
    assert found.change is not None
    assert found.change.difference == pytest.approx(125.0)  # mean of d = (2, 2, 1, 0)
    assert found.change.se == pytest.approx(100 * (2.75 / 3) ** 0.5 / 2)
    keys = set(Response.objects.exclude(panel_key="").values_list("panel_key", flat=True))
    assert len(keys) == 4
    assert not any("@" in key for key in keys)


def test_a_wave_that_is_not_a_panel_keeps_no_key(wave, licences, quality_manager):
    _answer(wave, licences, quality_manager, [4, 4, 5, 6])

    assert not Response.objects.exclude(panel_key="").exists()
    assert panel_change(wave, Service.objects.all()) is None


def test_too_few_pairs_give_no_test_and_the_page_says_so(
    client, wave, follow_up, licences, quality_manager
):
    _answer(wave, licences, quality_manager, [4, 4], people=PEOPLE[:2])
    _answer(follow_up, licences, quality_manager, [7, 6], people=PEOPLE[:2])

    found = panel_change(follow_up, Service.objects.all())
    client.force_login(quality_manager)
    page = client.get(reverse("surveys:wave", args=[follow_up.pk])).content.decode()
    export = b"".join(
        client.get(reverse("surveys:export", args=[follow_up.pk, "csv"])).streaming_content
    ).decode()

    assert found is not None
    assert found.pairs == 2
    assert found.change is None
    assert "Panel: 2" in page
    assert Response.objects.filter(wave=follow_up).first().panel_key not in export
