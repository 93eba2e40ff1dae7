"""The wave's overall score weighted by the users of each stratum (post-stratification)."""

import pytest
from django.urls import reverse

from compromiso.catalog.models import Service
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.surveys import services
from compromiso.surveys.figures import raked_total, sample_progress, wave_figures, weighted_total
from compromiso.surveys.models import Stratum, Wave
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


@pytest.fixture
def channels(organization):
    return ChannelFactory(organization=organization, kind="web", name="Web"), ChannelFactory(
        organization=organization, kind="counter", name="Mesón"
    )


def _by_channel(wave, licences, channels, *, web=6, counter=6, unknown=0):
    online, desk = channels
    for _ in range(web):
        services.submit_response(
            wave, service=licences, channel=online, answers=answers_for(wave, 1)
        )
    for _ in range(counter):
        services.submit_response(wave, service=licences, channel=desk, answers=answers_for(wave, 7))
    for _ in range(unknown):
        services.submit_response(wave, service=licences, answers=answers_for(wave, 7))


def test_answers_are_raked_to_the_users_shares_by_channel(
    wave, licences, channels, quality_manager
):
    online, desk = channels
    _by_channel(wave, licences, channels, unknown=2)
    services.set_weight_targets(
        wave, by=quality_manager, targets={"channel": {online.pk: 25, desk.pk: 75}}
    )

    raked = raked_total(wave, Service.objects.all())

    assert raked is not None
    assert raked.summary is not None
    assert raked.summary.net is not None
    assert raked.summary.net.value == pytest.approx(50.0)  # 0.25 × (−100) + 0.75 × 100
    assert raked.left_out == 2  # the answers with no channel
    assert raked.summary.effective_n == pytest.approx(12 * 12 / (6 * 0.25 + 6 * 2.25))


def test_a_target_without_answers_is_named_and_no_figure_made_up(
    wave, licences, channels, quality_manager
):
    online, desk = channels
    _by_channel(wave, licences, channels, counter=0)
    services.set_weight_targets(
        wave, by=quality_manager, targets={"channel": {online.pk: 40, desk.pk: 60}}
    )

    raked = raked_total(wave, Service.objects.all())

    assert raked is not None
    assert raked.summary is None
    assert "Mesón" in raked.problem


def test_the_targets_page_checks_the_shares(
    client, wave, channels, quality_manager, viewer, other_organization
):
    online, desk = channels
    foreign = ChannelFactory(organization=other_organization)
    url = reverse("surveys:weight_targets", args=[wave.pk])
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(quality_manager)

    wrong_total = client.post(url, {f"channel_{online.pk}": "30", f"channel_{desk.pk}": "30"})
    not_a_number = client.post(
        url, {f"channel_{online.pk}": "<script>", f"channel_{desk.pk}": "1e9"}
    )
    crafted = client.post(url, {f"channel_{foreign.pk}": "100"})
    wave.refresh_from_db()
    assert wave.weight_targets == {}
    assert "60.0" in wrong_total.content.decode()
    assert wrong_total.status_code == not_a_number.status_code == 200
    assert "<script>" not in not_a_number.content.decode()
    assert crafted.status_code == 302  # a field of another organisation is simply not a field
    assert Wave.objects.get(pk=wave.pk).weight_targets == {}

    saved = client.post(url, {f"channel_{online.pk}": "25", f"channel_{desk.pk}": "75"})

    assert saved.status_code == 302
    wave.refresh_from_db()
    assert wave.weight_targets == {"channel": {str(online.pk): 25.0, str(desk.pk): 75.0}}
    assert client.get(url).content.decode().count('value="25') == 1


def test_a_weighted_figure_under_the_wave_minimum_is_not_shown(wave, licences, permits):
    Stratum.objects.create(wave=wave, service=licences, population=900)
    Stratum.objects.create(wave=wave, service=permits, population=100)
    services.submit_response(wave, service=licences, answers=answers_for(wave, 7))
    services.submit_response(wave, service=permits, answers=answers_for(wave, 1))

    weighted = weighted_total(wave, Service.objects.all())

    assert wave.min_publish == 3
    assert weighted is not None
    assert weighted.summary is None
    assert "3" in weighted.problem


def test_the_sample_design_sets_each_services_minimum_and_shows_progress(
    client, wave, licences, permits, quality_manager, viewer
):
    url = reverse("surveys:sample_design", args=[wave.pk])
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(quality_manager)
    for _ in range(3):
        services.submit_response(wave, service=licences, answers=answers_for(wave, 7))

    refused = [
        client.post(url, {"margin": "5", f"population_{licences.pk}": "0"}),
        client.post(url, {"margin": "5", f"population_{licences.pk}": "1000000000"}),
        client.post(url, {"margin": "90", f"population_{licences.pk}": "1000"}),
        client.post(url, {"margin": "<b>5</b>", f"population_{licences.pk}": "mil"}),
    ]
    assert all(r.status_code == 200 for r in refused)
    assert not Stratum.objects.exists()

    saved = client.post(url, {"margin": "5", f"population_{licences.pk}": "1000"})

    assert saved.status_code == 302
    wave.refresh_from_db()
    assert str(wave.margin) == "0.050"
    (progress,) = sample_progress(wave, Service.objects.all())
    assert (progress.population, progress.required, progress.n) == (1000, 278, 3)
    assert not progress.representative
    assert progress.percent == 1
    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()
    assert "278" in page
    assert 'max="100" value="1"' in page  # a <progress> element: it fills under the CSP
