"""How responses are stored: the grades on the response row, the references to the wave, the
service, the channel… kept by Django rather than by database constraints (the response table is
a fact table loaded a million rows at a time), and the upgrade of an installation whose grades
were Answer rows (migration 0009)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError

from compromiso.surveys import services
from compromiso.surveys.models import Answer, Response
from compromiso.surveys.tests.conftest import answers_for

BEFORE = [("surveys", "0008_segment_counts")]
AFTER = [("surveys", "0009_grades_on_the_response")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _scored_answers():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT response_id, question_id, score FROM surveys_answer "
            "WHERE score IS NOT NULL ORDER BY response_id, question_id"
        )
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_grades_move_onto_the_responses_and_back(wave, licences):
    first = services.submit_response(
        wave, service=licences, answers=answers_for(wave, 7, speed=5, text="Bien")
    )
    second = services.submit_response(wave, service=licences, answers=answers_for(wave, 2))
    overall, speed = (q.pk for q in wave.questionnaire.questions.order_by("order")[:2])
    others = sorted(Answer.objects.values_list("response_id", "question_id", "choices", "text"))

    _migrate(BEFORE)
    assert _scored_answers() == sorted(
        [
            (first.pk, overall, 7),
            (first.pk, speed, 5),
            (second.pk, overall, 2),
            (second.pk, speed, 6),
        ]
    )
    _migrate(AFTER)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.grades == {str(overall): 7, str(speed): 5}
    assert (second.grade(overall), second.grade(speed)) == (2, 6)
    assert sorted(Answer.objects.values_list("response_id", "question_id", "choices", "text")) == (
        others
    )
    assert Response.objects.count() == 2


@pytest.mark.django_db
def test_what_responses_refer_to_cannot_be_deleted(wave, licences, web):
    services.submit_response(wave, service=licences, channel=web, answers=answers_for(wave, 6))

    for referenced in (licences, web, wave):
        with pytest.raises(ProtectedError):
            referenced.delete()
    assert Response.objects.get().grades
