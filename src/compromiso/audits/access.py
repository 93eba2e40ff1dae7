"""Who may do what on one audit.

`view`: members of the audit's organisation (VIEW anywhere in it), and anyone who may conduct
or answer it. `conduct`: CONDUCT_AUDITS in the organisation, a place on the audit team, or an
active access grant (not revoked, inside its window, the audit open) — which gives this audit
only. `manage`: MANAGE_AUDITS in the organisation (it also conducts). `answer`: ANSWER_AUDITS on
the audited unit's subtree (or the whole organisation), or MANAGE_AUDITS.

An audit the user may not view is a 404; one they may view but not act on as asked is a 403.
"""

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404

from compromiso.audits.models import Audit, AuditAccess, TeamMember
from compromiso.core.actors import SystemActor
from compromiso.core.permissions import Perm, Viewer, has_perm, scope_for

type Need = Literal["view", "conduct", "manage", "answer"]


def _user(request_or_user: Any) -> Viewer:
    return getattr(request_or_user, "user", request_or_user)  # type: ignore[no-any-return]


def _has_grant(user: Viewer, audit: Audit) -> bool:
    if not audit.is_open or user.pk is None:
        return False
    return AuditAccess.objects.active().filter(audit=audit, user_id=user.pk).exists()


def _on_team(user: Viewer, audit: Audit) -> bool:
    return user.pk is not None and TeamMember.objects.filter(audit=audit, user_id=user.pk).exists()


def can(user: Viewer, audit: Audit, need: Need) -> bool:
    """May `user` do `need` on this audit?"""
    if isinstance(user, SystemActor):
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    org = audit.organization_id
    manage = has_perm(user, Perm.MANAGE_AUDITS, organization_id=org)
    if need == "manage":
        return manage
    if need == "answer":
        path = audit.unit.path if audit.unit_id is not None and audit.unit else None
        return manage or has_perm(user, Perm.ANSWER_AUDITS, organization_id=org, unit_path=path)
    conduct = (
        manage
        or has_perm(user, Perm.CONDUCT_AUDITS, organization_id=org)
        or _on_team(user, audit)
        or _has_grant(user, audit)
    )
    if need == "conduct":
        return conduct
    return (
        conduct
        or scope_for(user, Perm.VIEW).touches(org)
        or scope_for(user, Perm.ANSWER_AUDITS).touches(org)
    )


def audit_for(request_or_user: Any, pk: int, need: Need = "view") -> Audit:
    """The audit `pk` if the user may `need` it: 404 when they may not see it, 403 when they
    see it but may not act on it as asked."""
    user = _user(request_or_user)
    audit = Audit.objects.select_related("organization", "unit").filter(pk=pk).first()
    if audit is None or not can(user, audit, "view"):
        raise Http404("No audit")
    if need != "view" and not can(user, audit, need):
        raise PermissionDenied
    return audit
