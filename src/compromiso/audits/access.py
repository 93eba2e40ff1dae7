"""Who may open one audit, and what they may do in it — the one place that decides.

- view: a member with VIEW in the audit's organisation (its confidential parts are for the
  other needs), anyone who may conduct or answer it;
- conduct: CONDUCT_AUDITS over the audited unit, a member of the organisation on the audit
  team, or an active `AuditAccess` (not revoked, inside its window, audit open) — which gives
  view and conduct on that audit ONLY: nothing else of the organisation;
- manage: MANAGE_AUDITS over the audited unit (and it conducts too);
- answer: ANSWER_AUDITS in the audited unit's subtree (or over it).

An outsider on the team (an outside or peer auditor) keeps nothing once their access ends:
only members of the organisation hold a place on the team without an access.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from compromiso.audits.models import OPEN_AUDIT_STATUSES, Audit, AuditAccess, TeamMember
from compromiso.core.actors import SystemActor
from compromiso.core.permissions import Perm, Viewer, scope_for

type Need = Literal["view", "conduct", "manage", "answer"]
NEEDS: tuple[Need, ...] = ("view", "conduct", "manage", "answer")

# An access's last use is written at most this often (one UPDATE, not one per page).
USE_RECORDED_EVERY = dt.timedelta(minutes=1)


def _viewer(request_or_user: HttpRequest | Viewer) -> Viewer:
    if isinstance(request_or_user, HttpRequest):
        return request_or_user.user
    return request_or_user


def _signed_in(user: Viewer) -> bool:
    return not isinstance(user, SystemActor) and user.is_authenticated and user.is_active


def _pk(user: Viewer) -> int:
    pk = user.pk
    assert isinstance(pk, int)
    return pk


def _unit_path(audit: Audit) -> str | None:
    return audit.unit.path if audit.unit_id is not None and audit.unit is not None else None


def is_member(user: Viewer | None, organization_id: int) -> bool:
    """Is the user a member of the organisation (any role, anywhere in it)?"""
    return user is not None and scope_for(user, Perm.VIEW).touches(organization_id)


def active_access(user: Viewer, audit: Audit) -> AuditAccess | None:
    """The user's access grant to this audit in force now (None when the audit is not open)."""
    if not _signed_in(user) or audit.status not in OPEN_AUDIT_STATUSES:
        return None
    return AuditAccess.objects.active().filter(audit=audit, user_id=_pk(user)).first()


def _is_member(user: Viewer, audit: Audit) -> bool:
    return is_member(user, audit.organization_id)


def _answers(user: Viewer, audit: Audit) -> bool:
    scope = scope_for(user, Perm.ANSWER_AUDITS)
    organization_id = audit.organization_id
    if scope.covers_organization(organization_id):
        return True
    paths = scope.unit_paths.get(organization_id, ())
    audited = _unit_path(audit)
    if audited is None:
        return bool(paths)
    return any(path.startswith(audited) or audited.startswith(path) for path in paths)


def can(user: Viewer, audit: Audit, need: Need) -> bool:
    """May `user` do `need` on this audit?"""
    if need not in NEEDS:
        raise ValueError(need)
    if isinstance(user, SystemActor):
        return True
    if not _signed_in(user):
        return False
    organization_id, path = audit.organization_id, _unit_path(audit)
    manages = scope_for(user, Perm.MANAGE_AUDITS).covers(organization_id, path)
    if need == "manage":
        return manages
    if need == "answer":
        return _answers(user, audit)
    conducts = (
        manages
        or scope_for(user, Perm.CONDUCT_AUDITS).covers(organization_id, path)
        or (
            _is_member(user, audit)
            and TeamMember.objects.filter(audit=audit, user_id=_pk(user)).exists()
        )
        or active_access(user, audit) is not None
    )
    if need == "conduct":
        return conducts
    return conducts or _is_member(user, audit) or _answers(user, audit)


def _record_use(user: Viewer, audit: Audit) -> None:
    """An auditor let in by an access grant opened the audit: note when (throttled)."""
    if _is_member(user, audit):
        return
    access = active_access(user, audit)
    if access is None:
        return
    now = timezone.now()
    if access.last_used_at is None or now - access.last_used_at > USE_RECORDED_EVERY:
        AuditAccess.objects.filter(pk=access.pk).update(last_used_at=now)


def audit_for(request_or_user: HttpRequest | Viewer, pk: int, need: Need) -> Audit:
    """The audit, for someone who may `need` it: 404 when they may not even see it, 403 when
    they see it but may not do this."""
    user = _viewer(request_or_user)
    audit = Audit.objects.select_related("organization", "unit").filter(pk=pk).first()
    if audit is None or not can(user, audit, "view"):
        raise Http404
    if need != "view" and not can(user, audit, need):
        raise PermissionDenied
    _record_use(user, audit)
    if isinstance(request_or_user, HttpRequest):
        # Its pages show the audited organisation's dates, whoever reads them (a peer from
        # another organisation, an outside auditor with none); the zone ends with the request.
        timezone.activate(audit.organization.zone)
    return audit


def audits_for(user: Viewer) -> QuerySet[Audit]:
    """Every audit the user may open: those of the organisations they belong to, and those an
    access grant in force lets them into."""
    if isinstance(user, SystemActor):
        return Audit.objects.all()
    if not _signed_in(user):
        return Audit.objects.none()
    member_of = scope_for(user, Perm.VIEW)
    answer = scope_for(user, Perm.ANSWER_AUDITS)
    condition = Q(organization_id__in=member_of.organization_ids | set(member_of.unit_paths))
    condition |= Q(organization_id__in=answer.organization_ids | set(answer.unit_paths))
    granted = AuditAccess.objects.active().filter(user_id=_pk(user)).values("audit_id")
    condition |= Q(pk__in=granted, status__in=OPEN_AUDIT_STATUSES)
    return Audit.objects.filter(condition)


def mine(user: Viewer) -> QuerySet[Audit]:
    """The audits the user works on: on the team, leading it, or let in by an access grant."""
    if not _signed_in(user):
        return Audit.objects.none()
    on_team = TeamMember.objects.filter(user_id=_pk(user)).values("audit_id")
    granted = AuditAccess.objects.active().filter(user_id=_pk(user)).values("audit_id")
    return audits_for(user).filter(Q(pk__in=on_team) | Q(lead_id=_pk(user)) | Q(pk__in=granted))
