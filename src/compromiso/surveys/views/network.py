"""The network analyst's page: each organisation against the network."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import is_network_analyst
from compromiso.surveys.figures.network import MIN_RESPONSES as NETWORK_MINIMUM
from compromiso.surveys.figures.network import network_figures


@login_required
def network(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For the network analyst: each organisation's % satisfied over the last twelve months
    against the network (institutional weights), and the pooled score. Aggregates only."""
    if not is_network_analyst(request.user):
        raise Http404
    end = timezone.localdate()
    start = (end.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    return render(
        request,
        "surveys/network.html",
        {"figures": network_figures(start, end), "minimum": NETWORK_MINIMUM},
    )
