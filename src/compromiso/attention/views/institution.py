"""The institution's side of front-office agreements: for a chosen month, the figures of its own
procedures at each front office serving them, against the agreement's target. Nothing else of
the front office is shown (no other procedure, no staff, no visit, no queue)."""

import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render

from compromiso.attention.institution_figures import agreement_figures, month_bounds
from compromiso.attention.models import FrontOfficeAgreement
from compromiso.attention.views.common import organization_of
from compromiso.core.http import AuthenticatedHttpRequest

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str, today: dt.date) -> tuple[int, int]:
    """ "2025-03" → (2025, 3); anything else (or a month out of range) → today's month."""
    match = _MONTH.fullmatch(value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    return today.year, today.month


@login_required
def institution(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = organization_of(request)
    today = organization.today()
    year, month = parse_month(request.GET.get("month", ""), today)
    first, last = month_bounds(year, month)
    agreements = (
        FrontOfficeAgreement.objects.filter(institution=organization, valid_from__lte=last)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .select_related("front_office")
        .order_by("front_office__name", "valid_from", "pk")
    )
    previous = first - dt.timedelta(days=1)
    following = last + dt.timedelta(days=1)
    return render(
        request,
        "attention/institution/figures.html",
        {
            "tab": "procedures",
            "organization": organization,
            "month": f"{year:04d}-{month:02d}",
            "first": first,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}" if following <= today else "",
            "results": [agreement_figures(a, year, month) for a in agreements],
        },
    )
