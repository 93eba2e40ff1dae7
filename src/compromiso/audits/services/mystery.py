"""Every change of mystery shopping: the scenario scripts, a round (an audit of kind "mystery"
with its settings), drawing its schedule, assigning, recording, missing and cancelling visits.

Who may: scenario scripts are kept by whoever manages or conducts audits in the organisation
(they are confidential: the staff observed never see them). A round is created, configured and
scheduled by whoever manages it (`audits.access`: "manage") or its lead auditor. A visit is
recorded by its assigned observer; a visit nobody is assigned to, by anyone who conducts the
round; the lead and the managers may record any. Recording stores, through the service model's
own service, one protocol observation (method "mystery") per protocol in force at the touch
point, so protocol compliance and the charter indicators count it; a correction of a recorded
visit changes those results in place and is logged with what changed."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits.access import can
from compromiso.audits.models import (
    Audit,
    AuditKind,
    MysteryAnswer,
    MysteryRound,
    MysteryScenario,
    MysteryVisit,
    ScenarioItem,
    VisitStatus,
)
from compromiso.audits.models.mystery import MAX_MINUTES
from compromiso.audits.mystery_schedule import Stratum, schedule
from compromiso.cases.models import Case
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, has_perm, require
from compromiso.core.validators import validate_plausible_date
from compromiso.organizations.models import Organization, User
from compromiso.servicemodel.checklists import checklist_for_touch_point
from compromiso.servicemodel.models import CheckMethod, ProtocolCheck, StepOutcome, StepResult
from compromiso.servicemodel.services import record_protocol_check

SCENARIO_FIELDS = (
    "service",
    "channel_kind",
    "channel",
    "title",
    "script",
    "persona",
    "expected_outcome",
    "active",
)
ROUND_FIELDS = (
    "weekdays",
    "morning_from",
    "morning_to",
    "afternoon_from",
    "afternoon_to",
    "visits_per_stratum",
    "allocation",
    "seed",
)
AUDIT_FIELDS = ("reference", "title", "objectives", "planned_start", "planned_end")
VISIT_FIELDS = ("visited_at", "wait_minutes", "service_minutes", "notes")

MYSTERY_SHOPPING = SystemActor("mystery shopping")
"""Who stores a visit's protocol observations in the service model, on behalf of the observer
whose own right (to conduct the round) was checked here; the observer is kept on each one."""


class MysteryError(DomainError):
    pass


# --- Scenarios ----------------------------------------------------------------------------


def can_keep_scenarios(user: Actor, organization_id: int) -> bool:
    if isinstance(user, SystemActor):
        return True
    return any(
        has_perm(user, perm, organization_id=organization_id)
        for perm in (Perm.MANAGE_AUDITS, Perm.CONDUCT_AUDITS)
    )


def _clean_scenario(scenario: MysteryScenario) -> None:
    errors: dict[str, str] = {}
    service: Service | None = scenario.service if scenario.service_id else None
    if service is not None and service.organization_id != scenario.organization_id:
        errors["service"] = _("Choose a service of this organisation.")
    channel: Channel | None = scenario.channel
    if channel is not None:
        if channel.organization_id != scenario.organization_id:
            errors["channel"] = _("Choose a channel of this organisation.")
        elif scenario.channel_kind and channel.kind != scenario.channel_kind:
            errors["channel"] = _("The channel is not of the scenario's channel kind.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_scenario(
    organization: Organization,
    *,
    by: Actor,
    scenario: MysteryScenario | None = None,
    **fields: Any,
) -> MysteryScenario:
    """Write a new scenario script, or change one."""
    if not can_keep_scenarios(by, organization.pk):
        raise PermissionDenied(_("You do not have permission to do this."))
    if scenario is None:
        scenario = MysteryScenario(organization=organization)
        before: dict[str, Any] = {}
    else:
        if scenario.organization_id != organization.pk:
            raise PermissionDenied(_("You do not have permission to do this."))
        before = snapshot(scenario, SCENARIO_FIELDS)
    for name, value in fields.items():
        if name not in SCENARIO_FIELDS:
            raise TypeError(name)
        setattr(scenario, name, value.strip() if isinstance(value, str) else value)
    if scenario.channel is not None and not scenario.channel_kind:
        scenario.channel_kind = scenario.channel.kind
    _clean_scenario(scenario)
    scenario.full_clean()
    created = scenario.pk is None
    scenario.save()
    after = snapshot(scenario, SCENARIO_FIELDS)
    log_action(
        scenario,
        "audits.mysteryscenario.created" if created else "audits.mysteryscenario.updated",
        by=by,
        data={"changes": list(changes(before, after))},
    )
    return scenario


# --- Rounds -------------------------------------------------------------------------------


def can_lead(user: Actor, audit: Audit) -> bool:
    """Configure, schedule and assign: the round's managers and its lead auditor."""
    if isinstance(user, SystemActor):
        return True
    return can(user, audit, "manage") or (
        audit.lead_id is not None and audit.lead_id == user.pk and can(user, audit, "conduct")
    )


def _require_lead(by: Actor, audit: Audit) -> None:
    if not can_lead(by, audit):
        raise PermissionDenied(_("You do not have permission to do this."))


def _require_open(audit: Audit) -> None:
    if not audit.is_open:
        raise MysteryError(_("The round is closed."), code="closed")


def _set_scope(
    round_: MysteryRound,
    *,
    touch_points: Iterable[TouchPoint] | None,
    scenarios: Iterable[MysteryScenario] | None,
    observers: Iterable[User] | None,
) -> dict[str, list[int]]:
    """Replace the touch points, scenarios and observers given; each must be the round's
    organisation's (observers: people who may conduct the round)."""
    audit = round_.audit
    org = audit.organization_id
    done: dict[str, list[int]] = {}
    if touch_points is not None:
        points = list(touch_points)
        if any(p.organization_id != org for p in points):
            raise ValidationError({"touch_points": _("Choose touch points of this organisation.")})
        audit.touch_points.set(points)
        done["touch_points"] = sorted(p.pk for p in points)
    if scenarios is not None:
        chosen = list(scenarios)
        if any(s.organization_id != org for s in chosen):
            raise ValidationError({"scenarios": _("Choose scenarios of this organisation.")})
        round_.scenarios.set(chosen)
        done["scenarios"] = sorted(s.pk for s in chosen)
    if observers is not None:
        people = list(observers)
        for person in people:
            if not can(person, audit, "conduct"):
                raise ValidationError(
                    {
                        "observers": _("%(name)s may not conduct this round.")
                        % {"name": person.get_full_name() or person.get_username()}
                    }
                )
        round_.observers.set(people)
        done["observers"] = sorted(p.pk for p in people)
    return done


def _set_round_fields(round_: MysteryRound, settings: Mapping[str, Any]) -> None:
    for name, value in settings.items():
        if name not in ROUND_FIELDS:
            raise TypeError(name)
        setattr(round_, name, value)
    if (round_.afternoon_from is None) != (round_.afternoon_to is None):
        raise ValidationError(
            {"afternoon_to": _("Give both hours of the second visiting period, or neither.")}
        )
    round_.full_clean(exclude=["audit"])


@transaction.atomic
def create_round(
    organization: Organization,
    *,
    by: Actor,
    reference: str,
    title: str,
    planned_start: dt.date,
    planned_end: dt.date,
    objectives: str = "",
    touch_points: Iterable[TouchPoint] = (),
    scenarios: Iterable[MysteryScenario] = (),
    observers: Iterable[User] = (),
    **settings: Any,
) -> MysteryRound:
    """A new round: an audit of kind "mystery" whose period and fieldwork are the visiting
    window, with its touch points in scope, scenarios, observers and visiting hours."""
    require(by, Perm.MANAGE_AUDITS, organization_id=organization.pk)
    audit = Audit(
        organization=organization,
        kind=AuditKind.MYSTERY,
        reference=reference.strip(),
        title=title.strip(),
        objectives=objectives.strip(),
        methods=_("Mystery shopping: scripted visits at random times."),
        period_start=planned_start,
        period_end=planned_end,
        planned_start=planned_start,
        planned_end=planned_end,
        lead=user_of(by),
    )
    _check_window(planned_start, planned_end)
    audit.full_clean()
    audit.save()
    round_ = MysteryRound(audit=audit)
    _set_round_fields(round_, settings)
    round_.save()
    scope = _set_scope(round_, touch_points=touch_points, scenarios=scenarios, observers=observers)
    log_action(audit, "audits.mystery.round_created", by=by, data=scope)
    return round_


def _check_window(start: dt.date, end: dt.date) -> None:
    validate_plausible_date(start)
    validate_plausible_date(end)
    if end < start:
        raise ValidationError({"planned_end": _("An end date is before its start date.")})
    if (end - start).days > 366:
        raise ValidationError({"planned_end": _("A round lasts at most a year.")})


@transaction.atomic
def update_round(
    round_: MysteryRound,
    *,
    by: Actor,
    touch_points: Iterable[TouchPoint] | None = None,
    scenarios: Iterable[MysteryScenario] | None = None,
    observers: Iterable[User] | None = None,
    **fields: Any,
) -> MysteryRound:
    """Change a round's title, window and settings, and replace its touch points, scenarios
    and observers. A new window or new touch points need the schedule drawn again."""
    audit = round_.audit
    _require_lead(by, audit)
    _require_open(audit)
    audit_before = snapshot(audit, AUDIT_FIELDS)
    round_before = snapshot(round_, ROUND_FIELDS)
    settings = {k: v for k, v in fields.items() if k not in AUDIT_FIELDS}
    for name in AUDIT_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(audit, name, value.strip() if isinstance(value, str) else value)
    audit.period_start, audit.period_end = audit.planned_start, audit.planned_end
    _check_window(audit.planned_start, audit.planned_end)
    audit.full_clean()
    audit.save()
    _set_round_fields(round_, settings)
    round_.save()
    scope = _set_scope(round_, touch_points=touch_points, scenarios=scenarios, observers=observers)
    data = {
        "changes": list(changes(audit_before, snapshot(audit, AUDIT_FIELDS)))
        + list(changes(round_before, snapshot(round_, ROUND_FIELDS))),
        **scope,
    }
    log_action(audit, "audits.mystery.round_updated", by=by, data=data)
    return round_


# --- The schedule -------------------------------------------------------------------------


@dataclass
class ScheduleResult:
    visits: int = 0
    skipped: list[TouchPoint] = field(default_factory=list)  # no scenario fits there


def _volumes(
    organization: Organization, points: list[TouchPoint], start: dt.date, end: dt.date
) -> dict[int, int]:
    """Cases received at each touch point in the period of the same length before the window
    (the organisation's days)."""
    length = (end - start).days + 1
    zone = organization.zone
    since = dt.datetime.combine(start - dt.timedelta(days=length), dt.time(), tzinfo=zone)
    until = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    rows = (
        Case.objects.filter(
            organization=organization,
            touch_point__in=points,
            received_at__gte=since,
            received_at__lt=until,
        )
        .values("touch_point")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["touch_point"]: row["n"] for row in rows}


@transaction.atomic
def schedule_round(round_: MysteryRound, *, by: Actor, seed: int | None = None) -> ScheduleResult:
    """Draw the round's visits (see `mystery_schedule`) from its seed (or a new one given),
    replacing the visits drawn before. Refused once a visit is recorded or missed."""
    audit = round_.audit
    _require_lead(by, audit)
    _require_open(audit)
    if seed is not None:
        _set_round_fields(round_, {"seed": seed})
    if round_.visits.filter(status__in=[VisitStatus.DONE, VisitStatus.MISSED]).exists():
        raise MysteryError(
            _("Visits have been recorded: the schedule cannot be drawn again."), code="recorded"
        )
    organization = audit.organization
    start, end = audit.planned_start, audit.planned_end
    points = list(
        audit.touch_points.filter(is_active=True).select_related("channel").order_by("pk")
    )
    scenarios = list(round_.scenarios.filter(active=True).order_by("pk"))
    proportional = round_.allocation == "proportional"
    volumes = _volumes(organization, points, start, end) if proportional else {}
    strata = [
        Stratum(
            touch_point=point.pk,
            channel_kind=point.channel.kind,
            scenarios=tuple(s.pk for s in scenarios if s.fits(point)),
            volume=volumes.get(point.pk, 0),
        )
        for point in points
    ]
    closed = [day for day, _name in organization.business_calendar().holidays_between(start, end)]
    planned = schedule(
        strata,
        start=start,
        end=end,
        weekdays=round_.weekdays,
        slots=round_.slots,
        closed=closed,
        per_stratum=round_.visits_per_stratum,
        proportional=proportional,
        seed=round_.seed,
    )
    if not planned:
        raise MysteryError(
            _(
                "No visit could be drawn: the round needs touch points in scope, a scenario "
                "that fits their channel, and open days in its window."
            ),
            code="empty",
        )
    removed = round_.visits.count()
    round_.visits.all().delete()
    observers = list(round_.observers.order_by("pk"))
    MysteryVisit.objects.bulk_create(
        MysteryVisit(
            round=round_,
            number=number,
            touch_point_id=visit.touch_point,
            scenario_id=visit.scenario,
            scheduled_at=dt.datetime.combine(visit.day, dt.time(visit.hour), organization.zone),
            observer=observers[(number - 1) % len(observers)] if observers else None,
        )
        for number, visit in enumerate(planned, start=1)
    )
    round_.scheduled_at = timezone.now()
    round_.scheduled_by = user_of(by)
    round_.save()
    skipped = [p for p, s in zip(points, strata, strict=True) if not s.scenarios]
    log_action(
        audit,
        "audits.mystery.scheduled",
        by=by,
        data={
            "seed": round_.seed,
            "visits": len(planned),
            "replaced": removed,
            "skipped": [p.pk for p in skipped],
        },
    )
    return ScheduleResult(visits=len(planned), skipped=skipped)


@transaction.atomic
def assign_visit(visit: MysteryVisit, *, by: Actor, observer: User | None) -> MysteryVisit:
    """Give a planned visit to one of the round's observers (or to nobody)."""
    audit = visit.round.audit
    _require_lead(by, audit)
    _require_open(audit)
    if visit.status != VisitStatus.PLANNED:
        raise MysteryError(_("Only a planned visit can be reassigned."), code="not_planned")
    if observer is not None and not visit.round.observers.filter(pk=observer.pk).exists():
        raise ValidationError({"observer": _("Choose one of the round's observers.")})
    data = {"from": visit.observer_id, "to": observer.pk if observer else None}
    visit.observer = observer
    visit.save(update_fields=["observer"])
    log_action(visit, "audits.mysteryvisit.assigned", by=by, data=data)
    return visit


# --- Visits -------------------------------------------------------------------------------


def can_record(user: Actor, visit: MysteryVisit) -> bool:
    """The visit's observer; anyone conducting the round when nobody is assigned; the round's
    lead and managers always."""
    audit = visit.round.audit
    if isinstance(user, SystemActor):
        return True
    if not can(user, audit, "conduct"):
        return False
    if visit.observer_id is None or visit.observer_id == user.pk:
        return True
    return can_lead(user, audit)


def _clean_visit(
    visit: MysteryVisit,
    *,
    visited_at: dt.datetime,
    wait_minutes: int | None,
    service_minutes: int | None,
    answers: Mapping[str, tuple[str, str]],
) -> None:
    errors: dict[str, str] = {}
    if visited_at.tzinfo is None or visited_at.utcoffset() is None:
        errors["visited_at"] = _("Give the time of the visit with its time zone.")
    elif visited_at > timezone.now():
        errors["visited_at"] = _("A visit cannot be recorded before it happens.")
    else:
        try:
            validate_plausible_date(visited_at)
        except ValidationError as error:
            errors["visited_at"] = error.messages[0]
    for name, minutes in (("wait_minutes", wait_minutes), ("service_minutes", service_minutes)):
        if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
            errors[name] = _("Give the minutes, from 0 to %(max)d.") % {"max": MAX_MINUTES}
    if set(answers) != set(ScenarioItem.values) or any(
        outcome not in StepOutcome.values or len(comment) > 500
        for outcome, comment in answers.values()
    ):
        errors["answers"] = _("Answer every item of the scenario.")
    if errors:
        raise ValidationError(errors)


def _store_checks(
    visit: MysteryVisit, *, by: Actor, day: dt.date, steps: Mapping[int, tuple[str, str]]
) -> list[ProtocolCheck]:
    """One protocol observation per protocol in force at the touch point, in the service
    model, with the observer kept on it."""
    items = checklist_for_touch_point(visit.touch_point)
    if set(steps) != {item.step.pk for item in items}:
        raise ValidationError({"steps": _("Give a result for every step of the checklist.")})
    by_protocol: dict[int, dict[int, tuple[str, str]]] = defaultdict(dict)
    protocols = {}
    for item in items:
        by_protocol[item.protocol.pk][item.step.pk] = steps[item.step.pk]
        protocols[item.protocol.pk] = item.protocol
    observer = user_of(by)
    checks = []
    for protocol_id, results in by_protocol.items():
        check = record_protocol_check(
            protocols[protocol_id],
            visit.touch_point,
            by=MYSTERY_SHOPPING,
            observed_on=day,
            method=CheckMethod.MYSTERY,
            results=results,
            note=_("Mystery shopping %(reference)s, visit %(number)d")
            % {"reference": visit.round.audit.reference, "number": visit.number},
        )
        if observer is not None:
            ProtocolCheck.objects.filter(pk=check.pk).update(observer=observer)
        checks.append(check)
    return checks


def _correct_checks(
    visit: MysteryVisit, *, day: dt.date, steps: Mapping[int, tuple[str, str]]
) -> dict[str, list[str]]:
    """Change the stored results of a recorded visit in place; the step changes, by id."""
    results = list(StepResult.objects.filter(check_of__in=visit.checks.all()))
    if set(steps) != {r.step_id for r in results}:
        raise ValidationError({"steps": _("Give a result for every step of the checklist.")})
    changed: dict[str, list[str]] = {}
    for result in results:
        outcome, comment = steps[result.step_id]
        if outcome not in StepOutcome.values or len(comment.strip()) > 500:
            raise ValidationError({"steps": _("Give a result for every step of the checklist.")})
        if (outcome, comment.strip()) != (result.outcome, result.comment):
            changed[str(result.step_id)] = [result.outcome, outcome]
            result.outcome, result.comment = outcome, comment.strip()
            result.save(update_fields=["outcome", "comment"])
    visit.checks.exclude(observed_on=day).update(observed_on=day)
    return changed


@transaction.atomic
def record_visit(
    visit: MysteryVisit,
    *,
    by: Actor,
    visited_at: dt.datetime,
    steps: Mapping[int, tuple[str, str]],
    answers: Mapping[str, tuple[str, str]],
    wait_minutes: int | None = None,
    service_minutes: int | None = None,
    notes: str = "",
) -> MysteryVisit:
    """Record what the observer saw: a result for every protocol step in force at the touch
    point (`steps`: step id → (outcome, comment)) and every scenario item (`answers`), the
    minutes waited and attended, notes. A visit already recorded is corrected, and logged."""
    visit = (
        MysteryVisit.objects.select_for_update()
        .select_related(
            "round__audit__organization", "touch_point__channel", "touch_point__organization"
        )
        .get(pk=visit.pk)
    )
    audit = visit.round.audit
    if not can_record(by, visit):
        raise PermissionDenied(_("You do not have permission to do this."))
    _require_open(audit)
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.DONE):
        raise MysteryError(_("A missed or cancelled visit is not recorded."), code="closed_visit")
    _clean_visit(
        visit,
        visited_at=visited_at,
        wait_minutes=wait_minutes,
        service_minutes=service_minutes,
        answers=answers,
    )
    day = audit.organization.local(visited_at).date()
    first = visit.status == VisitStatus.PLANNED
    before = snapshot(visit, VISIT_FIELDS)
    visit.visited_at = visited_at
    visit.wait_minutes = wait_minutes
    visit.service_minutes = service_minutes
    visit.notes = notes.strip()
    visit.full_clean(exclude=["round", "touch_point", "scenario", "observer", "recorded_by"])
    old_answers = {a.item: a for a in visit.answers.all()}
    if first:
        checks = _store_checks(visit, by=by, day=day, steps=steps)
        visit.checks.set(checks)
        step_changes: dict[str, list[str]] = {}
    else:
        step_changes = _correct_checks(visit, day=day, steps=steps)
    answer_changes = {}
    for item, (outcome, comment) in answers.items():
        answer = old_answers.get(item) or MysteryAnswer(visit=visit, item=item)
        if answer.pk is not None and (answer.outcome, answer.comment) == (outcome, comment.strip()):
            continue
        if answer.pk is not None:
            answer_changes[item] = [answer.outcome, outcome]
        answer.outcome, answer.comment = outcome, comment.strip()
        answer.full_clean(exclude=["visit"])
        answer.save()
    if first:
        visit.status = VisitStatus.DONE
        visit.observer = visit.observer or user_of(by)
        visit.recorded_by = user_of(by)
        visit.recorded_at = timezone.now()
    visit.save()
    if first:
        counts = Counter(outcome for outcome, _comment in steps.values())
        log_action(
            visit,
            "audits.mysteryvisit.recorded",
            by=by,
            data={"round": audit.pk, "checks": [c.pk for c in checks], **counts},
        )
    else:
        fields = changes(before, snapshot(visit, VISIT_FIELDS))
        log_action(
            visit,
            "audits.mysteryvisit.corrected",
            by=by,
            data={
                "round": audit.pk,
                "fields": {k: [str(v) for v in pair] for k, pair in fields.items()},
                "steps": step_changes,
                "answers": answer_changes,
            },
        )
    return visit


@transaction.atomic
def close_visit(visit: MysteryVisit, *, by: Actor, status: str, reason: str = "") -> MysteryVisit:
    """A planned visit that did not happen: missed (the observer could not go; only once its
    time has come) or cancelled (by the lead, with a reason). Neither counts in the results."""
    audit = visit.round.audit
    _require_open(audit)
    reason = reason.strip()
    if status == VisitStatus.MISSED:
        if not can_record(by, visit):
            raise PermissionDenied(_("You do not have permission to do this."))
        if visit.scheduled_at > timezone.now():
            raise MysteryError(_("A visit is missed only once its time has come."), code="not_yet")
    elif status == VisitStatus.CANCELLED:
        _require_lead(by, audit)
        if not reason:
            raise ValidationError({"reason": _("Say why the visit is cancelled.")})
    else:
        raise ValidationError({"status": _("Choose missed or cancelled.")})
    if visit.status != VisitStatus.PLANNED:
        raise MysteryError(_("Only a planned visit can be closed."), code="not_planned")
    visit.status = status
    visit.reason = reason
    visit.full_clean(exclude=["round", "touch_point", "scenario", "observer", "recorded_by"])
    visit.save(update_fields=["status", "reason"])
    log_action(visit, f"audits.mysteryvisit.{status}", by=by, data={"reason": bool(reason)})
    return visit
