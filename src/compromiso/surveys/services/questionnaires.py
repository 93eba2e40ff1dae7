"""Questionnaires: creating one with its questions, a new version of one in use, and editing the
questions of a draft (add, change, reorder, remove). A questionnaire in use by a wave is locked
and never changes: a new version is made instead (new_version). Every change is checked against
the lock inside its transaction and written to the audit log."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization
from compromiso.surveys.models import (
    Question,
    QuestionKind,
    Questionnaire,
)
from compromiso.surveys.services.access import require_manager
from compromiso.surveys.services.errors import SurveyError

TITLE_LIMIT = 200  # Questionnaire.title's length
QUESTION_TEXT_LIMIT = 500
OPTION_TEXT_LIMIT = 200
OPTION_VALUE_LIMIT = 40
MIN_OPTIONS = 2
MAX_OPTIONS = 30
OPTION_VALUE = re.compile(r"^[A-Za-z0-9_.-]+$")

# The fields of a question the editor may change; the kind is fixed once the question exists.
EDITABLE = (
    "texts",
    "required",
    "scale_min",
    "scale_max",
    "satisfied_min",
    "dissatisfied_max",
    "attribute",
    "is_overall",
    "is_segment",
    "choices",
)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def clean_texts(texts: Mapping[str, Any], *, limit: int = QUESTION_TEXT_LIMIT) -> dict[str, str]:
    """Wording per language: known languages only, trimmed, empty ones dropped, length checked."""
    cleaned: dict[str, str] = {}
    for code in language_codes():
        value = str(texts.get(code) or "").strip()
        if len(value) > limit:
            raise ValidationError(
                _("Write at most %(limit)s characters in each language.") % {"limit": limit}
            )
        if value:
            cleaned[code] = value
    return cleaned


def clean_choices(choices: Any) -> list[dict[str, Any]]:
    """The options of a choice question: 2 to 30, each a short unique value (letters, digits,
    "-", "_", ".") with its text in at least one language."""
    if not isinstance(choices, list):
        raise ValidationError(_("A choice question needs its options."))
    if len(choices) < MIN_OPTIONS:
        raise ValidationError(
            _("Offer at least %(count)s options.") % {"count": MIN_OPTIONS}, code="few_options"
        )
    if len(choices) > MAX_OPTIONS:
        raise ValidationError(
            _("Offer at most %(count)s options.") % {"count": MAX_OPTIONS}, code="many_options"
        )
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for choice in choices:
        if not isinstance(choice, Mapping):
            raise ValidationError(_("A choice question needs its options."))
        value = str(choice.get("value") or "").strip()
        if not value or len(value) > OPTION_VALUE_LIMIT or not OPTION_VALUE.match(value):
            raise ValidationError(
                _(
                    "“%(value)s” cannot be an option value: use up to %(limit)s letters, digits, "
                    "“-”, “_” or “.”."
                )
                % {"value": value[:OPTION_VALUE_LIMIT], "limit": OPTION_VALUE_LIMIT},
                code="option_value",
            )
        if value in seen:
            raise ValidationError(
                _("The option value “%(value)s” is repeated.") % {"value": value},
                code="option_repeated",
            )
        seen.add(value)
        texts = clean_texts(choice.get("texts") or {}, limit=OPTION_TEXT_LIMIT)
        if not texts:
            raise ValidationError(
                _("The option “%(value)s” needs its text.") % {"value": value},
                code="option_text",
            )
        cleaned.append({"value": value, "texts": texts})
    return cleaned


def _lock(questionnaire: Questionnaire, by: Actor) -> Questionnaire:
    """The questionnaire's row, locked for this transaction; refused when it is in use."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=questionnaire.organization_id)
    current = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if current.is_locked:
        raise SurveyError(
            _("This questionnaire is in use by a wave and cannot be changed: make a new version."),
            code="questionnaire_locked",
        )
    return current


def _check(question: Question) -> None:
    """The rules every question of the editor keeps (those of add_questions, plus the
    limits of wording and options)."""
    question.texts = clean_texts(question.texts or {})
    if not question.texts:
        raise ValidationError(_("Every question needs its wording."))
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        question.choices = clean_choices(question.choices)
    else:
        question.choices = []
    if question.kind != QuestionKind.SCALE:
        question.scale_min = question.scale_max = None
        question.satisfied_min = question.dissatisfied_max = None
        if question.is_overall:
            raise ValidationError(_("The overall satisfaction question must be a scale."))
        if question.attribute_id is not None:
            raise ValidationError(_("Only a scale question can rate an attribute."))
    if question.is_segment and question.kind != QuestionKind.SINGLE:
        raise ValidationError(_("Only a single-choice question can be a segment."))
    attribute = question.attribute
    if (
        attribute is not None
        and attribute.service.organization_id != question.questionnaire.organization_id
    ):
        raise ValidationError(_("Choose attributes of this organisation's services."))


def _renumber(questionnaire: Questionnaire) -> list[Question]:
    """Orders 1..n in the current order (older data may have gaps or ties)."""
    questions = list(questionnaire.questions.order_by("order", "pk"))
    for number, question in enumerate(questions, start=1):
        if question.order != number:
            question.order = number
            Question.objects.filter(pk=question.pk).update(order=number)
    return questions


def _take_overall(questionnaire: Questionnaire, keep: Question) -> list[int]:
    """Make `keep` the only overall question; the ids of those that lost the flag."""
    others = questionnaire.questions.filter(is_overall=True).exclude(pk=keep.pk)
    ids = list(others.values_list("pk", flat=True))
    others.update(is_overall=False)
    return ids


@transaction.atomic
def add_question(questionnaire: Questionnaire, *, by: Actor, spec: Mapping[str, Any]) -> Question:
    """Add a question at the end of a draft questionnaire. Marking it as the overall question
    takes the mark from the one that had it."""
    current = _lock(questionnaire, by)
    draft = Question(questionnaire=current, **spec)
    _check(draft)
    values = {name: getattr(draft, name) for name in EDITABLE}
    last = current.questions.aggregate(m=Max("order"))["m"] or 0
    previous_overall = current.questions.filter(is_overall=True)
    had_overall = list(previous_overall.values_list("pk", flat=True)) if draft.is_overall else []
    if draft.is_overall:
        previous_overall.update(is_overall=False)
    # add_questions validates the question against the model and stores it (as the
    # first of its batch); it goes to the end of the questionnaire here.
    add_questions(current, [{"kind": draft.kind, **values}])
    question = current.questions.order_by("-pk")[0]
    question.order = last + 1
    question.save(update_fields=["order"])
    log_action(
        current,
        "surveys.questionnaire.question_added",
        by=by,
        data={
            "question": question.pk,
            "kind": question.kind,
            "texts": question.texts,
            **({"overall_from": had_overall} if had_overall else {}),
        },
    )
    return question


@transaction.atomic
def update_question(question: Question, *, by: Actor, **fields: Any) -> Question:
    """Change a question of a draft questionnaire. There is one overall question: marking
    another one moves the mark, and the overall question cannot just lose it."""
    current = _lock(question.questionnaire, by)
    question = Question.objects.select_related("attribute__service").get(
        pk=question.pk, questionnaire=current
    )
    question.questionnaire = current
    names = [name for name in EDITABLE if name in fields]
    before = {name: _plain(question, name) for name in names}
    was_overall = question.is_overall
    for name in names:
        setattr(question, name, fields[name])
    _check(question)
    if was_overall and not question.is_overall:
        raise ValidationError(
            {
                "is_overall": _(
                    "The questionnaire needs its overall satisfaction question: mark another "
                    "scale question as the overall one instead."
                )
            }
        )
    question.full_clean(exclude=["questionnaire"])
    moved_from = _take_overall(current, question) if question.is_overall else []
    question.save()
    after = {name: _plain(question, name) for name in names}
    diff = {k: [before[k], after[k]] for k in names if before[k] != after[k]}
    if diff or moved_from:
        log_action(
            current,
            "surveys.questionnaire.question_updated",
            by=by,
            data={
                "question": question.pk,
                "changes": diff,
                **({"overall_from": moved_from} if moved_from else {}),
            },
        )
    return question


def _plain(question: Question, name: str) -> Any:
    return question.attribute_id if name == "attribute" else getattr(question, name)


@transaction.atomic
def move_question(question: Question, *, by: Actor, direction: str) -> Question:
    """Swap a question with the one before ("up") or after ("down") it."""
    if direction not in ("up", "down"):
        raise ValueError(direction)
    current = _lock(question.questionnaire, by)
    questions = _renumber(current)
    index = next((i for i, q in enumerate(questions) if q.pk == question.pk), None)
    if index is None:
        raise SurveyError(_("This question is not in this questionnaire."), code="not_found")
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(questions):
        return questions[index]
    moving, neighbour = questions[index], questions[other]
    moving.order, neighbour.order = neighbour.order, moving.order
    Question.objects.filter(pk=moving.pk).update(order=moving.order)
    Question.objects.filter(pk=neighbour.pk).update(order=neighbour.order)
    log_action(
        current,
        "surveys.questionnaire.question_moved",
        by=by,
        data={"question": moving.pk, "direction": direction, "order": moving.order},
    )
    return moving


@transaction.atomic
def remove_question(question: Question, *, by: Actor) -> None:
    """Delete a question of a draft questionnaire (not the overall one: mark another first)."""
    current = _lock(question.questionnaire, by)
    question = Question.objects.get(pk=question.pk, questionnaire=current)
    if question.is_overall:
        raise SurveyError(
            _(
                "This is the overall satisfaction question: mark another scale question as the "
                "overall one before deleting it."
            ),
            code="overall_question",
        )
    data = {"question": question.pk, "kind": question.kind, "texts": question.texts}
    try:
        with transaction.atomic():
            question.delete()
    except ProtectedError as error:
        raise SurveyError(
            _("This question already has answers: make a new version instead."),
            code="question_answered",
        ) from error
    _renumber(current)
    log_action(current, "surveys.questionnaire.question_removed", by=by, data=data)


@transaction.atomic
def create_questionnaire(
    organization: Organization,
    *,
    by: Actor,
    title: str,
    language: str,
    questions: Iterable[Mapping[str, Any]],
    titles: Mapping[str, str] | None = None,
) -> Questionnaire:
    """A questionnaire with its questions; exactly one scale question may be the overall one.
    `titles` are the title's translations by language code."""
    require_manager(organization.pk, by)
    questionnaire = Questionnaire.objects.create(
        organization=organization,
        title=title.strip(),
        language=language,
        titles={
            code: text
            for code, text in clean_texts(titles or {}, limit=TITLE_LIMIT).items()
            if code != language[:2]
        },
    )
    add_questions(questionnaire, questions)
    log_action(questionnaire, "surveys.questionnaire.created", by=by)
    return questionnaire


def add_questions(questionnaire: Questionnaire, questions: Iterable[Mapping[str, Any]]) -> None:
    overall = 0
    for order, spec in enumerate(questions, start=1):
        question = Question(questionnaire=questionnaire, order=order, **spec)
        if not question.texts or not any(str(t).strip() for t in question.texts.values()):
            raise ValidationError(_("Every question needs its wording."))
        if question.is_overall:
            overall += 1
            if question.kind != QuestionKind.SCALE:
                raise ValidationError(_("The overall satisfaction question must be a scale."))
        attribute = question.attribute
        if (
            attribute is not None
            and attribute.service.organization_id != questionnaire.organization_id
        ):
            raise ValidationError(_("Choose attributes of this organisation's services."))
        if question.is_segment and question.kind != QuestionKind.SINGLE:
            raise ValidationError(_("Only a single-choice question can be a segment."))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and not question.choices:
            raise ValidationError(_("A choice question needs its options."))
        question.full_clean(exclude=["questionnaire"])
        question.save()
    if overall > 1:
        raise ValidationError(_("Only one question can be the overall satisfaction question."))


@transaction.atomic
def new_version(questionnaire: Questionnaire, *, by: Actor) -> Questionnaire:
    """A copy of a locked questionnaire to edit; the one in use is never edited in place."""
    require_manager(questionnaire.organization_id, by)
    newest = Questionnaire.objects.filter(lineage=questionnaire.lineage).order_by("-version")[0]
    copy = Questionnaire.objects.create(
        organization=questionnaire.organization,
        lineage=questionnaire.lineage,
        version=newest.version + 1,
        title=questionnaire.title,
        titles=questionnaire.titles,
        language=questionnaire.language,
    )
    for question in questionnaire.questions.all():
        question.pk = None
        question.questionnaire = copy
        question.save()
    log_action(copy, "surveys.questionnaire.versioned", by=by, data={"from": questionnaire.pk})
    return copy
