"""Who may do what with one audit. Every page, service and endpoint of an audit asks here.

- view: members with VIEW in the audit's organisation (the confidential parts excepted), and
  whoever may conduct or answer it;
- conduct: CONDUCT_AUDITS over the audited unit (or the whole organisation), a member of the
  audit team who is a member of the organisation, or whoever holds an active `AuditAccess`
  (not revoked, inside its window, the audit open) — that grant reaches this audit only;
- manage: MANAGE_AUDITS (which also conducts);
- answer: ANSWER_AUDITS over the audited unit's subtree (and managers).

An audit the person may not view is a 404 (it does not exist for them); one they may view but
not act on as asked is a 403."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from compromiso.audits.models import Audit, AuditAccess, TeamMember
from compromiso.core.actors import SystemActor
from compromiso.core.permissions import Perm, Viewer, has_perm, scope_for
from compromiso.organizations.models import User

type Need = Literal["view", "conduct", "manage", "answer"]
NEEDS = ("view", "conduct", "manage", "answer")


def _unit_path(audit: Audit) -> str | None:
    return audit.unit.path if audit.unit is not None else None


def _granted(user: User, audit: Audit) -> bool:
    """An active access grant to this open audit."""
    return audit.is_open and AuditAccess.objects.active().filter(audit=audit, user=user).exists()


def can(user: Viewer, audit: Audit, need: Need) -> bool:
    if need not in NEEDS:
        raise ValueError(need)
    if isinstance(user, SystemActor):
        return True
    if not isinstance(user, User) or not user.is_active:
        return False
    org, path = audit.organization_id, _unit_path(audit)
    manage = has_perm(user, Perm.MANAGE_AUDITS, organization_id=org, unit_path=path)
    if need == "manage":
        return manage
    member = scope_for(user, Perm.VIEW).touches(org)
    conduct = (
        manage
        or has_perm(user, Perm.CONDUCT_AUDITS, organization_id=org, unit_path=path)
        or (member and TeamMember.objects.filter(audit=audit, user=user).exists())
        or _granted(user, audit)
    )
    if need == "conduct":
        return conduct
    answer = manage or has_perm(user, Perm.ANSWER_AUDITS, organization_id=org, unit_path=path)
    if need == "answer":
        return answer
    return member or conduct or answer


def audit_for(request_or_user: HttpRequest | Viewer, pk: int, need: Need) -> Audit:
    """The audit `pk` for someone who may `need` it: 404 when they may not even view it, 403
    when they may view it but not do what they need."""
    user = request_or_user.user if isinstance(request_or_user, HttpRequest) else request_or_user
    audit = Audit.objects.select_related("organization", "unit").filter(pk=pk).first()
    if audit is None or not can(user, audit, "view"):
        raise Http404
    if need != "view" and not can(user, audit, need):
        raise PermissionDenied
    return audit
