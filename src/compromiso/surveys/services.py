"""Every change to surveys: questionnaires and their versions, opening and closing waves, and
taking a response (validated in full, stored with its score counts in one transaction)."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compromiso.catalog.models import Audience, Channel, Service, TouchPoint
from compromiso.core.actors import PUBLIC
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require
from compromiso.core.rollups import add_counts
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Membership, Organization, Unit, User
from compromiso.surveys import moments, segments
from compromiso.surveys.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Questionnaire,
    Response,
    ResponseSource,
    ScoreCount,
    Stratum,
    Wave,
    WaveStatus,
)

TEXT_LIMIT = 2000


class SurveyError(DomainError):
    pass


def _require(organization_id: int, by: User | None) -> None:
    require(by, Perm.MANAGE_SURVEYS, organization_id=organization_id)


@transaction.atomic
def create_questionnaire(
    organization: Organization,
    *,
    by: User | None,
    title: str,
    language: str,
    questions: Iterable[Mapping[str, Any]],
    titles: Mapping[str, str] | None = None,
) -> Questionnaire:
    """A questionnaire with its questions; exactly one scale question may be the overall one.
    `titles` are the title's translations by language code."""
    from compromiso.surveys.questionnaires import clean_texts  # it builds on this module

    _require(organization.pk, by)
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
    _add_questions(questionnaire, questions)
    log_action(questionnaire, "surveys.questionnaire.created", by=by)
    return questionnaire


def _add_questions(questionnaire: Questionnaire, questions: Iterable[Mapping[str, Any]]) -> None:
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
def new_version(questionnaire: Questionnaire, *, by: User | None) -> Questionnaire:
    """A copy of a locked questionnaire to edit; the one in use is never edited in place."""
    _require(questionnaire.organization_id, by)
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


@transaction.atomic
def create_wave(
    organization: Organization,
    *,
    by: User | None,
    questionnaire: Questionnaire,
    title: str,
    kind: str,
    services: Iterable[Service],
    opens_on: dt.date,
    closes_on: dt.date,
    audience: str = "external",
    previous: Wave | None = None,
    client_units: Iterable[Unit] = (),
    panel: bool = False,
) -> Wave:
    """A draft wave. An internal wave names its client units: they validate the attributes of
    the services before it opens (see surveys.validation)."""
    _require(organization.pk, by)
    if questionnaire.organization_id != organization.pk:
        raise ValidationError({"questionnaire": _("Choose a questionnaire of this organisation.")})
    chosen = list(services)
    if not chosen:
        raise ValidationError({"services": _("Choose at least one service to measure.")})
    if any(s.organization_id != organization.pk for s in chosen):
        raise ValidationError({"services": _("Choose services of this organisation.")})
    if previous is not None and previous.organization_id != organization.pk:
        raise ValidationError({"previous": _("Choose a wave of this organisation.")})
    clients = clean_client_units(organization.pk, audience, client_units)
    wave = Wave(
        organization=organization,
        questionnaire=questionnaire,
        title=title.strip(),
        kind=kind,
        audience=audience,
        opens_on=opens_on,
        closes_on=closes_on,
        previous=previous,
        panel=panel,
    )
    wave.full_clean()
    wave.save()
    wave.services.set(chosen)
    wave.client_units.set(clients)
    log_action(wave, "surveys.wave.created", by=by)
    return wave


def clean_client_units(organization_id: int, audience: str, units: Iterable[Unit]) -> list[Unit]:
    """The client units of a wave, checked: internal waves only, active units of its
    organisation."""
    chosen = list(dict.fromkeys(units))
    if chosen and audience != Audience.INTERNAL:
        raise ValidationError({"client_units": _("Only internal waves have client units.")})
    if any(u.organization_id != organization_id for u in chosen):
        raise ValidationError({"client_units": _("Choose units of this organisation.")})
    if any(not u.is_active for u in chosen):
        raise ValidationError({"client_units": _("Choose active units.")})
    return chosen


@transaction.atomic
def open_wave(wave: Wave, *, by: User | None, override_reason: str = "") -> Wave:
    """Open the wave to answers; its questionnaire is locked from now on. An internal wave with
    client units opens once they have all agreed to every attribute of its services; a survey
    manager may open it before with `override_reason`, which the audit log keeps."""
    _require(wave.organization_id, by)
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.status != WaveStatus.DRAFT:
        raise SurveyError(_("Only a draft wave can be opened."))
    if not wave.questionnaire.questions.exists():
        raise SurveyError(_("The questionnaire has no questions."))
    if locked.audience == Audience.INTERNAL:
        from compromiso.surveys.validation import check_before_opening

        overridden = check_before_opening(locked, by=by, override_reason=override_reason)
    else:
        overridden = False
    Questionnaire.objects.filter(pk=wave.questionnaire_id).update(is_locked=True)
    wave.status = WaveStatus.OPEN
    wave.save(update_fields=["status", "updated_at"])
    log_action(
        wave,
        "surveys.wave.opened",
        by=by,
        data={"validation_overridden": True} if overridden else None,
    )
    return wave


@transaction.atomic
def close_wave(wave: Wave, *, by: User | None) -> Wave:
    _require(wave.organization_id, by)
    if wave.status != WaveStatus.OPEN:
        raise SurveyError(_("Only an open wave can be closed."))
    wave.status = WaveStatus.CLOSED
    wave.save(update_fields=["status", "updated_at"])
    log_action(wave, "surveys.wave.closed", by=by)
    return wave


def is_accepting(wave: Wave, today: dt.date | None = None) -> bool:
    today = today or wave.organization.today()
    return wave.status == WaveStatus.OPEN and wave.opens_on <= today <= wave.closes_on


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
        _follow_up_low_score(response, questions, cleaned)
    return response


TITLE_LIMIT = 200  # Questionnaire.title's length
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


def _follow_up_low_score(
    response: Response, questions: list[Question], answers: list[Answer]
) -> None:
    """Close the loop: a dissatisfied respondent who agreed to be contacted becomes a case for
    the service's unit to follow up."""
    question = next((q for q in questions if q.is_overall and q.scale), None)
    score = response.grade(question.pk) if question else None
    if question is None or score is None or question.dissatisfied_max is None:
        return
    if score > question.dissatisfied_max:
        return
    from compromiso.cases import services as case_services

    channel = Channel.objects.filter(
        organization_id=response.wave.organization_id, kind="web", is_active=True
    ).first()
    if channel is None:
        return
    given = {a.question_id: a.text or ", ".join(a.choices) for a in answers}
    lines = [
        f"{q.text}: {grade if (grade := response.grade(q.pk)) is not None else given[q.pk]}"
        for q in questions
        if q.pk in given or response.grade(q.pk) is not None
    ]
    case, _secret = case_services.receive_case(
        organization=response.wave.organization,
        kind="complaint",
        channel=channel,
        service=response.service,
        subject=_("Low satisfaction in the survey “%(wave)s”") % {"wave": response.wave.title},
        description="\n".join(lines)[:20000],
        requester_name=_("Survey respondent"),
        requester_email=response.contact_email,
        by=PUBLIC,
    )
    log_action(response.wave, "surveys.response.follow_up", by=None, data={"case": case.pk})


@transaction.atomic
def invite(
    wave: Wave, *, by: User | None, service: Service, emails: Iterable[str]
) -> list[Invitation]:
    """Personal single-use invitations, e-mailed by a background task."""
    _require(wave.organization_id, by)
    if wave.status != WaveStatus.OPEN:
        raise SurveyError(_("Invitations are sent for open waves only."))
    if not wave.services.filter(pk=service.pk).exists():
        raise ValidationError({"service": _("This survey does not measure that service.")})
    from django.core.validators import validate_email

    addresses = []
    for raw in emails:
        address = raw.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {"emails": _("“%(value)s” is not an e-mail address.") % {"value": address[:80]}}
            ) from None
        addresses.append(address)
    if len(addresses) > 5000:
        raise ValidationError({"emails": _("Send at most 5,000 invitations at a time.")})
    made = Invitation.objects.bulk_create(
        Invitation(wave=wave, service=service, email=address)
        for address in dict.fromkeys(addresses)
    )
    log_action(wave, "surveys.wave.invited", by=by, data={"count": len(made)})
    ids = [i.pk for i in made]
    _enqueue_invitations(ids)
    return made


@transaction.atomic
def invite_client_units(
    wave: Wave, *, by: User | None, units: Iterable[Unit] | None = None
) -> list[Invitation]:
    """An internal wave: every member of the client units (and their subtrees) is invited once,
    with the unit recorded so the internal-customer matrix can place the answer. Without
    `units`, the wave's client units are invited; a wave that names its client units invites
    only among them."""
    _require(wave.organization_id, by)
    if wave.audience != "internal":
        raise SurveyError(_("Only internal waves invite units."))
    if wave.status != WaveStatus.OPEN:
        raise SurveyError(_("Invitations are sent for open waves only."))
    clients = list(wave.client_units.all())
    chosen = clients if units is None else list(units)
    if not chosen:
        raise ValidationError({"units": _("Choose at least one client unit.")})
    if any(u.organization_id != wave.organization_id for u in chosen):
        raise ValidationError({"units": _("Choose units of this organisation.")})
    if clients and any(u not in clients for u in chosen):
        raise ValidationError({"units": _("Choose among the wave's client units.")})
    already = set(wave.invitations.values_list("email", "client_unit_id"))
    made = []
    for unit in chosen:
        members = (
            Membership.objects.filter(unit__path__startswith=unit.path, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
            .distinct()
        )
        for email in members:
            if (email, unit.pk) not in already:
                already.add((email, unit.pk))
                made.append(Invitation(wave=wave, email=email, client_unit=unit))
    Invitation.objects.bulk_create(made)
    log_action(wave, "surveys.wave.invited_units", by=by, data={"count": len(made)})
    ids = [i.pk for i in made]
    _enqueue_invitations(ids)
    return made


def _enqueue_invitations(ids: list[int]) -> None:
    from compromiso.surveys.tasks import send_invitation

    for invitation_id in ids:
        enqueue_with_transaction(send_invitation, invitation_id=invitation_id)


def invite_after_case(case: Any) -> Invitation | None:
    """The post-contact survey: when a case with an e-mail address is closed and an open wave
    measures its service, the requester is invited once."""
    if not case.requester_email or case.service_id is None:
        return None
    today = case.organization.today()
    wave = (
        Wave.objects.filter(
            organization_id=case.organization_id,
            status=WaveStatus.OPEN,
            opens_on__lte=today,
            closes_on__gte=today,
            services=case.service_id,
        )
        .order_by("-opens_on")
        .first()
    )
    if wave is None or Invitation.objects.filter(case_id_ref=case.pk).exists():
        return None
    invitation = Invitation.objects.create(
        wave=wave, service_id=case.service_id, email=case.requester_email, case_id_ref=case.pk
    )
    _enqueue_invitations([invitation.pk])
    return invitation


def remind_invitations(today: dt.date | None = None, *, after_days: int = 5) -> int:
    """Remind, once, whoever has not answered an invitation sent `after_days` ago to a wave still
    open on its organisation's own day (or on `today` when given). Idempotent: run it daily."""
    from compromiso.surveys.tasks import send_invitation

    now = timezone.now()
    # No organisation's day is more than a day from UTC's: read the candidates, then judge each
    # wave's last day on its own organisation's calendar.
    earliest = today or (now - dt.timedelta(days=1)).date()
    due = (
        Invitation.objects.filter(
            used_at__isnull=True,
            reminded_at__isnull=True,
            sent_at__lte=now - dt.timedelta(days=after_days),
            wave__status=WaveStatus.OPEN,
            wave__closes_on__gte=earliest,
        )
        .exclude(email="")
        .select_related("wave__organization")
    )
    count = 0
    for invitation in list(due):
        wave = invitation.wave
        if wave.closes_on < (today or wave.organization.today()):
            continue
        if Invitation.objects.filter(pk=invitation.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            send_invitation.enqueue(invitation_id=invitation.pk, reminder=True)
            count += 1
    return count


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


RAKING_DIMENSIONS = ("channel", "touch_point")


@transaction.atomic
def set_weight_targets(
    wave: Wave, *, by: User | None, targets: Mapping[str, Mapping[int, float]]
) -> Wave:
    """The users' shares (%) by channel and by touch point that the wave's answers are raked
    to. Each dimension given must add up to 100 % and name the organisation's own channels and
    touch points; an empty dimension is not weighted."""
    _require(wave.organization_id, by)
    owners = {
        "channel": set(
            Channel.objects.filter(organization_id=wave.organization_id).values_list(
                "pk", flat=True
            )
        ),
        "touch_point": set(
            TouchPoint.objects.filter(organization_id=wave.organization_id).values_list(
                "pk", flat=True
            )
        ),
    }
    cleaned: dict[str, dict[str, float]] = {}
    for dimension, shares in targets.items():
        if dimension not in RAKING_DIMENSIONS:
            raise ValidationError(_("Unknown weighting dimension."))
        given = {int(k): float(v) for k, v in shares.items() if v is not None}
        if not given:
            continue
        if any(k not in owners[dimension] for k in given):
            raise ValidationError(
                {dimension: _("Choose channels and touch points of this organisation.")}
            )
        if any(not 0 <= v <= 100 for v in given.values()):
            raise ValidationError({dimension: _("Each share is between 0 and 100 %.")})
        total = sum(given.values())
        if abs(total - 100) > 0.5:
            raise ValidationError(
                {
                    dimension: _("The shares add up to %(total)s %%, not 100 %%.")
                    % {"total": f"{total:.1f}"}
                }
            )
        cleaned[dimension] = {str(k): v for k, v in given.items()}
    wave.weight_targets = cleaned
    wave.save(update_fields=["weight_targets", "updated_at"])
    log_action(wave, "surveys.wave.weight_targets", by=by, data={"targets": cleaned})
    return wave


MAX_POPULATION = 100_000_000


@transaction.atomic
def set_sample_design(
    wave: Wave, *, by: User | None, margin: Decimal, populations: Mapping[int, int | None]
) -> Wave:
    """The wave's target margin of error and the users of each measured service in the period
    (the service-level strata); a service left without a population has no stratum. Strata by
    touch point, when there are any, are kept."""
    _require(wave.organization_id, by)
    if not Decimal("0.005") <= margin <= Decimal("0.5"):
        raise ValidationError({"margin": _("Give a margin of error between 0.5 and 50 %.")})
    measured = set(wave.services.values_list("pk", flat=True))
    if any(pk not in measured for pk in populations):
        raise ValidationError(_("Choose services this wave measures."))
    given = {pk: n for pk, n in populations.items() if n is not None}
    if any(not 1 <= n <= MAX_POPULATION for n in given.values()):
        raise ValidationError(_("Each population is a number of users from 1 to 100,000,000."))
    wave.margin = margin
    wave.save(update_fields=["margin", "updated_at"])
    wave.strata.filter(touch_point__isnull=True).delete()
    Stratum.objects.bulk_create(
        Stratum(wave=wave, service_id=pk, population=n) for pk, n in sorted(given.items())
    )
    log_action(
        wave,
        "surveys.wave.sample_design",
        by=by,
        data={"margin": str(margin), "populations": {str(k): v for k, v in given.items()}},
    )
    return wave
