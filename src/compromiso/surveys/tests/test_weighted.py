"""The wave's overall score weighted by the users of each stratum (post-stratification)."""

import pytest
from django.urls import reverse

from compromiso.catalog.models import Service
from compromiso.insights.figures import wave_figures, weighted_total
from compromiso.surveys import services
from compromiso.surveys.models import Stratum
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


def _answer(wave, licences, permits):
    for _ in range(3):
        services.submit_response(wave, service=licences, answers=answers_for(wave, 7))
    for _ in range(9):
        services.submit_response(wave, service=permits, answers=answers_for(wave, 1))


def test_each_stratum_counts_by_its_users_not_by_its_answers(wave, licences, permits):
    Stratum.objects.create(wave=wave, service=licences, population=900)
    Stratum.objects.create(wave=wave, service=permits, population=100)
    _answer(wave, licences, permits)

    raw = wave_figures(wave, Service.objects.all()).total
    weighted = weighted_total(wave, Service.objects.all())

    assert raw is not None
    assert raw.summary.net is not None
    assert raw.summary.net.value == pytest.approx(-50.0)  # 3 delighted, 9 unhappy answers
    assert weighted is not None
    assert weighted.summary is not None
    assert weighted.summary.net is not None
    assert weighted.summary.net.value == pytest.approx(80.0)  # 0.9 × 100 + 0.1 × (−100)
    assert weighted.summary.n == 12
    assert weighted.summary.effective_n < 12  # weighting costs precision


def test_a_stratum_without_answers_is_named_and_no_figure_made_up(
    client, wave, licences, permits, quality_manager
):
    Stratum.objects.create(wave=wave, service=licences, population=900)
    Stratum.objects.create(wave=wave, service=permits, population=100)
    services.submit_response(wave, service=licences, answers=answers_for(wave, 7))

    weighted = weighted_total(wave, Service.objects.all())

    assert weighted is not None
    assert weighted.summary is None
    assert weighted.missing == [permits.name]
    client.force_login(quality_manager)
    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()
    assert permits.name in page


def test_without_strata_there_is_no_weighted_figure(wave, licences, permits):
    _answer(wave, licences, permits)

    assert weighted_total(wave, Service.objects.all()) is None
