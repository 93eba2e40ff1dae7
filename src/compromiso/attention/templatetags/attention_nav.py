"""The attention tab bar: only the tabs the signed-in user may open."""

from typing import Any

from django import template
from django.urls import reverse

from compromiso.attention.nav import TABS
from compromiso.core.permissions import scope_for
from compromiso.organizations.current import current_organization

register = template.Library()


@register.simple_tag(takes_context=True)
def attention_tabs(context: dict[str, Any]) -> list[dict[str, Any]]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return []
    organization = current_organization(request)
    if organization is None:
        return []
    current = context.get("tab", "")
    return [
        {"url": reverse(url_name), "label": label, "active": tab == current}
        for tab, url_name, label, perm in TABS
        if scope_for(user, perm).touches(organization.pk)
    ]
