"""The public procedure directory: an organisation's published procedures (its own, and other
institutions' it serves under an agreement in force) with a search box, one procedure in full
with where it can be done (each branch with its address, hours and today's estimated wait), and
a search over every organisation of the network."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from compromiso.attention import directory
from compromiso.attention.directory import MAX_QUERY
from compromiso.attention.services import public
from compromiso.attention.waits import branch_estimates
from compromiso.organizations.models import Organization
from compromiso.portal.offices import hours_by_day


def _query(request: HttpRequest) -> str:
    return str(request.GET.get("q", ""))[:MAX_QUERY]


def procedures(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    query = _query(request)
    return render(
        request,
        "portal/directory/list.html",
        {
            "organization": organization,
            "query": query,
            "hits": directory.search(query, [organization]),
        },
    )


def procedure_search(request: HttpRequest) -> HttpResponse:
    """Every active organisation's published procedures."""
    query = _query(request)
    hits = directory.search(query) if query.strip() else []
    return render(request, "portal/directory/search.html", {"query": query, "hits": hits})


def procedure(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    offered = directory.directory([organization]).select_related("organization", "service")
    # Its own procedure first; else one it serves for another institution.
    found = sorted(
        offered.filter(code=code[:30]),
        key=lambda p: (p.organization_id != organization.pk, p.organization.name, p.pk),
    )
    if not found:
        raise Http404
    item = found[0]
    now = timezone.now()
    places: list[dict[str, Any]] = []
    for row in directory.where([item]).get(item.pk, []):
        branch = row.branch
        rows = list(branch.hours.all())
        open_now = public.is_open_at(branch.organization, rows, now)
        estimate = branch_estimates(branch, now=now).get(row.queue_id) if open_now else None
        places.append(
            {
                "branch": branch,
                "hours": hours_by_day(rows),
                "is_open": open_now,
                "estimate": estimate,
                "own": branch.organization_id == organization.pk,
            }
        )
    places.sort(key=lambda p: (not p["own"], p["branch"].touch_point.name))
    return render(
        request,
        "portal/directory/detail.html",
        {
            "organization": organization,
            "procedure": item,
            "channels": item.channels.filter(is_active=True),
            "places": places,
        },
    )
