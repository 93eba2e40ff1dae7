"""The contacts log (phone, web chat, e-mail, self-service), recording a contact, and the
contact channels' figures (service level, speed of answer, abandonment, first-contact
resolution, handling time) per channel or line and per day, with a CSV download."""

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from compromiso.attention.contact_figures import (
    DEFAULT_CONVENTION,
    DEFAULT_SHORT_ABANDON,
    DEFAULT_THRESHOLD,
    Counts,
    contact_figures,
    convention_labels,
    percent,
)
from compromiso.attention.forms.contacts import (
    ContactFilterForm,
    ContactForm,
    FiguresForm,
    default_period,
)
from compromiso.attention.models import Contact
from compromiso.attention.services.contacts import record_contact
from compromiso.attention.views.common import organization_of, serves
from compromiso.catalog.models import TouchPoint
from compromiso.core.dbrouter import use_replica
from compromiso.core.errors import DomainError
from compromiso.core.exports import tabular_response
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm

PAGE_SIZE = 50


@login_required
def contacts(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = organization_of(request)
    rows = Contact.objects.filter(organization=organization).select_related(
        "channel", "touch_point", "service", "agent"
    )
    form = ContactFilterForm(request.GET or None, organization=organization)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["channel"] is not None:
            rows = rows.filter(channel=data["channel"])
        if data["outcome"]:
            rows = rows.filter(outcome=data["outcome"])
        zone = organization.zone
        if data["start"]:
            rows = rows.filter(started_at__gte=_midnight(data["start"], zone))
        if data["end"]:
            rows = rows.filter(started_at__lt=_midnight(data["end"], zone, after=True))
    page = Paginator(rows.order_by("-started_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "attention/contacts/list.html",
        {
            "tab": "contacts",
            "form": form,
            "page": page,
            "query": request.GET.copy(),
            "can_serve": serves(request, organization),
        },
    )


def _midnight(day: dt.date, zone: ZoneInfo, *, after: bool = False) -> dt.datetime:
    if after:
        day = day + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


@login_required
def contact_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = organization_of(request)
    if not serves(request, organization):
        raise PermissionDenied
    touch_points = TouchPoint.objects.filter(organization=organization).visible_to(
        request.user, Perm.SERVE_VISITORS
    )
    form = ContactForm(request.POST or None, organization=organization, touch_points=touch_points)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_contact(
                organization,
                kind=data["kind"],
                outcome=data["outcome"],
                by=request.user,
                channel=data["channel"],
                touch_point=data["touch_point"],
                service=data["service"],
                procedure=data["procedure"],
                started_at=data["started_at"],
                wait_seconds=data["wait_seconds"],
                handle_seconds=data["handle_seconds"],
                first_contact_resolution=data["first_contact_resolution"],
                note=data["note"],
            )
        except (DomainError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = DomainError(_("You do not have permission to do this."))
            add_service_error(form, error)
        else:
            return redirect("attention:contacts")
    return render(request, "attention/contacts/new.html", {"tab": "contacts", "form": form})


def readable_duration(seconds: Decimal | None) -> str | None:
    """A duration as a person reads it on the page: "42,5 s" for a call, "12 min" or "3 h 05 min"
    for an e-mail answered hours later (the CSV keeps the seconds)."""
    if seconds is None:
        return None
    if seconds < 120:
        return f"{number_format(seconds, 1)} s"
    minutes = int((seconds + 30) // 60)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _cells(counts: Counts, convention: int, *, readable: bool = False) -> list[Any]:
    shown = readable_duration if readable else (lambda value: value)
    return [
        counts.offered,
        counts.answered,
        counts.abandoned,
        counts.short_abandoned,
        percent(counts.service_level(convention)),
        shown(counts.average_speed_of_answer),
        percent(counts.abandonment),
        percent(counts.first_contact_resolution),
        shown(counts.average_handling_time),
    ]


@login_required
@use_replica
def contact_figures_page(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    organization = organization_of(request)
    start, end = default_period(organization.today())
    initial = {
        "start": start,
        "end": end,
        "threshold": DEFAULT_THRESHOLD,
        "short_abandon": DEFAULT_SHORT_ABANDON,
        "convention": DEFAULT_CONVENTION,
    }
    bound = any(key in request.GET for key in initial)
    form = FiguresForm({**initial, **request.GET.dict()} if bound else initial)
    figures = None
    convention = DEFAULT_CONVENTION
    if form.is_valid():
        data = form.cleaned_data
        convention = data["convention"]
        figures = contact_figures(
            organization,
            data["start"],
            data["end"],
            threshold=data["threshold"],
            short_abandon=data["short_abandon"],
        )
    header = [
        _("Channel or line"),
        _("Offered"),
        _("Answered"),
        _("Abandoned"),
        _("Short abandons"),
        _("Service level (%)"),
        _("Average speed of answer (s)"),
        _("Abandonment (%)"),
        _("First-contact resolution (%)"),
        _("Average handling time (s)"),
    ]
    csv = request.GET.get("format") == "csv"
    if not csv:  # the page shows durations as minutes and hours where they are long
        header[6], header[9] = _("Average speed of answer"), _("Average handling time")
    table: dict[str, list[list[Any]]] = {"groups": [], "days": []}
    total: list[Any] = []
    if figures is not None and not figures.empty:
        for name in ("groups", "days"):
            table[name] = [
                [row.label, *_cells(row.counts, convention, readable=not csv)]
                for row in getattr(figures, name)
            ]
        total = [_("Total"), *_cells(figures.total, convention, readable=not csv)]
    if csv and figures is not None:
        rows = [*table["groups"], *table["days"], *([total] if total else [])]
        return tabular_response("contact-figures", header, rows, "csv")
    return render(
        request,
        "attention/contacts/figures.html",
        {
            "tab": "contacts",
            "form": form,
            "figures": figures,
            "header": header,
            "day_header": [_("Day"), *header[1:]],
            "groups": table["groups"],
            "days": table["days"],
            "total": total,
            "convention": convention,
            "convention_label": convention_labels()[convention],
            "query": request.GET.urlencode(),
        },
    )
