"""Key-driver sums kept with the responses: the drivers of the wave page come from them, not
from raw answers, and give the same weights as the analysis over the raw answers."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from compromiso.catalog.models import Service
from compromiso.insights import drivers
from compromiso.surveys import imports, moments, services
from compromiso.surveys.figures import driver_table
from compromiso.surveys.models import DriverMoments
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


def _answer_many(wave, licences, count=40, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        speed = int(rng.integers(1, 8))
        overall = int(np.clip(speed + rng.integers(-1, 2), 1, 7))
        services.submit_response(wave, service=licences, answers=answers_for(wave, overall, speed))
        rows.append((speed, overall))
    return np.array(rows, dtype=float)


def _sums(wave):
    return sorted((m.service_id, m.n, m.sums, m.products) for m in DriverMoments.objects.all())


def test_each_complete_response_adds_to_the_sums_like_a_recount(wave, licences, permits):
    _answer_many(wave, licences, count=12)
    services.submit_response(wave, service=permits, answers=answers_for(wave, 7, 5))
    kept = _sums(wave)

    moments.rebuild(wave)

    assert _sums(wave) == kept
    by_service = {service: n for service, n, _s, _p in kept}
    assert by_service == {licences.pk: 12, permits.pk: 1}
    permits_row = DriverMoments.objects.get(service=permits)
    assert permits_row.sums == [7, 5]
    assert permits_row.products == [[49, 35], [35, 25]]


def test_the_wave_page_drivers_match_the_analysis_of_the_raw_answers(wave, licences, questionnaire):
    third = questionnaire.questions.create(
        order=9,
        kind="scale",
        texts={"es": "Claridad"},
        scale_min=1,
        scale_max=7,
        satisfied_min=6,
        dissatisfied_max=4,
    )
    rng = np.random.default_rng(5)
    raw = []
    for _ in range(60):
        speed, clarity = (int(v) for v in rng.integers(1, 8, 2))
        overall = int(np.clip(round(0.7 * speed + 0.3 * clarity + rng.normal(0, 0.7)), 1, 7))
        answers = answers_for(wave, overall, speed) | {third.pk: clarity}
        services.submit_response(wave, service=licences, answers=answers)
        raw.append((speed, clarity, overall))
    data = np.array(raw, dtype=float)

    table = driver_table(wave, Service.objects.all())
    expected = drivers.relative_weights(data[:, :2], data[:, 2])
    shapley = drivers.shapley(data[:, :2], data[:, 2])

    assert table is not None
    assert expected is not None
    assert shapley is not None
    assert table.n == 60
    assert table.r_squared == pytest.approx(expected.r_squared, abs=1e-9)
    found = {d.question.pk: d for d in table.drivers}
    speed_question = next(q for q in questionnaire.questions.all() if q.attribute_id)
    assert found[speed_question.pk].share == pytest.approx(expected.shares[0], abs=1e-9)
    assert found[third.pk].shapley == pytest.approx(shapley.shares[1], abs=1e-9)
    assert table.drivers[0].share > table.drivers[1].share or table.drivers[0].quadrant == (
        drivers.IMPROVE_FIRST
    )


def test_too_few_complete_responses_give_no_drivers(wave, licences):
    _answer_many(wave, licences, count=drivers.MIN_RESPONSES - 1)

    assert driver_table(wave, Service.objects.all()) is None


def test_an_import_adds_the_same_sums_as_a_recount(wave, licences, quality_manager):
    _answer_many(wave, licences, count=5)
    text = "servicio;q1;q2;q3;q4\n" + "".join(
        f"{licences.code};{1 + i % 7};{1 + (i * 5) % 7};sí;nota {i}\n" for i in range(50)
    )
    job = imports.start_import(wave, SimpleUploadedFile("r.csv", text.encode()), by=quality_manager)
    job.mapping = imports.guess_mapping(job)
    job.save()
    assert imports.run_import(job).imported == 50
    kept = _sums(wave)

    moments.rebuild(wave)

    assert _sums(wave) == kept
    assert kept[0][1] == 55
