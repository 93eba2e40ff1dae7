"""The network analyst's page of audit coverage across the organisations: counts only."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from compromiso.audits.network import network_figures
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id
from compromiso.core.permissions import is_network_analyst
from compromiso.core.validators import FIRST_YEAR, LAST_YEAR


@login_required
def network(request: AuthenticatedHttpRequest) -> HttpResponse:
    """For the network analyst: audits closed in the year, open audits, open nonconformities by
    grade and the seal, per organisation. Never a finding's text."""
    if not is_network_analyst(request.user):
        raise Http404
    this_year = timezone.localdate().year
    year = parse_id(request.GET.get("year", "")) or this_year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        year = this_year
    return render(
        request,
        "audits/programme/network.html",
        {"rows": network_figures(year), "year": year, "years": range(this_year, this_year - 5, -1)},
    )
