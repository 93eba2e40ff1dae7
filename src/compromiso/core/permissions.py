"""The one permission layer: roles, what each role may do, and where.

A role is held on a unit (covering its whole subtree) or on a whole organisation. Nothing crosses
an organisation's boundary; the network analyst, above organisations, sees only aggregated figures.

Every view, API endpoint and export asks this module, through `scope_for(user, perm)` and the
`.visible_to(user)` QuerySet methods built on `Scope.filter`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compromiso.core.actors import SystemActor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from compromiso.organizations.models import User

QS = TypeVar("QS", bound=models.QuerySet[Any])

type Viewer = User | AnonymousUser | SystemActor
"""Whoever asks: a signed-in member, an anonymous visitor (who holds nothing), or the system."""


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    CASE_OFFICER = "case_officer", _("Case officer")
    UNIT_HEAD = "unit_head", _("Unit head")
    AUDITOR = "auditor", _("Auditor")
    VIEWER = "viewer", _("Viewer")


class Perm(StrEnum):
    VIEW = "view"  # read the organisation's structure and catalogue
    MANAGE_ORGANIZATION = "manage_organization"  # settings, business calendar
    MANAGE_UNITS = "manage_units"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_CATALOG = "manage_catalog"  # channels, touch points, services, attributes
    VIEW_AUDIT_LOG = "view_audit_log"
    HANDLE_CASES = "handle_cases"  # acknowledge, assign, answer and close cases
    MANAGE_IMPROVEMENT = "manage_improvement"  # propose and run improvement actions
    EDIT_CHARTERS = "edit_charters"  # draft charters and commitments, enter manual measurements
    APPROVE_CHARTERS = "approve_charters"  # approve and publish charters, approve measurements
    MANAGE_SURVEYS = "manage_surveys"  # questionnaires and waves
    MANAGE_AUDITS = "manage_audits"  # the audit programme, proposals, audits, access grants
    CONDUCT_AUDITS = "conduct_audits"  # checklists, evidence, findings, reports, the seal
    ANSWER_AUDITS = "answer_audits"  # information requests and findings of the audited unit
    SERVE_VISITORS = "serve_visitors"  # reception, desks, contacts log, appointment check-in
    MANAGE_ATTENTION = "manage_attention"  # branches, queues, desks, slots, directory, imports


ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMINISTRATOR: frozenset(Perm),
    Role.QUALITY_MANAGER: frozenset(
        {
            Perm.VIEW,
            Perm.MANAGE_ORGANIZATION,
            Perm.MANAGE_CATALOG,
            Perm.VIEW_AUDIT_LOG,
            Perm.HANDLE_CASES,
            Perm.MANAGE_IMPROVEMENT,
            Perm.EDIT_CHARTERS,
            Perm.APPROVE_CHARTERS,
            Perm.MANAGE_SURVEYS,
            Perm.MANAGE_AUDITS,
            Perm.ANSWER_AUDITS,
            Perm.SERVE_VISITORS,
            Perm.MANAGE_ATTENTION,
        }
    ),
    # Unit heads are the providers of their services: they keep their services' attributes.
    Role.UNIT_HEAD: frozenset(
        {
            Perm.VIEW,
            Perm.MANAGE_CATALOG,
            Perm.HANDLE_CASES,
            Perm.MANAGE_IMPROVEMENT,
            Perm.EDIT_CHARTERS,
            Perm.ANSWER_AUDITS,
            Perm.SERVE_VISITORS,
            Perm.MANAGE_ATTENTION,
        }
    ),
    # Case officers are the front line: the OIRS desk, the counters, the phone.
    Role.CASE_OFFICER: frozenset({Perm.VIEW, Perm.HANDLE_CASES, Perm.SERVE_VISITORS}),
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.VIEW_AUDIT_LOG, Perm.CONDUCT_AUDITS}),
    Role.VIEWER: frozenset({Perm.VIEW}),
}


def roles_with(perm: Perm) -> frozenset[str]:
    """The roles that hold `perm`, read from the table above (never written out again)."""
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if perm in perms)


@dataclass(frozen=True)
class Scope:
    """Where a user holds one permission: whole organisations, and unit subtrees by tree path."""

    organization_ids: frozenset[int] = frozenset()
    unit_paths: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.organization_ids and not self.unit_paths

    def touches(self, organization_id: int) -> bool:
        """True when the permission is held anywhere inside the organisation."""
        return organization_id in self.organization_ids or organization_id in self.unit_paths

    def covers_organization(self, organization_id: int) -> bool:
        """True when the permission is held on the whole organisation."""
        return organization_id in self.organization_ids

    def covers(self, organization_id: int, unit_path: str | None) -> bool:
        """True when the permission reaches a row of this organisation placed at `unit_path`.

        A row with no unit (an organisation-wide row) needs the permission on the whole
        organisation.
        """
        if organization_id in self.organization_ids:
            return True
        if unit_path is None:
            return False
        return any(unit_path.startswith(p) for p in self.unit_paths.get(organization_id, ()))

    def filter(
        self,
        queryset: QS,
        *,
        organization_field: str = "organization",
        path_field: str | None = None,
        organization_wide_if_touched: bool = False,
    ) -> QS:
        """Restrict a QuerySet to the rows this scope reaches.

        `path_field` names the unit path that places each row in the tree (e.g.
        "provider_unit__path"); rows without one are organisation-wide. With
        `organization_wide_if_touched`, such rows are visible to anyone holding the permission
        anywhere in their organisation (reference data such as channels).
        """
        org_id = f"{organization_field}_id"
        condition = Q(**{f"{org_id}__in": self.organization_ids})
        if organization_wide_if_touched:
            condition |= Q(**{f"{org_id}__in": list(self.unit_paths)})
        elif path_field is not None:
            for organization_id, paths in self.unit_paths.items():
                for path in paths:
                    condition |= Q(**{org_id: organization_id, f"{path_field}__startswith": path})
        if self.is_empty:
            return queryset.none()
        return queryset.filter(condition)


class _Grant(NamedTuple):
    """What a permission check needs of one membership (read as plain values: building model
    instances, deferred fields and all, cost more than the query on every request)."""

    organization_id: int
    role: str
    unit_id: int | None
    unit_path: str | None


type GrantRows = Callable[[int], Iterable[tuple[int, str, int | None, str | None]]]


@dataclass
class _Sources:
    """Where the rows behind the rules are read. The organizations app, which owns memberships
    and network roles, provides them when it loads (`provide_sources`): core names no app above
    it."""

    grants: GrantRows | None = None
    network_analyst: Callable[[int], bool] | None = None


_sources = _Sources()


def provide_sources(*, grants: GrantRows, network_analyst: Callable[[int], bool]) -> None:
    """`grants(user_id)`: the user's memberships in active organisations as (organisation id,
    role, unit id, unit path) rows, read on every request; `network_analyst(user_id)`: whether
    the user holds the network role."""
    _sources.grants = grants
    _sources.network_analyst = network_analyst


_CACHED = "_compromiso_memberships"  # on the user object, for the rest of its request


def _memberships(user: Viewer) -> list[_Grant]:
    """The user's memberships in active organisations, loaded once per user object."""
    if isinstance(user, SystemActor) or not user.is_authenticated or not user.is_active:
        return []
    cached: list[_Grant] | None = user.__dict__.get(_CACHED)
    if cached is None:
        assert _sources.grants is not None, "the organizations app provides the memberships"
        assert user.pk is not None
        cached = user.__dict__[_CACHED] = [_Grant(*row) for row in _sources.grants(user.pk)]
    return cached


def forget_memberships(user: Viewer) -> None:
    """Drop the cached memberships after they changed."""
    user.__dict__.pop(_CACHED, None)


def scope_for(user: Viewer, perm: Perm) -> Scope:
    """Where `user` holds `perm`."""
    whole: set[int] = set()
    paths: dict[int, set[str]] = {}
    for membership in _memberships(user):
        if perm not in ROLE_PERMISSIONS.get(membership.role, frozenset()):
            continue
        if membership.unit_id is None:
            whole.add(membership.organization_id)
        else:
            assert membership.unit_path is not None
            paths.setdefault(membership.organization_id, set()).add(membership.unit_path)
    return Scope(
        organization_ids=frozenset(whole),
        unit_paths={org: _outermost(p) for org, p in paths.items() if org not in whole},
    )


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths already covered by an ancestor path."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


def roles_in(user: Viewer, organization_id: int) -> set[str]:
    """The roles the user holds anywhere in an organisation."""
    return {m.role for m in _memberships(user) if m.organization_id == organization_id}


def organization_ids_for(user: Viewer) -> list[int]:
    """The organisations the user is a member of, in a stable order."""
    return sorted({m.organization_id for m in _memberships(user)})


def has_perm(
    user: Viewer, perm: Perm, *, organization_id: int, unit_path: str | None = None
) -> bool:
    """Does `user` hold `perm` on a row of this organisation placed at `unit_path`?"""
    return scope_for(user, perm).covers(organization_id, unit_path)


def require(
    user: Viewer,
    perm: Perm,
    *,
    organization_id: int,
    unit_path: str | None = None,
) -> None:
    """Raise PermissionDenied unless `has_perm`. The system (`core.actors.SystemActor`) may act
    anywhere; no actor at all (`None`) is a programming error, never a way round the check."""
    if isinstance(user, SystemActor):
        return
    if user is None:
        raise TypeError("require() needs an actor: a user, or a SystemActor for the system")
    if not has_perm(user, perm, organization_id=organization_id, unit_path=unit_path):
        raise PermissionDenied(_("You do not have permission to do this."))


def is_network_analyst(user: Viewer) -> bool:
    """The network role above organisations: aggregated figures across all of them, no rows."""
    if isinstance(user, SystemActor) or not user.is_authenticated or not user.is_active:
        return False
    assert _sources.network_analyst is not None, "the organizations app provides network roles"
    assert user.pk is not None
    return _sources.network_analyst(user.pk)
