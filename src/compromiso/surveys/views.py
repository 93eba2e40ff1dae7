"""Staff pages for surveys: the waves, and each wave's dashboard read from the score counts
(only the services the viewer may see), with the comparison against the previous wave."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog.models import Service
from compromiso.core.errors import DomainError
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm, scope_for
from compromiso.insights import netscore
from compromiso.insights.figures import driver_table, wave_figures
from compromiso.organizations.current import require_organization
from compromiso.surveys import services
from compromiso.surveys.models import Wave


def _waves(request: AuthenticatedHttpRequest) -> Any:
    organization = require_organization(request)
    return Wave.objects.visible_to(request.user).filter(organization=organization)


@login_required
def waves(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return render(
        request,
        "surveys/waves.html",
        {"waves": _waves(request).select_related("questionnaire").prefetch_related("services")},
    )


@login_required
def wave(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_waves(request).select_related("questionnaire", "previous"), pk=pk)
    visible = Service.objects.visible_to(request.user).filter(organization=item.organization)
    figures = wave_figures(item, visible)
    change = None
    previous = None
    if item.previous is not None:
        previous = wave_figures(item.previous, visible)
        if previous.total is not None and figures.total is not None:
            change = netscore.compare(previous.total.summary, figures.total.summary)
    link = request.build_absolute_uri(reverse("portal:survey", args=[item.token]))
    detect = None
    net = figures.total.summary.net if figures.total is not None else None
    if figures.total is not None and net is not None:
        summary = figures.total.summary
        variance = (summary.satisfied + summary.dissatisfied) / summary.n - (net.value / 100) ** 2
        detect = [
            (delta, netscore.responses_to_detect(delta, variance=max(variance, 0.01)))
            for delta in (1.5, 3.0, 5.0)
        ]
    return render(
        request,
        "surveys/wave.html",
        {
            "wave": item,
            "figures": figures,
            "previous": previous,
            "change": change,
            "link": link,
            "detect": detect,
            "drivers": driver_table(item, visible),
            "can_improve": scope_for(request.user, Perm.MANAGE_IMPROVEMENT).touches(
                item.organization_id
            ),
            "can_manage": scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(
                item.organization_id
            ),
        },
    )


@login_required
@require_POST
def step(request: AuthenticatedHttpRequest, pk: int, to: str) -> HttpResponse:
    item = get_object_or_404(_waves(request), pk=pk)
    calls = {"open": services.open_wave, "close": services.close_wave}
    if to not in calls:
        raise Http404
    try:
        calls[to](item, by=request.user)
    except PermissionDenied:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("surveys:wave", pk=item.pk)
