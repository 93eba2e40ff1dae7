"""Taking responses: every answer checked, nothing half stored, score counts kept current;
questionnaires locked once in use; the public pages; the dashboard scoped like everything else."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compromiso.surveys import services
from compromiso.surveys.models import Questionnaire, Response, ScoreCount, Wave
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


def test_a_response_is_stored_with_its_score_counts(wave, licences, web):
    services.submit_response(wave, service=licences, channel=web, answers=answers_for(wave, 7))
    services.submit_response(wave, service=licences, channel=web, answers=answers_for(wave, 7))
    services.submit_response(wave, service=licences, answers=answers_for(wave, 3, speed=2))

    overall = wave.questionnaire.questions.get(is_overall=True)
    counts = {
        (c.score, c.channel_key): c.count for c in ScoreCount.objects.filter(question=overall)
    }
    assert counts == {(7, web.pk): 2, (3, 0): 1}
    assert Response.objects.get(contact_ok=False, source="web", channel=None)


@pytest.mark.parametrize(
    ("overall", "solved", "text", "field"),
    [
        (9, "yes", "", "q"),  # outside the 1–7 scale
        ("siete", "yes", "", "q"),
        ("9" * 5000, "yes", "", "q"),
        (None, "yes", "", "q"),  # required
        (7, "maybe", "", "q"),
        (7, "yes", "x" * 2001, "q"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(
    wave, licences, overall, solved, text, field
):
    with pytest.raises(ValidationError) as refused:
        services.submit_response(
            wave, service=licences, answers=answers_for(wave, overall, solved=solved, text=text)
        )

    assert any(key.startswith(field) for key in refused.value.message_dict)
    assert not Response.objects.exists()
    assert not ScoreCount.objects.exists()


def test_a_closed_wave_or_a_foreign_service_takes_nothing(
    wave, licences, quality_manager, organization
):
    from compromiso.catalog.tests.factories import ServiceFactory

    other = ServiceFactory(organization=organization, name="Otro")
    with pytest.raises(ValidationError):
        services.submit_response(wave, service=other, answers=answers_for(wave, 7))
    services.close_wave(wave, by=quality_manager)
    with pytest.raises(services.SurveyError):
        services.submit_response(wave, service=licences, answers=answers_for(wave, 7))
    assert not Response.objects.exists()


def test_a_questionnaire_in_use_is_locked_and_changes_go_into_a_new_version(wave, quality_manager):
    used = Questionnaire.objects.get(pk=wave.questionnaire_id)

    copy = services.new_version(used, by=quality_manager)

    assert used.is_locked
    assert (copy.version, copy.is_locked, copy.lineage) == (2, False, used.lineage)
    assert copy.questions.count() == used.questions.count()


def test_only_one_overall_question_and_bands_in_order(organization, quality_manager):
    scale = {"kind": "scale", "texts": {"es": "P"}, "scale_min": 1, "scale_max": 7}
    with pytest.raises(ValidationError):
        services.create_questionnaire(
            organization,
            by=quality_manager,
            title="Mala",
            language="es",
            questions=[{**scale, "satisfied_min": 4, "dissatisfied_max": 5}],
        )
    with pytest.raises(ValidationError):
        services.create_questionnaire(
            organization,
            by=quality_manager,
            title="Mala",
            language="es",
            questions=[
                {**scale, "satisfied_min": 6, "dissatisfied_max": 4, "is_overall": True},
                {**scale, "satisfied_min": 6, "dissatisfied_max": 4, "is_overall": True},
            ],
        )


def _post(client, wave, licences, overall=7, **extra):
    questions = list(wave.questionnaire.questions.all())
    data = {
        "service": licences.pk,
        f"q{questions[0].pk}": overall,
        f"q{questions[1].pk}": 6,
        f"q{questions[2].pk}": "yes",
        f"q{questions[3].pk}": "",
    }
    data.update(extra)
    return client.post(reverse("portal:survey", args=[wave.token]), data)


def test_the_public_page_takes_an_answer_without_javascript(client, wave, licences):
    page = client.get(reverse("portal:survey", args=[wave.token]))
    sent = _post(client, wave, licences)

    assert "Satisfacción general" in page.content.decode()
    assert sent.status_code == 302
    assert sent["Location"] == reverse("portal:survey_thanks", args=[wave.token])
    assert Response.objects.count() == 1


def test_bad_and_hostile_public_answers_are_explained_and_not_stored(client, wave, licences):
    out_of_range = _post(client, wave, licences, overall=12)
    hostile = _post(client, wave, licences, **{"contact_email": "<script>alert(1)</script>"})
    bot = _post(client, wave, licences, website="http://spam.example")

    assert "Escoja una opción válida" in out_of_range.content.decode()
    assert "<script>alert(1)</script>" not in hostile.content.decode()
    assert bot.status_code == 200
    assert not Response.objects.exists()


def test_a_closed_or_unknown_survey_says_so(client, wave, quality_manager):
    services.close_wave(wave, by=quality_manager)

    closed = client.get(reverse("portal:survey", args=[wave.token]))
    unknown = client.get(reverse("portal:survey", args=["nope"]))

    assert closed.status_code == 410
    assert unknown.status_code == 404


def test_kiosk_mode_resets_and_keeps_no_contact_details(client, wave, licences):
    url = reverse("portal:survey_kiosk", args=[wave.token])
    page = client.get(url)
    questions = list(wave.questionnaire.questions.all())
    sent = client.post(
        url,
        {
            "service": licences.pk,
            f"q{questions[0].pk}": 6,
            f"q{questions[1].pk}": 6,
            f"q{questions[2].pk}": "no",
        },
    )

    assert 'name="contact_email"' not in page.content.decode()
    assert sent.status_code == 302
    assert "thanks=1" in sent["Location"]
    assert Response.objects.get().source == "kiosk"


def test_the_dashboard_shows_net_scores_and_scopes_them(
    client, wave, licences, permits, quality_manager, unit_head, outsider
):
    for score in (7, 7, 6, 5, 2):
        services.submit_response(wave, service=licences, answers=answers_for(wave, score))
    for score in (7, 1):
        services.submit_response(wave, service=permits, answers=answers_for(wave, score))
    url = reverse("surveys:wave", args=[wave.pk])

    client.force_login(quality_manager)
    everything = client.get(url).content.decode()
    client.force_login(unit_head)
    branch_only = client.get(url).content.decode()
    client.force_login(outsider)
    foreign = client.get(url)

    assert "Licencias" in everything
    assert "n = 2: bajo 3, no se muestra" in everything  # Permisos, under the minimum
    assert "Permisos" not in branch_only  # the unit head sees his branch's service only
    assert "40,0" in branch_only  # (3 satisfied − 1 dissatisfied) / 5
    assert foreign.status_code == 404


def test_only_survey_managers_open_and_close_waves(client, wave, viewer):
    client.force_login(viewer)

    answer = client.post(reverse("surveys:step", args=[wave.pk, "close"]))

    assert answer.status_code == 403
    assert Wave.objects.get(pk=wave.pk).status == "open"


def test_dates_outside_the_wave_take_nothing(wave, licences):
    wave.closes_on = dt.date(2026, 1, 2)
    wave.save()

    with pytest.raises(services.SurveyError):
        services.submit_response(wave, service=licences, answers=answers_for(wave, 7))


def _streamed(response):
    return b"".join(response.streaming_content).decode()


def test_the_export_is_anonymous_and_scoped(
    client, wave, licences, permits, unit_head, quality_manager
):
    services.submit_response(
        wave, service=licences, answers=answers_for(wave, 7), contact_email="ana@example.org"
    )
    services.submit_response(wave, service=permits, answers=answers_for(wave, 2, text="=1+1"))
    client.force_login(unit_head)

    csv_text = _streamed(client.get(reverse("surveys:export", args=[wave.pk, "csv"])))
    xlsx = client.get(reverse("surveys:export", args=[wave.pk, "xlsx"]))

    assert "ana@example.org" not in csv_text
    assert csv_text.count("\n") == 2  # the header and the unit head's service only
    assert "Satisfacción general" in csv_text
    assert xlsx.getvalue().startswith(b"PK")
    client.force_login(quality_manager)
    rows = list(
        csv.reader(
            io.StringIO(_streamed(client.get(reverse("surveys:export", args=[wave.pk, "csv"]))))
        )
    )
    assert len(rows) == 3
    assert rows[1][-4:] == ["7", "6", "yes", ""]  # each answer under its question
    assert rows[2][-4:] == ["2", "6", "yes", "'=1+1"]  # a formula is neutralised
    assert client.get(reverse("surveys:export", args=[wave.pk, "pdf"])).status_code == 404


def test_the_wave_page_draws_its_figures_as_charts_without_script(
    client, wave, licences, permits, quality_manager
):
    for grade in (7, 7, 6, 2):
        services.submit_response(wave, service=licences, answers=answers_for(wave, grade))
    for grade in (1, 2, 7):
        services.submit_response(wave, service=permits, answers=answers_for(wave, grade))
    client.force_login(quality_manager)

    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()

    assert page.count('class="chart chart-net') >= 1
    assert "Licencias: 50,0 (" in page  # the bar's tooltip: +50 points with its interval
    assert 'class="chart-bar-negative"' in page  # permits: −33.3
    assert "<script" not in page.split('class="chart chart-net')[1].split("</svg>")[0]
