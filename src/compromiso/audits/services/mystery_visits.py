"""Every change of a mystery-shopping round's visits: reassigning one, recording what the
observer saw (or correcting it, logged with what changed), and closing one that did not happen.

Who may record a visit: its assigned observer; when nobody is assigned, anyone who conducts the
round; the round's lead and its managers always. Recording stores, through the service model's
own service, one protocol observation (method "mystery") per protocol in force at the touch
point, so protocol compliance and the charter indicators count it; a correction changes those
results in place."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits.access import can
from compromiso.audits.models import MysteryAnswer, MysteryVisit, ScenarioItem, VisitStatus
from compromiso.audits.models.mystery import MAX_MINUTES
from compromiso.audits.services.mystery import (
    MYSTERY_SHOPPING,
    MysteryError,
    can_lead,
    require_lead,
    require_open,
)
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.validators import validate_plausible_date
from compromiso.organizations.models import User
from compromiso.servicemodel.checklists import checklist_for_touch_point
from compromiso.servicemodel.models import CheckMethod, ProtocolCheck, StepOutcome, StepResult
from compromiso.servicemodel.services import record_protocol_check

VISIT_FIELDS = ("visited_at", "wait_minutes", "service_minutes", "notes")


@transaction.atomic
def assign_visit(visit: MysteryVisit, *, by: Actor, observer: User | None) -> MysteryVisit:
    """Give a planned visit to one of the round's observers (or to nobody)."""
    audit = visit.round.audit
    require_lead(by, audit)
    require_open(audit)
    if visit.status != VisitStatus.PLANNED:
        raise MysteryError(_("Only a planned visit can be reassigned."), code="not_planned")
    if observer is not None and not visit.round.observers.filter(pk=observer.pk).exists():
        raise ValidationError({"observer": _("Choose one of the round's observers.")})
    data = {"from": visit.observer_id, "to": observer.pk if observer else None}
    visit.observer = observer
    visit.save(update_fields=["observer"])
    log_action(visit, "audits.mysteryvisit.assigned", by=by, data=data)
    return visit


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
        MysteryVisit.objects.select_for_update(of=("self",))
        .select_related(
            "round__audit__organization", "touch_point__channel", "touch_point__organization"
        )
        .get(pk=visit.pk)
    )
    audit = visit.round.audit
    if not can_record(by, visit):
        raise PermissionDenied(_("You do not have permission to do this."))
    require_open(audit)
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
    require_open(audit)
    reason = reason.strip()
    if status == VisitStatus.MISSED:
        if not can_record(by, visit):
            raise PermissionDenied(_("You do not have permission to do this."))
        if visit.scheduled_at > timezone.now():
            raise MysteryError(_("A visit is missed only once its time has come."), code="not_yet")
    elif status == VisitStatus.CANCELLED:
        require_lead(by, audit)
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
