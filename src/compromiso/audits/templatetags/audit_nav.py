"""Template helpers for an audit's tab bar."""

from typing import Any

from django import template

from compromiso.audits.access import can
from compromiso.audits.models import Audit

register = template.Library()


@register.simple_tag(takes_context=True)
def reads_audit_work(context: dict[str, Any], audit: Audit) -> bool:
    """Whether the signed-in user may open the audit's evidence, findings, report and remedies:
    its team and managers, and the audited side (a mere reader of the organisation may not)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return can(user, audit, "conduct") or can(user, audit, "answer")


@register.simple_tag(takes_context=True)
def sees_audit(context: dict[str, Any], audit: Audit) -> bool:
    """Whether the signed-in user may open this (other) audit: a grant to one audit does not
    reach its follow-up, so such links are shown as text."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return can(user, audit, "view")
