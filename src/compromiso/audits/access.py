"""Who may do what on one audit: view it, conduct it (checklists, evidence, findings, report),
manage it, or answer it as the audited side.

- view: a member of the audit's organisation (VIEW anywhere in it), or anyone who may conduct or
  answer it;
- conduct: CONDUCT_AUDITS in the organisation, being on the audit team, or holding an active
  access grant (not revoked, within its window, the audit still open) — MANAGE_AUDITS too;
- manage: MANAGE_AUDITS in the organisation;
- answer: ANSWER_AUDITS on the audited unit (or one above it; organisation-wide when the audit
  names no unit).

`audit_for` answers 404 when the audit is not visible at all, 403 when it is visible but the
need is not met."""

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404

from compromiso.audits.models import Audit, AuditAccess, TeamMember
from compromiso.core.actors import SystemActor
from compromiso.core.permissions import Perm, has_perm, scope_for

type Need = Literal["view", "conduct", "manage", "answer"]
NEEDS = ("view", "conduct", "manage", "answer")


def _person(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def can(user: Any, audit: Audit, need: str) -> bool:
    """Whether `user` may `need` on `audit` (the system may do anything)."""
    if need not in NEEDS:
        raise ValueError(need)
    if isinstance(user, SystemActor):
        return True
    if not _person(user):
        return False
    organization_id = audit.organization_id
    if need == "manage":
        return has_perm(user, Perm.MANAGE_AUDITS, organization_id=organization_id)
    if need == "answer":
        path = audit.unit.path if audit.unit_id is not None and audit.unit else None
        return has_perm(user, Perm.ANSWER_AUDITS, organization_id=organization_id, unit_path=path)
    if need == "conduct":
        return (
            can(user, audit, "manage")
            or scope_for(user, Perm.CONDUCT_AUDITS).touches(organization_id)
            or TeamMember.objects.filter(audit=audit, user=user).exists()
            or (
                audit.is_open
                and AuditAccess.objects.active().filter(audit=audit, user=user).exists()
            )
        )
    return (
        scope_for(user, Perm.VIEW).touches(organization_id)
        or can(user, audit, "conduct")
        or can(user, audit, "answer")
    )


def audit_for(request_or_user: Any, pk: int, need: str) -> Audit:
    """The audit `pk` if `need` is allowed: 404 if the user may not see it, 403 if they may see
    it but not `need` it."""
    user = getattr(request_or_user, "user", request_or_user)
    audit = Audit.objects.select_related("organization", "unit").filter(pk=pk).first()
    if audit is None or not can(user, audit, "view"):
        raise Http404("No audit")
    if not can(user, audit, need):
        raise PermissionDenied
    return audit
