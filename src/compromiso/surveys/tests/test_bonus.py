"""The quality bonus: a target path over a baseline, tranches, immutable yearly results with
the data they used, and whether each target can be told from chance with the wave's sample."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from compromiso.surveys import services
from compromiso.surveys.models import IncentiveResult
from compromiso.surveys.services import incentives
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db

PATH = [{"year": 2026, "increase": "1.5"}, {"year": 2027, "increase": "1.0"}]
TRANCHES = [
    {"achievement": 100, "share": 100},
    {"achievement": 75, "share": 50},
    {"achievement": 50, "share": 25},
]


def _fill(wave, licences, scores):
    for score in scores:
        services.submit_response(wave, service=licences, answers=answers_for(wave, score))


@pytest.fixture
def follow_up(organization, quality_manager, questionnaire, licences, wave):
    later = services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Seguimiento",
        kind="follow_up",
        services=[licences],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 12, 31),
        previous=wave,
    )
    return services.open_wave(later, by=quality_manager)


@pytest.fixture
def scheme(organization, quality_manager, wave, licences):
    _fill(wave, licences, [7] * 6 + [5] * 2 + [3] * 2)  # 60 % − 20 % = 40 points
    return incentives.create_scheme(
        organization,
        by=quality_manager,
        title="Bonificación por calidad de atención",
        legal_basis="Ley 20.342",
        baseline_wave=wave,
        target_path=PATH,
        tranches=TRANCHES,
    )


def test_the_scheme_captures_its_baseline_and_path(scheme):
    assert scheme.baseline_value == Decimal("40.00")
    assert [(y, t) for y, _i, t in incentives.targets(scheme)] == [
        (2026, Decimal("41.50")),
        (2027, Decimal("42.50")),
    ]


def test_the_power_table_says_a_small_sample_cannot_see_one_and_a_half_points(scheme):
    rows = incentives.power_table(scheme)

    assert rows[0]["needed"] > 10_000  # V = 0.64: about 45,000 per wave for +1.5
    assert rows[0]["detectable"] is False


def test_a_year_is_recorded_once_with_its_share(scheme, follow_up, licences, quality_manager):
    _fill(follow_up, licences, [7] * 7 + [5] * 2 + [3] * 1)  # 70 % − 10 % = 60 points

    result = incentives.record_result(scheme, year=2026, wave=follow_up, by=quality_manager)

    assert (result.value, result.target) == (Decimal("60.00"), Decimal("41.50"))
    assert result.achievement > 100
    assert result.share == Decimal("100")
    assert result.n == 10
    assert result.detectable is False
    assert len(result.data_sha256) == 64
    with pytest.raises(incentives.BonusError):
        incentives.record_result(scheme, year=2026, wave=follow_up, by=quality_manager)
    result.value = Decimal(99)
    with pytest.raises(ValueError, match="immutable"):
        result.save()
    assert IncentiveResult.objects.get().value == Decimal("60.00")


def test_partial_achievement_earns_its_tranche():
    tranches = incentives.clean_tranches(TRANCHES)

    assert incentives.share_for(Decimal("80"), tranches) == Decimal("50")
    assert incentives.share_for(Decimal("49.9"), tranches) == Decimal("0")


@pytest.mark.parametrize(
    ("path", "tranches"),
    [
        ([], TRANCHES),
        ([{"year": 2027, "increase": 1}, {"year": 2026, "increase": 1}], TRANCHES),
        ([{"year": 2026, "increase": "-1"}], TRANCHES),
        ([{"year": 2026, "increase": "NaN"}], TRANCHES),
        ([{"year": 2026, "increase": "abc"}], TRANCHES),
        (PATH, [{"achievement": 100, "share": 50}, {"achievement": 50, "share": 80}]),
        (PATH, [{"achievement": 300, "share": 100}]),
    ],
)
def test_incoherent_schemes_are_refused(
    organization, quality_manager, wave, licences, path, tranches
):
    _fill(wave, licences, [7, 6, 2])
    with pytest.raises(ValidationError):
        incentives.create_scheme(
            organization,
            by=quality_manager,
            title="Mal",
            baseline_wave=wave,
            target_path=path,
            tranches=tranches,
        )


def test_a_year_outside_the_path_or_the_baseline_wave_is_refused(scheme, wave, quality_manager):
    with pytest.raises(ValidationError):
        incentives.record_result(scheme, year=2030, wave=wave, by=quality_manager)
    with pytest.raises(ValidationError):
        incentives.record_result(scheme, year=2026, wave=wave, by=quality_manager)


def test_the_bonus_pages(client, quality_manager, viewer, scheme, follow_up, licences):
    from django.urls import reverse

    _fill(follow_up, licences, [7] * 5)
    client.force_login(viewer)
    assert client.get(reverse("surveys:bonus")).status_code == 403
    assert client.get(reverse("surveys:bonus_scheme", args=[scheme.pk])).status_code == 404
    client.force_login(quality_manager)

    page = client.get(reverse("surveys:bonus_scheme", args=[scheme.pk])).content.decode()
    client.post(
        reverse("surveys:bonus_record", args=[scheme.pk]), {"year": 2026, "wave": follow_up.pk}
    )
    after = client.get(reverse("surveys:bonus_scheme", args=[scheme.pk])).content.decode()
    bad = client.post(
        reverse("surveys:bonus_new"),
        {
            "title": "X",
            "metric": "net_score",
            "baseline_wave": scheme.baseline_wave_id,
            "target_path": "2026 1,5 extra",
            "tranches": "100: 100",
        },
    )

    assert "Ley 20.342" in page
    assert "41,50" in page  # the 2026 target, in Spanish notation
    assert IncentiveResult.objects.get().year == 2026
    assert "100.0 %" in after or "100,0 %" in after
    assert bad.status_code == 200
    assert IncentiveResult.objects.count() == 1
