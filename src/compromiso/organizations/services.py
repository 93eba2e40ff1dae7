"""Every change to organisations, units, members, the calendar and API tokens."""

from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import ProtectedError, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import changes, log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, Role, forget_memberships, require, scope_for
from compromiso.core.prepared import PreparedQuery, prepared
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations import tasks
from compromiso.organizations.models import (
    ApiToken,
    ClosureDay,
    Membership,
    NetworkMember,
    Organization,
    Unit,
    UnitKind,
    User,
    hash_token,
)
from compromiso.organizations.signals import calendar_changed, organization_created

CALENDAR_FIELDS = {"country", "subdivision", "office_opens_at", "office_closes_at", "weekmask"}


def _calendar_changed(organization_id: int) -> None:
    """Tell listeners (open cases' deadlines) once the change is committed."""
    transaction.on_commit(
        lambda: calendar_changed.send(sender=Organization, organization_id=organization_id)
    )


ORGANIZATION_FIELDS = (
    "name",
    "slug",
    "country",
    "subdivision",
    "time_zone",
    "language",
    "jurisdiction",
    "office_opens_at",
    "office_closes_at",
    "weekmask",
    "case_retention_days",
    "two_factor_required_for",
)


@transaction.atomic
def create_organization(*, by: Actor, **fields: Any) -> Organization:
    """Register a new organisation in the network (administrators of the installation only)."""
    organization = Organization(**{k: v for k, v in fields.items() if k in ORGANIZATION_FIELDS})
    organization.full_clean()
    organization.save()
    log_action(organization, "organizations.organization.created", by=by, data=fields)
    organization_created.send(sender=Organization, organization=organization, by=by)
    return organization


@transaction.atomic
def update_organization(organization: Organization, *, by: Actor, **fields: Any) -> Organization:
    """Change the organisation's settings; a calendar change is recorded like any other."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    names = [k for k in fields if k in ORGANIZATION_FIELDS]
    before = snapshot(organization, names)
    for name in names:
        setattr(organization, name, fields[name])
    organization.full_clean()
    organization.save()
    diff = changes(before, snapshot(organization, names))
    if diff:
        log_action(organization, "organizations.organization.updated", by=by, data=diff)
    if CALENDAR_FIELDS & diff.keys():
        _calendar_changed(organization.pk)
    return organization


def _compute_path(unit: Unit) -> str:
    parent_path = unit.parent.path if unit.parent_id and unit.parent else "/"
    return f"{parent_path}{unit.pk}/"


@transaction.atomic
def create_unit(
    *,
    organization: Organization,
    name: str,
    kind: str = UnitKind.AREA,
    parent: Unit | None = None,
    code: str = "",
    by: Actor,
) -> Unit:
    """Add a unit under `parent` (or at the top of the tree)."""
    require(
        by,
        Perm.MANAGE_UNITS,
        organization_id=organization.pk,
        unit_path=parent.path if parent else None,
    )
    unit = Unit(organization=organization, parent=parent, name=name, kind=kind, code=code)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = _compute_path(unit)
    unit.save(update_fields=["path"])
    log_action(
        unit,
        "organizations.unit.created",
        by=by,
        data={"name": name, "kind": kind, "parent": parent.pk if parent else None, "code": code},
    )
    return unit


@transaction.atomic
def update_unit(unit: Unit, *, by: Actor, **fields: Any) -> Unit:
    """Rename, re-code, move or (de)activate a unit; moving carries its whole subtree along."""
    require(by, Perm.MANAGE_UNITS, organization_id=unit.organization_id, unit_path=unit.path)
    names = [k for k in fields if k in ("name", "code", "kind", "parent", "is_active")]
    before = snapshot(unit, names)
    old_path = unit.path
    for name in names:
        setattr(unit, name, fields[name])
    if "parent" in names and unit.parent is not None:
        # Moving needs the permission at the destination too.
        require(
            by, Perm.MANAGE_UNITS, organization_id=unit.organization_id, unit_path=unit.parent.path
        )
    unit.full_clean(exclude=["path"])
    new_path = _compute_path(unit)
    if new_path != old_path:
        descendants = (
            Unit.objects.select_for_update()
            .filter(organization_id=unit.organization_id, path__startswith=old_path)
            .exclude(pk=unit.pk)
        )
        for descendant in descendants:
            descendant.path = new_path + descendant.path[len(old_path) :]
            descendant.save(update_fields=["path"])
        unit.path = new_path
    unit.save()
    diff = changes(before, snapshot(unit, names))
    if diff:
        log_action(unit, "organizations.unit.updated", by=by, data=diff)
    return unit


@transaction.atomic
def delete_unit(unit: Unit, *, by: Actor) -> None:
    """Remove a unit that nothing refers to; otherwise say what still depends on it."""
    require(by, Perm.MANAGE_UNITS, organization_id=unit.organization_id, unit_path=unit.path)
    blockers: dict[str, int] = {}
    try:
        with transaction.atomic():
            log_action(unit, "organizations.unit.deleted", by=by, data={"name": unit.name})
            unit.delete()
    except ProtectedError as error:
        for obj in error.protected_objects:
            label = str(obj._meta.verbose_name_plural)
            blockers[label] = blockers.get(label, 0) + 1
    if blockers:
        listing = ", ".join(f"{count} {label}" for label, count in sorted(blockers.items()))
        raise DomainError(
            _(
                "“%(unit)s” cannot be deleted while other records depend on it (%(listing)s). "
                "Move or remove them first, or deactivate the unit instead."
            )
            % {"unit": unit.name, "listing": listing},
            code="unit_in_use",
        )


@transaction.atomic
def create_staff_user(
    *,
    organization: Organization,
    username: str,
    email: str,
    first_name: str = "",
    last_name: str = "",
    by: Actor,
) -> User:
    """Create a staff account with no password; the person sets one from an e-mailed link."""
    require(by, Perm.MANAGE_MEMBERS, organization_id=organization.pk)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        preferred_language=organization.language,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    log_action(
        user, "organizations.user.created", by=by, data={"username": username, "email": email}
    )
    enqueue_with_transaction(tasks.send_welcome_email, user_id=user.pk)
    return user


@transaction.atomic
def add_membership(
    *,
    organization: Organization,
    user: User,
    role: str,
    unit: Unit | None = None,
    by: Actor,
) -> Membership:
    """Give a person a role on a unit (covering its subtree) or on the whole organisation."""
    require(
        by,
        Perm.MANAGE_MEMBERS,
        organization_id=organization.pk,
        unit_path=unit.path if unit else None,
    )
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    membership = Membership(organization=organization, user=user, role=role, unit=unit)
    membership.full_clean()
    membership.save()
    forget_memberships(user)
    log_action(
        membership,
        "organizations.membership.created",
        by=by,
        data={"user": user.pk, "role": role, "unit": unit.pk if unit else None},
    )
    return membership


@transaction.atomic
def remove_membership(membership: Membership, *, by: Actor) -> None:
    """Take a role away; the audit log keeps the record of who held it."""
    unit = membership.unit
    require(
        by,
        Perm.MANAGE_MEMBERS,
        organization_id=membership.organization_id,
        unit_path=unit.path if unit else None,
    )
    if (
        membership.role == Role.ADMINISTRATOR
        and membership.unit_id is None
        and not Membership.objects.filter(
            organization_id=membership.organization_id,
            role=Role.ADMINISTRATOR,
            unit__isnull=True,
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise DomainError(
            _("The organisation must keep at least one administrator."), code="last_administrator"
        )
    log_action(
        membership,
        "organizations.membership.removed",
        by=by,
        data={"user": membership.user_id, "role": membership.role, "unit": membership.unit_id},
    )
    membership.delete()
    forget_memberships(membership.user)


@transaction.atomic
def grant_network_role(*, user: User, by: Actor) -> NetworkMember:
    """Make a user a network analyst (installation administrators only)."""
    member, created = NetworkMember.objects.get_or_create(user=user)
    if created:
        log_action(member, "organizations.network_member.created", by=by, data={"user": user.pk})
    return member


@transaction.atomic
def add_closure_day(*, organization: Organization, day: date, name: str, by: Actor) -> ClosureDay:
    """Add a local holiday or closure to the organisation's business calendar."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=organization.pk)
    closure = ClosureDay(
        organization=organization,
        date=day,
        name=name,
        created_by=user_of(by),
        updated_by=user_of(by),
    )
    closure.full_clean()
    closure.save()
    log_action(
        closure, "organizations.closure_day.created", by=by, data={"date": day, "name": name}
    )
    _calendar_changed(organization.pk)
    return closure


@transaction.atomic
def update_closure_day(closure: ClosureDay, *, day: date, name: str, by: Actor) -> ClosureDay:
    """Change a closure day's date or reason."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=closure.organization_id)
    before = snapshot(closure, ["date", "name"])
    closure.date, closure.name, closure.updated_by = day, name, user_of(by)
    closure.full_clean()
    closure.save()
    diff = changes(before, snapshot(closure, ["date", "name"]))
    if diff:
        log_action(closure, "organizations.closure_day.updated", by=by, data=diff)
    if "date" in diff:
        _calendar_changed(closure.organization_id)
    return closure


@transaction.atomic
def remove_closure_day(closure: ClosureDay, *, by: Actor) -> None:
    """Take a closure day out of the calendar (the audit log keeps it)."""
    require(by, Perm.MANAGE_ORGANIZATION, organization_id=closure.organization_id)
    log_action(
        closure,
        "organizations.closure_day.removed",
        by=by,
        data={"date": closure.date, "name": closure.name},
    )
    _calendar_changed(closure.organization_id)
    closure.delete()


@transaction.atomic
def create_api_token(
    *, user: User, organization: Organization, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a personal access token; returns the token row and the secret, shown only once."""
    if not scope_for(user, Perm.VIEW).touches(organization.pk):
        raise PermissionDenied(_("You are not a member of this organisation."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    raw = ApiToken.generate_key()
    token = ApiToken(
        user=user,
        organization=organization,
        name=name,
        key_hash=hash_token(raw),
        hint=raw[:10],
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    log_action(token, "organizations.api_token.created", by=user, data={"name": name})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User) -> ApiToken:
    """Stop a token from working, for good."""
    if token.user_id != by.pk:
        require(by, Perm.MANAGE_MEMBERS, organization_id=token.organization_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(token, "organizations.api_token.revoked", by=by, data={"name": token.name})
    return token


def usable_tokens(key_hash: str, now: datetime) -> QuerySet[ApiToken]:
    """The usable token with this hash, its user and organisation joined (at most one row)."""
    return (
        ApiToken.objects.usable(now)
        .select_related("user", "organization")
        .filter(key_hash=key_hash, user__is_active=True, organization__is_active=True)
        .order_by()[:1]
    )


# The token, its user and its organisation read as one row of plain values (the prepared query
# selects values, not models): each model's concrete fields, in order.
_TOKEN_PARTS = (
    ("", ApiToken),
    ("user__", User),
    ("organization__", Organization),
)
_TOKEN_COLUMNS = [
    prefix + field.attname
    for prefix, model in _TOKEN_PARTS
    for field in model._meta.concrete_fields
]


def _token_lookup() -> PreparedQuery:
    expires_at = ApiToken._meta.get_field("expires_at")
    return PreparedQuery(
        lambda key_hash, now: usable_tokens(key_hash, now).values_list(*_TOKEN_COLUMNS),
        {"key_hash": "\x00placeholder", "now": datetime(2000, 1, 1, tzinfo=UTC)},
        {"now": lambda value: expires_at.get_db_prep_value(value, connection)},
    )


def _token_from_row(row: tuple[Any, ...]) -> ApiToken:
    """The token with its user and organisation attached (Model.from_db, as the ORM loads rows)."""
    values = iter(row)
    loaded = []
    for _prefix, model in _TOKEN_PARTS:
        names = [field.attname for field in model._meta.concrete_fields]
        loaded.append(model.from_db(DEFAULT_DB_ALIAS, names, [next(values) for _ in names]))
    token, user, organization = loaded
    assert isinstance(token, ApiToken)
    assert isinstance(user, User)
    assert isinstance(organization, Organization)
    token.user, token.organization = user, organization
    return token


_ORGANIZATION_COLUMNS = [field.attname for field in Organization._meta.concrete_fields]


def _active_organization_lookup() -> PreparedQuery:
    return PreparedQuery(
        lambda slug: (
            Organization.objects.filter(slug=slug, is_active=True)
            .order_by()
            .values_list(*_ORGANIZATION_COLUMNS)[:1]
        ),
        {"slug": "\x00placeholder"},
    )


def active_organization(slug: str) -> Organization | None:
    """The active organisation with this slug, or None. The public case form reads it on every
    page and every form sent: its SQL is built once (core/prepared.py), as the token look-up's."""
    rows = prepared("active_organization", _active_organization_lookup).rows(slug=slug)
    if not rows:
        return None
    return Organization.from_db(DEFAULT_DB_ALIAS, _ORGANIZATION_COLUMNS, list(rows[0]))


def authenticate_api_token(raw: str) -> ApiToken | None:
    """The usable token matching `raw`, with its last use recorded, or None."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    # Run before every API request: its SQL is built once (core/prepared.py).
    lookup = prepared("api_token", _token_lookup)
    rows = lookup.rows(key_hash=hash_token(raw), now=timezone.now())
    token = _token_from_row(rows[0]) if rows else None
    if token is not None:
        now = timezone.now()
        # Record use at most once a minute: every API call would otherwise write a row.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
