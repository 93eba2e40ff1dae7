"""The cases' panels on the staff home page: an officer's own cases and a unit head's unit."""

from urllib.parse import urlencode

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.cases.models import Case, CaseQuerySet
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Role
from compromiso.organizations.home import Panel, first_rows, register_panel
from compromiso.organizations.models import Membership, Organization

# Counts on the home page stop here ("99+"), so a large backlog never costs a full count.
COUNT_CAP = 99


def _by_deadline(cases: CaseQuerySet) -> CaseQuerySet:
    """Open cases, the earliest deadline first (overdue ones lead), paused clocks last."""
    return (
        cases.open()
        .select_related("unit")
        .order_by(F("due_at").asc(nulls_last=True), "received_at", "pk")
    )


def _capped_count(cases: CaseQuerySet) -> tuple[int, bool]:
    counted = cases[: COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def _inbox(**query: object) -> str:
    return f"{reverse('cases:inbox')}?{urlencode(query)}"


@register_panel
def my_cases(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> Panel | None:
    """A case officer's own open cases by deadline (anyone else's only when they have some)."""
    cases = Case.objects.visible_to(request.user).filter(
        organization=organization, assignee=request.user
    )
    rows, more = first_rows(_by_deadline(cases))
    is_officer = any(m.role == Role.CASE_OFFICER for m in memberships)
    if not rows and not is_officer:
        return None
    return Panel(
        order=10,
        template="cases/home_my_cases.html",
        context={
            "title": _("Your cases by deadline"),
            "cases": rows,
            "more": more,
            "now": timezone.now(),
            "all_url": _inbox(mine="on"),
        },
    )


@register_panel
def unit_cases(
    request: AuthenticatedHttpRequest, organization: Organization, memberships: list[Membership]
) -> Panel | None:
    """A unit head's unit: its open cases by deadline and how many are overdue."""
    heads = [m for m in memberships if m.role == Role.UNIT_HEAD]
    if not heads:
        return None
    now = timezone.now()
    units = []
    for membership in heads:
        cases = Case.objects.visible_to(request.user).filter(organization=organization)
        unit = membership.unit
        if unit is not None:
            cases = cases.filter(unit__path__startswith=unit.path)
        rows, more = first_rows(_by_deadline(cases))
        open_count, open_more = _capped_count(cases.open())
        overdue_count, overdue_more = _capped_count(cases.overdue(now))
        unit_query = {"unit": unit.pk} if unit is not None else {}
        units.append(
            {
                "unit": unit,
                "cases": rows,
                "more": more,
                "open_count": open_count,
                "open_more": open_more,
                "overdue_count": overdue_count,
                "overdue_more": overdue_more,
                "all_url": _inbox(**unit_query),
                "overdue_url": _inbox(**unit_query, due="overdue"),
            }
        )
    return Panel(
        order=20,
        template="cases/home_unit_cases.html",
        context={"title": _("Your unit's cases"), "units": units, "now": now},
    )
