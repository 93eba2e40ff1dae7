"""The legal clock of a case: its due date from the policy copy, the calendar and the pauses
of its timeline; recomputation; the one extension the law allows."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from compromiso.cases import deadlines
from compromiso.cases.models import (
    Case,
    CaseAction,
    CaseEvent,
    EventKind,
    Status,
)
from compromiso.cases.services.errors import CaseError
from compromiso.cases.services.figures import refresh_facts_later
from compromiso.cases.services.guards import person, require_action, require_handler
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.calendar import BusinessCalendar, DeadlineUnit


def compute_due(case: Case, *, pauses: Sequence[deadlines.Pause]) -> dt.datetime | None:
    return due_with_calendar(case, case.organization.business_calendar(), pauses=pauses)


def due_with_calendar(
    case: Case, calendar: BusinessCalendar, *, pauses: Sequence[deadlines.Pause]
) -> dt.datetime | None:
    return deadlines.due_at(
        deadlines.shared_calendar(calendar),
        case.received_at,
        case.deadline_amount,
        DeadlineUnit(case.deadline_unit),
        pauses=pauses,
        extension=case.extension_allowed if case.extended else 0,
        extension_unit=DeadlineUnit(case.extension_unit) if case.extension_unit else None,
    )


def pauses_of(case: Case) -> list[deadlines.Pause]:
    """The periods the clock stood still, read from the case's timeline. A pause ends when the
    clock restarts or the case leaves the waiting state any other way (older timelines recorded
    "start" on a waiting case as a plain state change)."""
    pauses: list[deadlines.Pause] = []
    started: dt.datetime | None = None
    for kind, at in case.events.filter(
        Q(kind__in=[EventKind.PAUSED, EventKind.RESUMED]) | Q(from_status=Status.WAITING)
    ).values_list("kind", "at"):
        if kind == EventKind.PAUSED and started is None:
            started = at
        elif kind != EventKind.PAUSED and started is not None:
            pauses.append(deadlines.Pause(started, at))
            started = None
    if started is not None:
        pauses.append(deadlines.Pause(started, None))
    return pauses


def recompute_deadline(case: Case) -> Case:
    """Derive the due date again from the policy copy, the calendar and the event log."""
    due = compute_due(case, pauses=pauses_of(case))
    if due != case.due_at:
        case.due_at = due
        case.save(update_fields=["due_at", "updated_at"])
    return case


def recompute_open_deadlines(organization_id: int) -> int:
    """After a calendar change: recompute every open case of the organisation."""
    count = 0
    for case in (
        Case.objects.open().filter(organization_id=organization_id).select_related("organization")
    ):
        before = case.due_at
        recompute_deadline(case)
        count += before != case.due_at
    return count


@transaction.atomic
def extend_deadline(case: Case, *, reason: str, by: Actor) -> Case:
    """Use the extension the law allows, once, telling the requester when the law requires it."""
    require_handler(case, by)
    if not case.is_open:
        raise CaseError(_("Only open cases can be extended."), code="closed")
    if case.extended:
        raise CaseError(_("The deadline was already extended."), code="already_extended")
    if case.extension_allowed == 0:
        raise CaseError(
            _("The legal basis of this kind of request allows no extension."), code="no_extension"
        )
    require_action(case, CaseAction.EXTEND)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    case.extended = True
    case.save(update_fields=["extended", "updated_at"])
    refresh_facts_later(case)
    CaseEvent.objects.create(
        case=case,
        actor=person(by),
        kind=EventKind.EXTENDED,
        comment=reason,
        is_public=True,  # the requester is always told; some laws make it mandatory
    )
    recompute_deadline(case)
    log_action(case, "cases.case.extended", by=by, data={"due_at": case.due_at})
    return case
