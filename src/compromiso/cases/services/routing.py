"""Who handles a case: eligible people, assignment (one or many), routing rules, and the
canned answers offered on the case page."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from compromiso.cases.models import (
    AssignmentRule,
    CannedAnswer,
    Case,
    CaseEvent,
    EventKind,
    Status,
)
from compromiso.cases.services.errors import CaseError
from compromiso.cases.services.guards import person, require_handler, same_organization
from compromiso.cases.services.lifecycle import move_status
from compromiso.catalog.models import Service
from compromiso.core.actors import Actor, SystemActor
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require, roles_with, scope_for
from compromiso.organizations.models import Organization, Unit, User


def eligible_assignees(case: Case, unit: Unit | None = None) -> QuerySet[User]:
    """Active people who may handle the case at `unit` (by default its own): a role with the
    permission to handle cases held on the whole organisation, or on that unit or one above it.
    The choice offered by every door; `assign_case` refuses anyone else."""
    target = unit or case.unit
    where = Q(memberships__unit__isnull=True)
    if target is not None:
        ancestors = [target.path[: i + 1] for i, c in enumerate(target.path) if c == "/" and i]
        where |= Q(memberships__unit__path__in=ancestors)
    return (
        User.objects.filter(
            where,
            is_active=True,
            memberships__organization_id=case.organization_id,
            memberships__organization__is_active=True,
            memberships__role__in=roles_with(Perm.HANDLE_CASES),
        )
        .distinct()
        .order_by("username")
    )


def organization_handlers(organization_id: int) -> QuerySet[User]:
    """Active people who may handle some case of the organisation (the bulk choice; `assign_case`
    still refuses, case by case, anyone who may not handle that case's unit)."""
    return (
        User.objects.filter(
            memberships__organization_id=organization_id,
            memberships__role__in=roles_with(Perm.HANDLE_CASES),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def assign_case(
    case: Case,
    *,
    assignee: User,
    by: Actor,
    unit: Unit | None = None,
    check_permission: bool = True,
) -> Case:
    """Give the case to an officer, optionally moving it to another owning unit. Routing rules
    assign with check_permission=False (no person acts)."""
    if check_permission:
        require_handler(case, by)
    if not case.is_open:
        raise CaseError(_("Closed cases cannot be reassigned."), code="closed")
    target = unit or case.unit
    if target is not None:
        same_organization(case.organization, unit=target)
    if not scope_for(assignee, Perm.HANDLE_CASES).covers(
        case.organization_id, target.path if target else None
    ):
        raise ValidationError({"assignee": _("This person cannot handle cases of that unit.")})
    if case.status != Status.ASSIGNED or case.assignee_id != assignee.pk:
        to = Status.ASSIGNED if case.can_become(Status.ASSIGNED) else case.status
        if to == case.status:
            CaseEvent.objects.create(
                case=case,
                actor=person(by),
                kind=EventKind.ASSIGNED,
                comment=assignee.get_username(),
            )
        else:
            move_status(
                case, to, by=by, comment=assignee.get_username(), event_kind=EventKind.ASSIGNED
            )
    case.assignee, case.unit = assignee, target
    case.save(update_fields=["status", "assignee", "unit", "updated_at"])
    log_action(
        case,
        "cases.case.assigned",
        by=by,
        data={"assignee": assignee.pk, "unit": target.pk if target else None},
    )
    return case


def apply_assignment_rules(case: Case) -> AssignmentRule | None:
    """Give a new case to the unit and next officer of the first rule that matches it."""
    rules = AssignmentRule.objects.filter(
        organization_id=case.organization_id, is_active=True
    ).select_related("unit", "target_unit")
    for rule in rules:
        if rule.kind and rule.kind != case.kind:
            continue
        if rule.service_id and rule.service_id != case.service_id:
            continue
        outside = case.unit is None or (
            rule.unit is not None and not case.unit.path.startswith(rule.unit.path)
        )
        if rule.unit_id and outside:
            continue
        target = rule.target_unit or case.unit
        officers = [
            person
            for person in rule.officers.filter(is_active=True).order_by("pk")
            if scope_for(person, Perm.HANDLE_CASES).covers(
                case.organization_id, target.path if target else None
            )
        ]
        locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        if officers:
            officer = officers[locked.next_index % len(officers)]
            locked.next_index = (locked.next_index + 1) % len(officers)
            locked.save(update_fields=["next_index"])
            assign_case(case, assignee=officer, by=ROUTING, unit=target, check_permission=False)
        elif target is not None and target != case.unit:
            case.unit = target
            case.save(update_fields=["unit", "updated_at"])
        log_action(case, "cases.case.routed", by=ROUTING, data={"rule": rule.pk})
        return rule
    return None


# Routing rules act on their own: no person assigns the case.
ROUTING = SystemActor("routing")

PLACEHOLDERS = ("code", "name", "service", "due", "officer")


def render_canned_answer(canned: CannedAnswer, case: Case, officer: User | None) -> str:
    """Fill the template's placeholders; unknown ones are left as written."""
    from django.utils.formats import date_format

    values = {
        "code": case.tracking_code,
        "name": case.requester_name or _("requester"),
        "service": case.service.name if case.service_id and case.service else "",
        "due": (
            date_format(case.organization.local(case.due_at), "DATE_FORMAT") if case.due_at else ""
        ),
        "officer": (officer.get_full_name() or officer.get_username()) if officer else "",
    }
    text = canned.body
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def bulk_assign(cases: Iterable[Case], *, assignee: User, by: Actor) -> tuple[int, list[str]]:
    """Assign several cases at once; each is its own change, and refusals are reported."""
    done, refused = 0, []
    for case in cases:
        try:
            assign_case(case, assignee=assignee, by=by)
        except (ValidationError, DomainError, PermissionDenied):
            refused.append(case.tracking_code)
        else:
            done += 1
    return done, refused


CANNED_ANSWER_FIELDS = ("title", "kind", "body", "is_active")


@transaction.atomic
def save_canned_answer(
    organization: Organization,
    *,
    by: Actor,
    title: str,
    body: str,
    kind: str = "",
    is_active: bool = True,
    answer: CannedAnswer | None = None,
) -> CannedAnswer:
    """Create a reusable answer, or change `answer`: offered on every case page of its kind."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    if answer is not None:
        same_organization(organization, answer=answer)
    target = answer or CannedAnswer(organization=organization)
    before = snapshot(target, list(CANNED_ANSWER_FIELDS)) if answer else {}
    target.title, target.kind, target.body, target.is_active = title, kind, body, is_active
    target.full_clean()
    target.save()
    log_action(
        target,
        "cases.cannedanswer.updated" if answer else "cases.cannedanswer.created",
        by=by,
        data=changes(before, snapshot(target, list(CANNED_ANSWER_FIELDS))),
    )
    return target


@transaction.atomic
def save_assignment_rule(
    organization: Organization,
    *,
    by: Actor,
    officers: Iterable[User],
    position: int = 10,
    kind: str = "",
    service: Service | None = None,
    unit: Unit | None = None,
    target_unit: Unit | None = None,
    is_active: bool = True,
    rule: AssignmentRule | None = None,
) -> AssignmentRule:
    """Create a routing rule, or change `rule`: new cases that match it go to its unit and, in
    turn, to its officers."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    same_organization(organization, rule=rule, service=service, unit=unit, target_unit=target_unit)
    target = rule or AssignmentRule(organization=organization)
    target.position, target.kind, target.service = position, kind, service
    target.unit, target.target_unit, target.is_active = unit, target_unit, is_active
    target.full_clean()
    target.save()
    chosen = list(officers)
    target.officers.set(chosen)
    log_action(
        target,
        "cases.assignmentrule.updated" if rule else "cases.assignmentrule.created",
        by=by,
        data={"officers": [user.pk for user in chosen]},
    )
    return target
