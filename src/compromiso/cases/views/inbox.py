"""The inbox: cases in the user's scope, filtered, searched, exported, assigned in bulk.

Every view: fetch with permission (404 when invisible, 403 when visible but not allowed) →
validate → call a service → redirect or render.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.cases import services
from compromiso.cases.forms import (
    AssignForm,
    InboxFilterForm,
)
from compromiso.cases.models import (
    Case,
    CaseQuerySet,
    Category,
    Verdict,
)
from compromiso.cases.search import search
from compromiso.catalog.models import Channel, Service
from compromiso.core.audit import log_action
from compromiso.core.exports import tabular_response
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id, parse_ids
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, Unit

PAGE_SIZE = 50
DUE_SOON = dt.timedelta(days=3)


def visible_cases(request: AuthenticatedHttpRequest) -> CaseQuerySet:
    organization = require_organization(request)
    return Case.objects.visible_to(request.user).filter(organization=organization)


def _filtered(request: AuthenticatedHttpRequest, form: InboxFilterForm) -> CaseQuerySet:
    cases = visible_cases(request)
    if not form.is_valid():
        return cases.open()
    data = form.cleaned_data
    status = data["status"]
    if status == "":
        cases = cases.open()
    elif status != "all":
        cases = cases.filter(status=status)
    if data["kind"]:
        cases = cases.filter(kind=data["kind"])
    if data["unit"]:
        cases = cases.filter(unit__path__startswith=data["unit"].path)
    for name in ("service", "channel", "assignee"):
        if data[name]:
            cases = cases.filter(**{name: data[name]})
    if data["category"]:
        cases = cases.filter(Q(category=data["category"]) | Q(category__parent=data["category"]))
    if data["mine"]:
        cases = cases.filter(assignee=request.user)
    if data["rated_badly"]:
        cases = cases.filter(Q(rating__outcome__lte=2) | Q(verdict=Verdict.REJECTED))
    now = timezone.now()
    if data["due"] == "soon":
        cases = cases.due_soon(now, DUE_SOON)
    elif data["due"] == "overdue":
        cases = cases.overdue(now)
    if data["q"]:
        cases = search(cases, data["q"], language=require_organization(request).language)
    return cases


@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Cases in the user's scope, newest first, with keyset pagination (no page counts)."""
    organization = require_organization(request)
    form = _filter_form(request, organization)
    cases = _filtered(request, form).select_related("unit", "assignee", "service")
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(request, cases, request.GET["export"])
    after = _cursor(request.GET.get("after", ""))
    if after is not None:
        received, pk = after
        cases = cases.filter(Q(received_at__lt=received) | Q(received_at=received, pk__lt=pk))
    page = list(cases.order_by("-received_at", "-pk")[: PAGE_SIZE + 1])
    next_cursor = None
    if len(page) > PAGE_SIZE:
        page = page[:PAGE_SIZE]
        last = page[-1]
        next_cursor = f"{last.received_at.isoformat()}_{last.pk}"
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "cases/inbox.html",
        {
            "cases": page,
            "form": form,
            "next_cursor": next_cursor,
            "query": query.urlencode(),
            "now": timezone.now(),
            "due_soon": timezone.now() + DUE_SOON,
            "can_create": scope_for(request.user, Perm.HANDLE_CASES).touches(organization.pk),
            "bulk_form": AssignForm(people=services.organization_handlers(organization.pk)),
        },
    )


def _filter_form(request: AuthenticatedHttpRequest, organization: Organization) -> InboxFilterForm:
    units = Unit.objects.visible_to(request.user).filter(organization=organization).order_by("path")
    return InboxFilterForm(
        request.GET or None,
        units=units,
        services=Service.objects.filter(organization=organization),
        channels=Channel.objects.filter(organization=organization),
        categories=Category.objects.filter(organization=organization).select_related("parent"),
        people=services.organization_handlers(organization.pk),
    )


EXPORT_LIMIT = 100_000


def _export(request: AuthenticatedHttpRequest, cases: CaseQuerySet, fmt: str) -> HttpResponseBase:
    """The filtered list as CSV or XLSX: what the user may see, nothing more. Personal data is
    left out (exports travel); the export itself is logged."""
    header = [
        _("Code"),
        _("Kind"),
        _("State"),
        _("Received"),
        _("Due"),
        _("Answered"),
        _("Channel"),
        _("Service"),
        _("Unit"),
        _("Category"),
        _("Root cause"),
        _("Assignee"),
        _("Subject"),
    ]
    rows = (
        [
            case.tracking_code,
            case.get_kind_display(),
            case.get_status_display(),
            _local(case.received_at),
            _local(case.due_at),
            _local(case.answered_at),
            case.channel.name,
            case.service.name if case.service else "",
            case.unit.name if case.unit else "",
            str(case.category) if case.category else "",
            str(case.root_cause) if case.root_cause else "",
            str(case.assignee or ""),
            case.subject,
        ]
        for case in cases.select_related("channel", "category__parent", "root_cause").order_by(
            "-received_at", "-pk"
        )[:EXPORT_LIMIT]
    )
    organization = require_organization(request)
    log_action(organization, "cases.exported", by=request.user, data={"format": fmt})
    return tabular_response(f"casos-{timezone.localdate():%Y%m%d}", header, rows, fmt)


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@login_required
@require_POST
def bulk_assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assign the ticked cases of the inbox to one person."""
    organization = require_organization(request)
    form = AssignForm(request.POST, people=services.organization_handlers(organization.pk))
    ids = parse_ids(request.POST.getlist("case"))[:PAGE_SIZE]
    if not form.is_valid() or not ids:
        messages.error(request, _("Tick at least one case and choose a person."))
    else:
        cases = visible_cases(request).filter(pk__in=ids).select_related("unit", "organization")
        done, refused = services.bulk_assign(
            cases, assignee=form.cleaned_data["assignee"], by=request.user
        )
        messages.success(request, _("%(count)d cases assigned.") % {"count": done})
        if refused:
            messages.error(
                request,
                _("Not assigned (closed, or outside that person's units): %(codes)s")
                % {"codes": ", ".join(refused)},
            )
    back = request.POST.get("next", "")
    return redirect(f"{reverse('cases:inbox')}?{back}" if back else "cases:inbox")


def _cursor(value: str) -> tuple[dt.datetime, int] | None:
    moment, _sep, pk = value.rpartition("_")
    parsed = parse_datetime(moment) if moment else None
    number = parse_id(pk)
    if parsed is None or number is None:
        return None
    return parsed, number
