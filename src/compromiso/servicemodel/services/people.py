"""Changes to the staff list: add, change or deactivate a person, and give a profile to the
organisation's members who have none yet.

Who may: whoever drafts the service model (`Perm.EDIT_CHARTERS`) at the person's unit. A quality
manager keeps the whole organisation's list; a unit head keeps the people of their unit's subtree
(moving a person needs the right at both units). Readers and auditors see the list and change
nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor, SystemActor
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require, scope_for
from compromiso.organizations.models import Membership, Organization, Unit, User
from compromiso.servicemodel.models import StaffMember, StaffRole
from compromiso.servicemodel.services.model import ServiceModelError

PERM = Perm.EDIT_CHARTERS
STAFF_FIELDS = ("code", "name", "email", "role", "is_manager", "is_active")


def require_unit(by: Actor, unit: Unit) -> None:
    """The actor keeps the staff list at this unit."""
    require(by, PERM, organization_id=unit.organization_id, unit_path=unit.path)


def _check_unit(organization: Organization, unit: Unit) -> None:
    if unit.organization_id != organization.pk:
        raise ValidationError({"unit": _("The unit belongs to another organisation.")})


def check_touch_points(unit: Unit, touch_points: Iterable[TouchPoint]) -> None:
    """A person attends only at touch points of their unit or of a unit inside it."""
    for touch_point in touch_points:
        inside = touch_point.unit.path.startswith(unit.path)
        if touch_point.organization_id != unit.organization_id or not inside:
            raise ValidationError(
                {
                    "touch_points": _("%(touch_point)s is not a touch point of the person's unit.")
                    % {"touch_point": touch_point.name}
                }
            )


def _check_user(organization: Organization, user: User | None) -> None:
    if (
        user is not None
        and not Membership.objects.filter(organization=organization, user=user).exists()
    ):
        raise ValidationError({"user": _("The user account is not a member of this organisation.")})


def _save(member: StaffMember) -> None:
    member.code = member.code.strip()
    member.name = " ".join(member.name.split())
    member.full_clean(exclude=["touch_points"])
    member.save()


@transaction.atomic
def create_staff_member(
    organization: Organization,
    *,
    by: Actor,
    unit: Unit,
    code: str,
    name: str,
    email: str = "",
    role: str = StaffRole.CONTACT,
    is_manager: bool = False,
    touch_points: Iterable[TouchPoint] = (),
    user: User | None = None,
) -> StaffMember:
    """Add a person to the staff list."""
    _check_unit(organization, unit)
    require_unit(by, unit)
    touch_points = list(touch_points)
    check_touch_points(unit, touch_points)
    _check_user(organization, user)
    member = StaffMember(
        organization=organization,
        unit=unit,
        code=code,
        name=name,
        email=email,
        role=role,
        is_manager=is_manager,
        user=user,
    )
    _save(member)
    member.touch_points.set(touch_points)
    log_action(member, "servicemodel.staffmember.created", by=by, data={"unit": unit.pk})
    return member


@transaction.atomic
def update_staff_member(
    member: StaffMember,
    *,
    by: Actor,
    unit: Unit | None = None,
    touch_points: Iterable[TouchPoint] | None = None,
    **fields: Any,
) -> StaffMember:
    """Change a person's details (`STAFF_FIELDS`, and `user`: the linked account or None); a new
    unit needs the right at the old and the new one. The touch points, when given, replace the
    person's; otherwise those outside a new unit go."""
    require_unit(by, member.unit)
    before = {name: getattr(member, name) for name in STAFF_FIELDS}
    before_unit = member.unit_id
    if unit is not None and unit.pk != member.unit_id:
        _check_unit(member.organization, unit)
        require_unit(by, unit)
        member.unit = unit
    if "user" in fields:
        user = fields.pop("user")
        _check_user(member.organization, user)
        member.user = user
    for name, value in fields.items():
        if name not in STAFF_FIELDS:
            raise TypeError(name)
        setattr(member, name, value)
    if touch_points is None:
        touch_points = [
            tp
            for tp in member.touch_points.select_related("unit")
            if tp.unit.path.startswith(member.unit.path)
        ]
    touch_points = list(touch_points)
    check_touch_points(member.unit, touch_points)
    _save(member)
    member.touch_points.set(touch_points)
    changed = [name for name in STAFF_FIELDS if before[name] != getattr(member, name)]
    if before_unit != member.unit_id:
        changed.append("unit")
    log_action(member, "servicemodel.staffmember.updated", by=by, data={"fields": changed})
    return member


@transaction.atomic
def deactivate_staff_member(member: StaffMember, *, by: Actor) -> StaffMember:
    """The person has left: kept for the records, no longer counted."""
    require_unit(by, member.unit)
    if not member.is_active:
        raise ServiceModelError(_("This person is already inactive."), code="inactive")
    member.is_active = False
    member.save(update_fields=["is_active", "updated_at"])
    log_action(member, "servicemodel.staffmember.deactivated", by=by, data={})
    return member


@dataclass
class ProfilesMade:
    created: int = 0
    skipped: int = 0  # members without a unit, or whose user name is another person's number


@transaction.atomic
def staff_from_memberships(organization: Organization, *, by: Actor) -> ProfilesMade:
    """A profile for every active member of the organisation who has none: their unit from the
    membership (the organisation's only top unit for a whole-organisation role), contact staff
    by default, their user name as the employee number. Only in the units the actor keeps."""
    scope = scope_for(by, PERM)
    system = isinstance(by, SystemActor)
    if not system and not scope.touches(organization.pk):
        raise PermissionDenied(_("You do not have permission to do this."))
    roots = list(Unit.objects.filter(organization=organization, parent=None, is_active=True)[:2])
    only_root = roots[0] if len(roots) == 1 else None
    linked = set(
        StaffMember.objects.filter(organization=organization, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    codes = set(
        StaffMember.objects.filter(organization=organization).values_list("code", flat=True)
    )
    result = ProfilesMade()
    memberships = (
        Membership.objects.filter(organization=organization, user__is_active=True)
        .exclude(user_id__in=linked)
        .select_related("user", "unit")
        .order_by("user_id", "unit__path")
    )
    units_of: dict[int, tuple[User, list[Unit | None]]] = {}
    for membership in memberships:
        unit = membership.unit or only_root
        if membership.unit is not None and not (
            system or scope.covers(organization.pk, membership.unit.path)
        ):
            continue  # a unit the actor does not keep
        if membership.unit is None and not (system or scope.covers_organization(organization.pk)):
            continue
        units_of.setdefault(membership.user_id, (membership.user, []))[1].append(unit)
    for user, units in units_of.values():
        usable = [unit for unit in units if unit is not None and unit.is_active]
        code = user.username[:40]
        if not usable or code in codes:
            result.skipped += 1
            continue
        member = StaffMember.objects.create(
            organization=organization,
            unit=usable[0],
            code=code,
            name=(user.get_full_name() or user.username)[:200],
            email=user.email,
            user=user,
        )
        codes.add(code)
        result.created += 1
        log_action(member, "servicemodel.staffmember.created", by=by, data={"from": "membership"})
    return result
