"""An improvement action born of a survey driver: the wave dashboard names the attribute to
improve first, one click proposes the action, and its effect is checked on that attribute."""

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.improvement import services
from compromiso.improvement.models import ImprovementAction
from compromiso.surveys import services as survey_services

pytestmark = pytest.mark.django_db

SCALE = {"kind": "scale", "scale_min": 1, "scale_max": 7, "satisfied_min": 6, "dissatisfied_max": 4}


@pytest.fixture
def surveyed(organization, branch, quality_manager):
    service = ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")
    questionnaire = survey_services.create_questionnaire(
        organization,
        by=quality_manager,
        title="Encuesta",
        language="es",
        questions=[
            {**SCALE, "texts": {"es": "Nota general"}, "is_overall": True},
            {**SCALE, "texts": {"es": "Tiempo de espera"}},
            {**SCALE, "texts": {"es": "Amabilidad"}},
            {**SCALE, "texts": {"es": "Claridad"}},
        ],
    )
    wave = survey_services.create_wave(
        organization,
        by=quality_manager,
        questionnaire=questionnaire,
        title="Medición basal",
        kind="baseline",
        services=[service],
        opens_on=dt.date(2026, 1, 1),
        closes_on=dt.date(2027, 1, 31),
    )
    survey_services.open_wave(wave, by=quality_manager)
    overall, waiting, courtesy, clarity = wave.questionnaire.questions.all()
    rng = random.Random(3)
    for _n in range(80):
        wait = rng.randint(1, 7)  # weak and decisive
        kind = rng.randint(5, 7)  # strong, matters less
        clear = rng.randint(4, 7)
        grade = max(1, min(7, round(0.7 * wait + 0.1 * kind + 0.2 * clear + rng.gauss(0, 0.4))))
        survey_services.submit_response(
            wave,
            service=service,
            answers={overall.pk: grade, waiting.pk: wait, courtesy.pk: kind, clarity.pk: clear},
        )
    return wave, waiting


def test_the_dashboard_names_the_driver_and_one_click_proposes_the_action(
    client, quality_manager, branch, surveyed
):
    wave, waiting = surveyed
    client.force_login(quality_manager)

    dashboard = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()
    link = f"?wave={wave.pk}&amp;driver={waiting.pk}"
    form = client.get(reverse("improvement:new"), {"wave": wave.pk, "driver": waiting.pk})
    created = client.post(
        reverse("improvement:new"),
        {
            "title": "Reducir la espera",
            "description": "Cita previa en línea.",
            "owner_unit": branch.pk,
            "due_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
            "effort": "medium",
            "driver_wave": wave.pk,
            "driver_question": waiting.pk,
        },
    )

    assert "Mejorar primero" in dashboard
    assert link in dashboard
    assert "Tiempo de espera" in form.content.decode()
    assert created.status_code == 302
    action = ImprovementAction.objects.get()
    origin = action.origins.get()
    assert (origin.kind, origin.question, origin.wave) == ("survey_driver", waiting, wave)
    assert origin.cases_count > 40  # waiting explains most of the overall grade
    assert action.computed_priority > 0
    assert (action.metric, action.metric_question) == ("attribute", waiting)
    assert action.baseline_value is not None
    page = client.get(reverse("improvement:detail", args=[action.pk])).content.decode()
    assert "Tiempo de espera" in page


def test_a_driver_question_must_belong_to_the_wave(organization, branch, quality_manager, surveyed):
    wave, _waiting = surveyed
    other = survey_services.create_questionnaire(
        organization,
        by=quality_manager,
        title="Otra",
        language="es",
        questions=[{**SCALE, "texts": {"es": "P"}, "is_overall": True}],
    )

    with pytest.raises(ValidationError, match="cuestionario"):
        services.create_action(
            organization,
            by=quality_manager,
            title="X",
            description="Y",
            owner_unit=branch,
            due_date=timezone.localdate() + dt.timedelta(days=10),
            origins=[{"wave": wave, "question": other.questions.get()}],
        )
