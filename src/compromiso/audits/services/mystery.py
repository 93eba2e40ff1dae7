"""Every change of mystery shopping but its visits': the scenario scripts, a round (an audit
of kind "mystery" with its settings) and drawing its schedule. The visits are recorded in
`mystery_visits`.

Who may: scenario scripts are kept by whoever manages or conducts audits in the organisation
(they are confidential: the staff observed never see them). A round is created by whoever
manages audits, and configured and scheduled by its managers (`audits.access`: "manage") or its
lead auditor."""

import datetime as dt
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
    MysteryRound,
    MysteryScenario,
    MysteryVisit,
    VisitStatus,
)
from compromiso.audits.mystery_schedule import Stratum, schedule
from compromiso.cases.models import Case
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, has_perm, require
from compromiso.core.validators import validate_plausible_date
from compromiso.organizations.models import Organization, User

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


def require_lead(by: Actor, audit: Audit) -> None:
    if not can_lead(by, audit):
        raise PermissionDenied(_("You do not have permission to do this."))


def require_open(audit: Audit) -> None:
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
    require_lead(by, audit)
    require_open(audit)
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
    require_lead(by, audit)
    require_open(audit)
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
