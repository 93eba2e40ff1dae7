"""Taking a response: every answer checked, the response stored with its score counts, key-driver
sums and segment counts in one transaction; the counts rebuilt after a bulk load."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compromiso.catalog.models import Audience, Channel, Service, TouchPoint
from compromiso.core.rollups import add_counts
from compromiso.organizations.models import Unit
from compromiso.surveys import moments, segments
from compromiso.surveys.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    ResponseSource,
    ScoreCount,
    Wave,
)
from compromiso.surveys.services.errors import SurveyError
from compromiso.surveys.services.follow_up import follow_up_low_score
from compromiso.surveys.services.waves import is_accepting

TEXT_LIMIT = 2000


def clean_answers(
    questions: list[Question], raw: Mapping[int, Any]
) -> tuple[dict[str, int], list[Answer], dict[str, str]]:
    """Turn raw values per question id into the grades of scale questions (question id as text
    → score, as `Response.grades` keeps them) and the other answers; errors per question field
    name."""
    grades: dict[str, int] = {}
    answers: list[Answer] = []
    errors: dict[str, str] = {}
    for question in questions:
        value = raw.get(question.pk)
        empty = value in (None, "", [])
        if empty:
            if question.required:
                errors[f"q{question.pk}"] = _("Please answer this question.")
            continue
        answer = Answer(question=question)
        if question.kind == QuestionKind.SCALE:
            raw_score = str(value).strip()
            digits = raw_score.lstrip("-")
            score = (
                int(raw_score)
                if digits.isascii() and digits.isdigit() and len(digits) <= 4
                else None
            )
            if score is None or score not in question.scale:
                errors[f"q{question.pk}"] = _("Choose a value from %(low)s to %(high)s.") % {
                    "low": question.scale_min,
                    "high": question.scale_max,
                }
                continue
            grades[str(question.pk)] = score
            continue
        elif question.kind == QuestionKind.YES_NO:
            if value not in ("yes", "no"):
                errors[f"q{question.pk}"] = _("Answer yes or no.")
                continue
            answer.choices = [value]
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            values = value if isinstance(value, list) else [value]
            allowed = {v for v, _label in question.choice_items()}
            if any(str(v) not in allowed for v in values) or (
                question.kind == QuestionKind.SINGLE and len(values) != 1
            ):
                errors[f"q{question.pk}"] = _("Choose among the options offered.")
                continue
            answer.choices = [str(v) for v in values]
        else:
            text = str(value).strip()
            if len(text) > TEXT_LIMIT:
                errors[f"q{question.pk}"] = _("At most %(limit)s characters.") % {
                    "limit": TEXT_LIMIT
                }
                continue
            answer.text = text
        answers.append(answer)
    return grades, answers, errors


@transaction.atomic
def submit_response(
    wave: Wave,
    *,
    service: Service,
    answers: Mapping[int, Any],
    source: str = ResponseSource.WEB,
    channel: Channel | None = None,
    touch_point: TouchPoint | None = None,
    user_type: str = "",
    age_band: str = "",
    contact_email: str = "",
    submitted_at: dt.datetime | None = None,
    invitation: Invitation | None = None,
    client_unit: Unit | None = None,
) -> Response:
    """Store one response after checking every answer; nothing is stored if anything is wrong.
    The score counts of the dashboards are updated in the same transaction. An invitation is
    used up by the response (a second answer with it is refused)."""
    if not is_accepting(wave):
        raise SurveyError(_("This survey is not open for answers."), code="closed")
    if needs_invitation(wave) and invitation is None:
        raise SurveyError(str(INVITATION_ONLY), code="invitation_required")
    panel_key = ""
    if invitation is not None:
        if wave.panel and invitation.email:
            panel_key = panel_key_of(wave.organization_id, invitation.email)
        if invitation.wave_id != wave.pk:
            raise SurveyError(_("This invitation is not for this survey."), code="bad_invitation")
        used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now(), email=""
        )
        if not used:
            raise SurveyError(_("This invitation was already used."), code="used_invitation")
        if invitation.service is not None:
            service = invitation.service
        client_unit = invitation.client_unit
        # An invitation made for a visit says where the person was served.
        if invitation.channel_id is not None:
            channel = invitation.channel
        if invitation.touch_point_id is not None:
            touch_point = invitation.touch_point
    if not wave.services.filter(pk=service.pk).exists():
        raise ValidationError({"service": _("This survey does not measure that service.")})
    if channel is not None and channel.organization_id != wave.organization_id:
        raise ValidationError({"channel": _("Choose a channel of this organisation.")})
    if touch_point is not None and touch_point.organization_id != wave.organization_id:
        raise ValidationError({"touch_point": _("Choose a touch point of this organisation.")})
    questions = list(wave.questionnaire.questions.select_related("questionnaire"))
    grades, cleaned, errors = clean_answers(questions, answers)
    if errors:
        raise ValidationError(errors)
    response = Response(
        wave=wave,
        service=service,
        channel=channel,
        touch_point=touch_point,
        user_type=user_type,
        age_band=age_band,
        source=source,
        submitted_at=submitted_at or timezone.now(),
        grades=grades,
        contact_ok=bool(contact_email),
        contact_email=contact_email,
        client_unit=client_unit,
        panel_key=panel_key,
    )
    response.full_clean(exclude=["wave", "service", "channel", "touch_point"])
    response.save()
    for answer in cleaned:
        answer.response = response
    Answer.objects.bulk_create(cleaned)
    add_to_counts([response])
    moments.add_response(response)
    segments.add_response(response, questions, cleaned)
    if contact_email:
        follow_up_low_score(response, questions, cleaned)
    return response


INVITATION_ONLY = gettext_lazy(
    "This survey is for the staff of the client units: it is answered only through the "
    "personal link of an invitation."
)


def needs_invitation(wave: Wave) -> bool:
    """An internal-customer wave places every answer in the client unit of its invitation, and
    only invited staff may answer: no anonymous answers from the public link or a kiosk."""
    return wave.audience == Audience.INTERNAL


def panel_key_of(organization_id: int, email: str) -> str:
    """The pseudonymous key that links one invited person's answers across the panel waves of
    an organisation: a keyed hash (SECRET_KEY) of the address, which cannot be read back."""
    return salted_hmac(
        "compromiso.surveys.panel",
        f"{organization_id}:{email.strip().lower()}",
        algorithm="sha256",
    ).hexdigest()


def add_to_counts(responses: list[Response]) -> None:
    """Add the responses' grades to the per-cell counts (call inside the transaction that stores
    them)."""
    cells: Counter[tuple[Any, ...]] = Counter()
    for response in responses:
        zone = response.wave.organization.zone
        month = timezone.localtime(response.submitted_at, zone).date().replace(day=1)
        for question_id, score in response.grades.items():
            cells[
                (
                    response.wave_id,
                    int(question_id),
                    response.service_id,
                    response.channel_id or 0,
                    response.touch_point_id or 0,
                    response.client_unit_id or 0,
                    month,
                    int(score),
                )
            ] += 1
    add_cells([(*key, count) for key, count in cells.items()])


SCORE_CELL = (
    "wave_id",
    "question_id",
    "service_id",
    "channel_key",
    "touch_point_key",
    "client_unit_key",
    "month",
    "score",
)


def add_cells(rows: Iterable[tuple[Any, ...]]) -> None:
    """Add counts to score cells, creating the missing ones, in one statement that concurrent
    writers cannot race: (wave, question, service, channel key, touch point key, client unit
    key, month, score, count) each."""
    add_counts(ScoreCount, SCORE_CELL, rows)


@transaction.atomic
def rebuild_counts(wave: Wave) -> int:
    """Recount a wave's score cells, key-driver sums and segment counts from its answers (after
    a bulk load)."""
    ScoreCount.objects.filter(wave=wave).delete()
    cells: Counter[tuple[Any, ...]] = Counter()
    rows = Response.objects.filter(wave=wave).values_list(
        "service_id", "channel_id", "touch_point_id", "client_unit_id", "submitted_at", "grades"
    )
    zone = wave.organization.zone
    for service_id, channel_id, point_id, client_id, at, grades in rows.iterator(2000):
        month = timezone.localtime(at, zone).date().replace(day=1)
        key = (service_id, channel_id or 0, point_id or 0, client_id or 0, month)
        for question_id, score in grades.items():
            cells[(int(question_id), *key, int(score))] += 1
    ScoreCount.objects.bulk_create(
        (
            ScoreCount(
                wave=wave,
                question_id=q,
                service_id=s,
                channel_key=c,
                touch_point_key=t,
                client_unit_key=u,
                month=m,
                score=v,
                count=n,
            )
            for (q, s, c, t, u, m, v), n in cells.items()
        ),
        batch_size=2000,
    )
    moments.rebuild(wave)
    segments.rebuild(wave)
    return len(cells)
