"""The attention home: the branches of the organisation a member may see, with who is waiting
now, and the way to each part of attention management. An institution whose procedures another
organisation's front office serves is shown those agreements first, with its figures."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from compromiso.attention.models import OPEN_VISIT_STATES, FrontOfficeAgreement, VisitState
from compromiso.attention.views.common import branches_for, manages, organization_of, serves
from compromiso.core.http import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = organization_of(request)
    today = organization.today()
    branches = (
        branches_for(request, organization)
        .select_related("touch_point", "touch_point__unit")
        .annotate(
            waiting=Count(
                "visits",
                filter=Q(visits__day=today, visits__state=VisitState.WAITING),
            ),
            open_visits=Count(
                "visits", filter=Q(visits__day=today, visits__state__in=OPEN_VISIT_STATES)
            ),
            visits_today=Count("visits", filter=Q(visits__day=today)),
        )
    )
    return render(
        request,
        "attention/home.html",
        {
            "tab": "branches",
            "branches": branches,
            "can_manage": manages(request, organization),
            "can_serve": serves(request, organization),
            "served_by": FrontOfficeAgreement.objects.filter(institution=organization)
            .in_force(today)
            .select_related("front_office")
            .order_by("front_office__name", "pk"),
        },
    )
