"""Who may do what on one audit. Every page, form and service of the audits app asks here.

- view: a member with VIEW in the audit's organisation (except the audit's confidential parts),
  anyone who may conduct it;
- conduct: CONDUCT_AUDITS in the organisation, a member of the audit team, or an active
  AuditAccess (not revoked, within its window, the audit open) — that audit only;
- manage: MANAGE_AUDITS in the organisation (who manages may also conduct);
- answer: ANSWER_AUDITS in the audited unit's subtree (the whole organisation when the audit
  names no unit).
An audit the user may not even view is a 404; one they may view but not act on, a 403.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone

from compromiso.audits.models import Audit, AuditAccess, TeamMember
from compromiso.core.actors import SystemActor
from compromiso.core.permissions import Perm, Viewer, scope_for

Need = Literal["view", "conduct", "manage", "answer"]
NEEDS = ("view", "conduct", "manage", "answer")


def _has_active_access(user: Viewer, audit: Audit) -> bool:
    if not audit.is_open or user.pk is None:
        return False
    return AuditAccess.objects.active(timezone.now()).filter(audit=audit, user_id=user.pk).exists()


def _on_team(user: Viewer, audit: Audit) -> bool:
    if user.pk is None:
        return False
    return (
        audit.lead_id == user.pk or TeamMember.objects.filter(audit=audit, user_id=user.pk).exists()
    )


def can(user: Viewer, audit: Audit, need: Need) -> bool:
    """Whether `user` may `need` this audit."""
    if need not in NEEDS:
        raise ValueError(need)
    if isinstance(user, SystemActor):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    org = audit.organization_id
    manages = scope_for(user, Perm.MANAGE_AUDITS).touches(org)
    if need == "manage":
        return manages
    if need == "answer":
        unit_path = audit.unit.path if audit.unit_id is not None and audit.unit else None
        return scope_for(user, Perm.ANSWER_AUDITS).covers(org, unit_path)
    conducts = (
        manages
        or scope_for(user, Perm.CONDUCT_AUDITS).touches(org)
        or _on_team(user, audit)
        or _has_active_access(user, audit)
    )
    if need == "conduct":
        return conducts
    return conducts or scope_for(user, Perm.VIEW).touches(org)


def audit_for(request_or_user: HttpRequest | Viewer, pk: int, need: Need) -> Audit:
    """The audit `pk` if the user may `need` it: 404 when they may not even see it, 403 when
    they see it but may not do this."""
    user: Viewer = (
        request_or_user.user if isinstance(request_or_user, HttpRequest) else request_or_user
    )
    audit = Audit.objects.select_related("organization", "unit").filter(pk=pk).first()
    if audit is None or not can(user, audit, "view"):
        raise Http404
    if need != "view" and not can(user, audit, need):
        raise PermissionDenied
    return audit
