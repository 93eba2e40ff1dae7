"""Setting up a branch: the branch itself (an in-person touch point that runs a queue), its
opening hours per weekday, its queues and its desks. Only someone who manages attention for the
branch's unit may change them; every change is in the audit log and tells displays to refresh."""

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.attention.models import Branch, Desk, OpeningHours, Queue, Weekday
from compromiso.attention.services.queue import bump
from compromiso.catalog.models import ChannelKind, Service, TouchPoint
from compromiso.core.actors import Actor
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization

BRANCH_FIELDS = (
    "code",
    "phone",
    "email",
    "has_oirs_desk",
    "no_show_after_calls",
    "service_level_minutes",
    "accepts_web_queue",
    "accepts_appointments",
    "check_in_opens_minutes",
    "check_in_closes_minutes",
    "no_show_after_minutes",
    "is_active",
)
QUEUE_FIELDS = ("name", "letter", "is_quick", "target_wait_minutes", "order", "is_active")
DESK_FIELDS = ("name", "is_active")
LETTER = re.compile(r"[A-Z]{1,2}")


def _require_manager(by: Actor, branch: Branch) -> None:
    require(
        by,
        Perm.MANAGE_ATTENTION,
        organization_id=branch.organization_id,
        unit_path=branch.touch_point.unit.path,
    )


@transaction.atomic
def create_branch(
    *, organization: Organization, touch_point: TouchPoint, code: str, by: Actor, **fields: Any
) -> Branch:
    """Run a queue at an in-person touch point of the organisation."""
    if touch_point.organization_id != organization.pk:
        raise ValidationError({"touch_point": _("This belongs to another organisation.")})
    require(
        by,
        Perm.MANAGE_ATTENTION,
        organization_id=organization.pk,
        unit_path=touch_point.unit.path,
    )
    if touch_point.channel.kind != ChannelKind.IN_PERSON:
        raise ValidationError({"touch_point": _("Only an in-person touch point can run a queue.")})
    branch = Branch(organization=organization, touch_point=touch_point, code=code)
    for name in BRANCH_FIELDS:
        if name in fields and name != "code":
            setattr(branch, name, fields[name])
    branch.full_clean()
    branch.save()
    log_action(
        branch,
        "attention.branch.created",
        by=by,
        data={"touch_point": touch_point.pk, "code": code},
    )
    return branch


@transaction.atomic
def update_branch(branch: Branch, *, by: Actor, **fields: Any) -> Branch:
    """Change a branch's short name, contact details, no-show limit, service level or state."""
    _require_manager(by, branch)
    names = [k for k in fields if k in BRANCH_FIELDS]
    before = snapshot(branch, names)
    for name in names:
        setattr(branch, name, fields[name])
    branch.full_clean()
    branch.save()
    diff = changes(before, snapshot(branch, names))
    if diff:
        log_action(branch, "attention.branch.updated", by=by, data=diff)
        bump(branch.pk)
    return branch


def _check_periods(periods: Sequence[tuple[int, dt.time, dt.time]]) -> None:
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in periods:
        if weekday not in Weekday.values:
            raise ValidationError(_("Unknown weekday."))
        if closes <= opens:
            raise ValidationError(_("The closing time must come after the opening time."))
        by_day.setdefault(weekday, []).append((opens, closes))
    for weekday, spans in by_day.items():
        spans.sort()
        for (_o1, c1), (o2, _c2) in itertools.pairwise(spans):
            if o2 < c1:
                raise ValidationError(
                    _("The opening periods of %(day)s overlap.") % {"day": Weekday(weekday).label}
                )


@transaction.atomic
def set_opening_hours(
    branch: Branch, periods: Iterable[tuple[int, dt.time, dt.time]], *, by: Actor
) -> list[OpeningHours]:
    """Replace the branch's opening hours: (weekday, opens, closes) periods, two on a split
    day. No period at all: the branch keeps the organisation's office hours."""
    _require_manager(by, branch)
    periods = sorted(periods)
    _check_periods(periods)
    before = [
        (h.weekday, f"{h.opens_at:%H:%M}", f"{h.closes_at:%H:%M}") for h in branch.hours.all()
    ]
    branch.hours.all().delete()
    rows = OpeningHours.objects.bulk_create(
        OpeningHours(branch=branch, weekday=w, opens_at=o, closes_at=c) for w, o, c in periods
    )
    after = [(w, f"{o:%H:%M}", f"{c:%H:%M}") for w, o, c in periods]
    if sorted(before) != after:
        log_action(
            branch,
            "attention.branch.hours_set",
            by=by,
            data={"before": sorted(before), "after": after},
        )
        bump(branch.pk)
    return rows


def _clean_letter(value: object) -> str:
    letter = str(value or "").strip().upper()
    if not LETTER.fullmatch(letter):
        raise ValidationError({"letter": _("Use one or two letters from A to Z.")})
    return letter


def _same_organization_services(branch: Branch, services: Iterable[Service]) -> list[Service]:
    found = list(services)
    if any(s.organization_id != branch.organization_id for s in found):
        raise ValidationError({"services": _("This belongs to another organisation.")})
    return found


@transaction.atomic
def create_queue(
    branch: Branch,
    *,
    name: str,
    letter: str,
    by: Actor,
    services: Iterable[Service] = (),
    **fields: Any,
) -> Queue:
    """Add a queue to the branch: its tickets take `letter`."""
    _require_manager(by, branch)
    chosen = _same_organization_services(branch, services)
    queue = Queue(branch=branch, name=name, letter=_clean_letter(letter))
    for field in ("is_quick", "target_wait_minutes", "order", "is_active"):
        if field in fields:
            setattr(queue, field, fields[field])
    queue.full_clean()
    queue.save()
    queue.services.set(chosen)
    log_action(
        queue,
        "attention.queue.created",
        by=by,
        data={"branch": branch.pk, "letter": queue.letter, "services": [s.pk for s in chosen]},
    )
    bump(branch.pk)
    return queue


@transaction.atomic
def update_queue(queue: Queue, *, by: Actor, **fields: Any) -> Queue:
    """Rename a queue, change its letter, services, target wait, order or state."""
    branch = queue.branch
    _require_manager(by, branch)
    names = [k for k in fields if k in QUEUE_FIELDS]
    if "services" in fields:
        names.append("services")
    before = snapshot(queue, names)
    for name in names:
        if name == "letter":
            queue.letter = _clean_letter(fields["letter"])
        elif name != "services":
            setattr(queue, name, fields[name])
    queue.full_clean()
    queue.save()
    if "services" in fields:
        queue.services.set(_same_organization_services(branch, fields["services"]))
    diff = changes(before, snapshot(queue, names))
    if diff:
        log_action(queue, "attention.queue.updated", by=by, data=diff)
        bump(branch.pk)
    return queue


def _branch_queues(branch: Branch, queues: Iterable[Queue]) -> list[Queue]:
    found = list(queues)
    if any(q.branch_id != branch.pk for q in found):
        raise ValidationError({"queues": _("This queue is in another branch.")})
    return found


@transaction.atomic
def create_desk(
    branch: Branch,
    *,
    name: str,
    by: Actor,
    queues: Iterable[Queue] = (),
    is_active: bool = True,
) -> Desk:
    """Add a desk to the branch and the queues it calls from."""
    _require_manager(by, branch)
    chosen = _branch_queues(branch, queues)
    desk = Desk(branch=branch, name=name, is_active=is_active)
    desk.full_clean()
    desk.save()
    desk.queues.set(chosen)
    log_action(
        desk,
        "attention.desk.created",
        by=by,
        data={"branch": branch.pk, "queues": [q.pk for q in chosen]},
    )
    bump(branch.pk)
    return desk


@transaction.atomic
def update_desk(desk: Desk, *, by: Actor, **fields: Any) -> Desk:
    """Rename a desk, change the queues it serves or (de)activate it."""
    branch = desk.branch
    _require_manager(by, branch)
    names = [k for k in fields if k in DESK_FIELDS]
    if "queues" in fields:
        names.append("queues")
    before = snapshot(desk, names)
    for name in names:
        if name != "queues":
            setattr(desk, name, fields[name])
    desk.full_clean()
    desk.save()
    if "queues" in fields:
        desk.queues.set(_branch_queues(branch, fields["queues"]))
    diff = changes(before, snapshot(desk, names))
    if diff:
        log_action(desk, "attention.desk.updated", by=by, data=diff)
        bump(branch.pk)
    return desk
