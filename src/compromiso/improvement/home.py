"""The improvement actions' panel on the staff home page: open actions due soon or overdue, for
the quality manager and for whoever is responsible for one."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, roles_with
from compromiso.improvement.models import ImprovementAction
from compromiso.organizations.home import Panel, first_rows, register_panel
from compromiso.organizations.models import Membership, Organization

DUE_WITHIN = dt.timedelta(days=30)
# Who sees every open action: the roles that run the organisation (quality manager, administrator).
MANAGING_ROLES = roles_with(Perm.MANAGE_ORGANIZATION)


@register_panel
def actions_due(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> Panel | None:
    manages = any(m.role in MANAGING_ROLES for m in memberships)
    actions = ImprovementAction.objects.visible_to(request.user).filter(organization=organization)
    if not manages:
        actions = actions.filter(responsible=request.user)
    today = timezone.localdate()
    rows, more = first_rows(
        actions.open()
        .filter(due_date__lt=today + DUE_WITHIN)
        .select_related("owner_unit", "responsible")
        .order_by("due_date", "-priority", "pk")
    )
    if not rows and not manages:
        return None
    return Panel(
        order=50,
        template="improvement/home_actions.html",
        context={
            "title": _("Improvement actions due"),
            "actions": rows,
            "more": more,
            "today": today,
            "all_url": reverse("improvement:board"),
        },
    )
