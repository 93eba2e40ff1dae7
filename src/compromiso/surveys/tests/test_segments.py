"""The overall score by segment of the respondents — user type, age band and segment
questions — read from counts kept with every response and import."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compromiso.catalog.models import Service
from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.surveys import imports, segments, services
from compromiso.surveys.figures import wave_figures
from compromiso.surveys.models import SegmentCount
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def visits(questionnaire):
    return questionnaire.questions.create(
        order=9,
        kind="single",
        is_segment=True,
        required=False,
        texts={"es": "Frecuencia de uso"},
        choices=[
            {"value": "first", "texts": {"es": "Primera vez"}},
            {"value": "often", "texts": {"es": "Habitual"}},
        ],
    )


def _counts():
    return sorted(SegmentCount.objects.values_list("service", "segment", "value", "score", "count"))


def test_each_response_counts_in_its_segments_like_a_recount(wave, licences, visits):
    for grade, user_type, use in (
        (7, "citizen", "first"),
        (7, "citizen", "first"),
        (2, "business", "often"),
        (6, "", "often"),
    ):
        services.submit_response(
            wave,
            service=licences,
            user_type=user_type,
            age_band="30_44",
            answers=answers_for(wave, grade) | {visits.pk: use},
        )
    kept = _counts()

    segments.rebuild(wave)

    assert _counts() == kept
    figures = wave_figures(wave, Service.objects.all())
    by_title = {title: {c.label: c for c in cells} for title, cells in figures.by_segment}
    assert set(by_title) == {"Tipo de persona usuaria", "Tramo de edad", "Frecuencia de uso"}
    first = by_title["Frecuencia de uso"]["Primera vez"].summary
    assert (first.n, first.net.value) == (2, 100.0)
    often = by_title["Frecuencia de uso"]["Habitual"].summary
    assert (often.n, often.net.value) == (2, 0.0)
    assert by_title["Tramo de edad"]["De 30 a 44"].summary.n == 4
    user_types = by_title["Tipo de persona usuaria"]
    assert not user_types["Empresa o profesional"].shown  # 1 answer, under the minimum


def test_an_import_counts_segments_like_a_recount(wave, licences, visits, quality_manager):
    uses = ["often", "first"]
    text = "servicio;tipo;edad;q1;q2;q3;q9\n" + "".join(
        f"{licences.code};citizen;u30;{1 + i % 7};{1 + (i * 3) % 7};sí;{uses[i % 2]}\n"
        for i in range(28)
    )
    job = imports.start_import(wave, SimpleUploadedFile("r.csv", text.encode()), by=quality_manager)
    job.mapping = imports.guess_mapping(job) | {f"q{visits.pk}": "q9"}
    job.save()
    assert imports.run_import(job).imported == 28  # repeated rows are other people, all kept
    kept = _counts()

    segments.rebuild(wave)

    assert _counts() == kept
    assert sum(c for *_k, c in kept if _k[1] == f"q{visits.pk}") == 28


def test_only_a_single_choice_question_can_be_a_segment(organization, quality_manager):
    with pytest.raises(ValidationError):
        services.create_questionnaire(
            organization,
            by=quality_manager,
            title="Mal",
            language="es",
            questions=[
                {
                    "kind": "scale",
                    "scale_min": 1,
                    "scale_max": 7,
                    "satisfied_min": 6,
                    "dissatisfied_max": 4,
                    "is_overall": True,
                    "is_segment": True,
                    "texts": {"es": "General"},
                },
            ],
        )


def test_the_score_by_region_comes_from_the_offices_above_which_it_sits(
    wave, licences, branch, other_branch, web
):
    arica = TouchPointFactory(organization=wave.organization, unit=branch, channel=web)
    temuco = TouchPointFactory(organization=wave.organization, unit=other_branch, channel=web)
    for grade, point in ((7, arica), (7, arica), (2, arica), (7, temuco), (1, None)):
        services.submit_response(
            wave, service=licences, touch_point=point, answers=answers_for(wave, grade)
        )

    figures = wave_figures(wave, Service.objects.all())

    by_title = dict(figures.by_segment)
    (north,) = by_title["Región"]  # Temuco belongs to no region; one answer has no office
    assert north.label == "Dirección Regional Norte"
    assert (north.summary.n, round(north.summary.net.value, 1)) == (3, 33.3)


def test_the_wave_page_breaks_the_score_down_by_segment(
    client, wave, licences, visits, quality_manager
):
    for grade in (7, 6, 7):
        services.submit_response(
            wave, service=licences, answers=answers_for(wave, grade) | {visits.pk: "first"}
        )
    client.force_login(quality_manager)

    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()

    assert "Frecuencia de uso" in page
    assert "Primera vez" in page


def test_counts_add_up_whether_a_cell_is_new_repeated_or_already_there(
    wave, licences, questionnaire
):
    overall = questionnaire.questions.get(is_overall=True)
    row = (wave.pk, overall.pk, licences.pk, "user_type", "citizen", 7)

    segments.add([(*row, 2), (*row, 3)])  # the same new cell twice in one batch
    segments.add([(*row, 1), (*row[:-1], 6, 4)])  # one already there, one new

    assert _counts() == [
        (licences.pk, "user_type", "citizen", 6, 4),
        (licences.pk, "user_type", "citizen", 7, 6),
    ]
