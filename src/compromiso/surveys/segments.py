"""The overall grade by segment of the respondents — user type, age band and the answers to the
questionnaire's segment questions (single-choice questions marked as segments) — kept in
SegmentCount as each response arrives, so the dashboards read counts, never raw answers."""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from compromiso.core.rollups import add_counts
from compromiso.surveys.models import (
    AgeBand,
    Answer,
    Question,
    QuestionKind,
    Response,
    SegmentCount,
    UserType,
    Wave,
)

FIELDS = ("user_type", "age_band")
CELL = ("wave_id", "question_id", "service_id", "segment", "value", "score")


def segment_questions(wave: Wave) -> list[Question]:
    return list(
        wave.questionnaire.questions.filter(kind=QuestionKind.SINGLE, is_segment=True)
        .select_related("questionnaire")
        .order_by("order", "pk")
    )


def overall_question(wave: Wave) -> Question | None:
    return (
        wave.questionnaire.questions.filter(kind=QuestionKind.SCALE, is_overall=True)
        .select_related("questionnaire")
        .first()
    )


def add(rows: Iterable[tuple[Any, ...]]) -> None:
    """Add (wave, question, service, segment, value, score, count) rows to the counts, creating
    the missing cells, in one upsert that concurrent writers cannot race."""
    add_counts(SegmentCount, CELL, rows)


def of_response(response: Response, answers: Iterable[Answer]) -> list[tuple[str, str]]:
    """The segments a response belongs to, from its fields and its segment answers."""
    found = [(name, getattr(response, name)) for name in FIELDS if getattr(response, name)]
    for answer in answers:
        if answer.question.is_segment and answer.choices:
            found.append((f"q{answer.question_id}", str(answer.choices[0])[:60]))
    return found


def add_response(response: Response, questions: list[Question], answers: list[Answer]) -> None:
    """Count one response (inside the transaction that stores it)."""
    overall = next((q for q in questions if q.kind == QuestionKind.SCALE and q.is_overall), None)
    score = response.grade(overall.pk) if overall else None
    if overall is None or score is None:
        return
    add(
        (response.wave_id, overall.pk, response.service_id, name, value, score, 1)
        for name, value in of_response(response, answers)
    )


@transaction.atomic
def rebuild(wave: Wave) -> None:
    """Recount a wave's segments from its responses and answers (after a bulk load)."""
    SegmentCount.objects.filter(wave=wave).delete()
    overall = overall_question(wave)
    if overall is None:
        return
    key = str(overall.pk)
    cells: Counter[tuple[Any, ...]] = Counter()
    responses = Response.objects.filter(wave=wave).values_list(
        "pk", "service_id", "user_type", "age_band", "grades"
    )
    services: dict[int, int] = {}
    grades: dict[int, int] = {}
    for pk, service_id, user_type, age_band, graded in responses.iterator(5000):
        services[pk] = service_id
        if key not in graded:
            continue
        score = grades[pk] = int(graded[key])
        for name, value in (("user_type", user_type), ("age_band", age_band)):
            if value:
                cells[(service_id, name, value, score)] += 1
    questions = [q.pk for q in segment_questions(wave)]
    chosen = Answer.objects.filter(response__wave=wave, question__in=questions).values_list(
        "response_id", "question_id", "choices"
    )
    for response_id, question_id, choices in chosen.iterator(5000):
        found = grades.get(response_id)
        if found is None or not choices:
            continue
        cells[(services[response_id], f"q{question_id}", str(choices[0])[:60], found)] += 1
    add(
        (wave.pk, overall.pk, service, name, value, score, count)
        for (service, name, value, score), count in cells.items()
    )


def titled(wave: Wave) -> list[tuple[str, str, dict[str, str]]]:
    """(segment, title, {value: label}) for every segment a wave can be broken down by."""
    from django.utils.translation import gettext as _

    found = [
        ("user_type", str(_("User type")), {v: str(label) for v, label in UserType.choices}),
        ("age_band", str(_("Age band")), {v: str(label) for v, label in AgeBand.choices}),
    ]
    for question in segment_questions(wave):
        found.append((f"q{question.pk}", question.text, dict(question.choice_items())))
    return found
