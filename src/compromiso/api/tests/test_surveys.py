"""Survey figures through the API: scoped like the dashboard, nothing published under the
wave's minimum, bad ids refused."""

import pytest

from compromiso.surveys import services
from compromiso.surveys.tests import conftest as survey_fixtures
from compromiso.surveys.tests import test_panel as panel_tests
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db

licences = survey_fixtures.licences
permits = survey_fixtures.permits
questionnaire = survey_fixtures.questionnaire
wave = survey_fixtures.wave
follow_up = panel_tests.follow_up


def test_wave_figures_through_the_api(api_as, quality_manager, unit_head, wave, licences, permits):
    for score in (7, 7, 6, 5, 2):
        services.submit_response(wave, service=licences, answers=answers_for(wave, score))
    services.submit_response(wave, service=permits, answers=answers_for(wave, 7))

    listed = api_as(quality_manager).get("/waves").json()
    everything = api_as(quality_manager).get(f"/waves/{wave.pk}/figures").json()
    scoped = api_as(unit_head).get(f"/waves/{wave.pk}/figures").json()

    assert [w["title"] for w in listed["items"]] == ["Medición 2026"]
    assert everything["responses"] == 6
    by_service = {c["label"]: c for c in everything["by_service"]}
    assert by_service["Permisos"]["shown"] is False
    assert by_service["Permisos"]["net_score"] is None  # under the minimum: n only
    assert [c["label"] for c in scoped["by_service"]] == ["Licencias"]
    assert scoped["total"]["net_score"]["value"] == pytest.approx(40.0)
    # The net score's two halves: 3 of 5 satisfied, 1 of 5 dissatisfied.
    assert scoped["total"]["percent_satisfied"] == pytest.approx(60.0)
    assert scoped["total"]["percent_dissatisfied"] == pytest.approx(20.0)
    assert by_service["Permisos"]["percent_dissatisfied"] is None  # under the minimum


def test_drivers_need_enough_data_and_bad_ids_are_refused(api_as, quality_manager, outsider, wave):
    assert api_as(quality_manager).get(f"/waves/{wave.pk}/drivers").json() is None
    assert api_as(quality_manager).get("/waves/999999/figures").status_code == 404
    assert api_as(quality_manager).get("/waves/x/figures").status_code == 422
    assert api_as(outsider).get(f"/waves/{wave.pk}/figures").status_code == 404


def test_the_qr_code_of_the_public_link(client, wave):
    svg = client.get(f"/s/{wave.token}/qr.svg")
    png = client.get(f"/s/{wave.token}/qr.png")
    bad = client.get(f"/s/{wave.token}/qr.gif")

    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert png.content.startswith(b"\x89PNG")
    assert bad.status_code == 404


def test_weighted_figures_through_the_api(api_as, quality_manager, wave, licences, permits):
    from compromiso.surveys.models import Stratum

    Stratum.objects.create(wave=wave, service=licences, population=900)
    Stratum.objects.create(wave=wave, service=permits, population=100)
    for _ in range(3):
        services.submit_response(wave, service=licences, answers=answers_for(wave, 7))
        services.submit_response(wave, service=permits, answers=answers_for(wave, 1))

    weighted = api_as(quality_manager).get(f"/waves/{wave.pk}/figures").json()["weighted"]

    assert [w["method"] for w in weighted] == ["post_stratified"]
    assert weighted[0]["net_score"]["value"] == pytest.approx(80.0)
    assert weighted[0]["effective_n"] < 6
    assert weighted[0]["problem"] == ""


def test_segments_through_the_api(api_as, quality_manager, wave, licences):
    for grade, user_type in ((7, "citizen"), (7, "citizen"), (3, "citizen"), (7, "business")):
        services.submit_response(
            wave, service=licences, user_type=user_type, answers=answers_for(wave, grade)
        )

    figures = api_as(quality_manager).get(f"/waves/{wave.pk}/figures").json()

    (segment,) = figures["by_segment"]
    cells = {c["label"]: c for c in segment["cells"]}
    assert len(cells) == 2
    citizen = next(c for c in segment["cells"] if c["n"] == 3)
    assert citizen["net_score"]["value"] == pytest.approx(100 * (2 - 1) / 3)
    business = next(c for c in segment["cells"] if c["n"] == 1)
    assert business["shown"] is False
    assert business["net_score"] is None


def test_the_panel_change_through_the_api(api_as, quality_manager, wave, follow_up, licences):
    from compromiso.surveys.tests.test_panel import PEOPLE, _answer

    _answer(wave, licences, quality_manager, [4, 4, 5, 6])
    _answer(follow_up, licences, quality_manager, [7, 6, 7, 6])

    panel = api_as(quality_manager).get(f"/waves/{follow_up.pk}/figures").json()["panel"]
    plain = api_as(quality_manager).get(f"/waves/{wave.pk}/figures").json()["panel"]

    assert panel["pairs"] == len(PEOPLE)
    assert panel["change"]["difference"] == pytest.approx(125.0)
    assert plain is None  # the baseline has nothing to be compared with
