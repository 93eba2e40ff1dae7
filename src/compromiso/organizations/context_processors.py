"""What every staff page's layout needs: the organisation, the switcher, the navigation."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from compromiso.core.permissions import Perm, is_network_analyst, scope_for
from compromiso.organizations.current import current_organization
from compromiso.organizations.models import Organization

# (url name, label, permission needed somewhere in the organisation)
NAVIGATION = (
    ("organizations:overview", _("Overview"), Perm.VIEW),
    ("cases:inbox", _("Cases"), Perm.VIEW),
    ("cases:analytics", _("Case analytics"), Perm.VIEW),
    ("charters:dashboard", _("Service charters"), Perm.VIEW),
    ("servicemodel:home", _("Service model"), Perm.VIEW),
    ("surveys:waves", _("Satisfaction surveys"), Perm.VIEW),
    ("improvement:board", _("Improvement actions"), Perm.VIEW),
    ("audits:home", _("Audits"), Perm.VIEW),
    ("attention:home", _("Attention"), Perm.VIEW),
    ("organizations:units", _("Units"), Perm.VIEW),
    ("catalog:services", _("Services"), Perm.VIEW),
    ("catalog:channels", _("Channels"), Perm.VIEW),
    ("catalog:touch_points", _("Touch points"), Perm.VIEW),
    ("organizations:members", _("Members and roles"), Perm.MANAGE_MEMBERS),
    ("organizations:sign_ins", _("Sign-ins"), Perm.MANAGE_MEMBERS),
    ("organizations:calendar", _("Business calendar"), Perm.VIEW),
    ("cases:policies", _("Legal deadlines"), Perm.VIEW),
    ("cases:taxonomy", _("Categories and causes"), Perm.MANAGE_ORGANIZATION),
    ("cases:canned_answers", _("Answer templates"), Perm.MANAGE_ORGANIZATION),
    ("cases:assignment_rules", _("Routing rules"), Perm.MANAGE_ORGANIZATION),
    ("cases:personal_data", _("Personal data requests"), Perm.MANAGE_ORGANIZATION),
    ("organizations:settings", _("Organisation settings"), Perm.MANAGE_ORGANIZATION),
    ("organizations:tokens", _("API tokens"), Perm.VIEW),
    ("organizations:my_sign_ins", _("Your sign-ins"), Perm.VIEW),
    ("organizations:two_factor", _("Two-factor log-in"), Perm.VIEW),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    organization = current_organization(request)
    items: list[dict[str, Any]] = []
    if organization is not None:
        path = request.path
        for url_name, label, perm in NAVIGATION:
            if scope_for(user, perm).touches(organization.pk):
                items.append({"url": reverse(url_name), "label": label, "active": False})
        # The most specific entry is the current one (/staff/cases/analytics/ over /staff/cases/).
        overview = reverse("organizations:overview")
        matching = [
            item
            for item in items
            if path.startswith(item["url"]) and (item["url"] != overview or path == overview)
        ]
        if matching:
            max(matching, key=lambda item: len(item["url"]))["active"] = True
    if is_network_analyst(user):
        items.append(
            {
                "url": reverse("organizations:network"),
                "label": _("Network"),
                "active": request.path.startswith(reverse("organizations:network")),
            }
        )
    return {
        "current_organization": organization,
        "my_organizations": Organization.objects.visible_to(user) if organization else [],
        "nav_items": items,
    }
