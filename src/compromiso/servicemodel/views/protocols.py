"""Staff pages of the attention protocols: the list with where each applies, a protocol with its
steps, channel variants, touch points and compliance, the form of a protocol and its steps, the
lifecycle and override steps (POST), the observation checklist, and the compliance table."""

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog.models import ChannelKind, TouchPoint
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel import services
from compromiso.servicemodel.applicability import protocols_by_touch_point
from compromiso.servicemodel.checklists import checklist_for_touch_point
from compromiso.servicemodel.compliance import compliance_table
from compromiso.servicemodel.compliance_export import compliance_export
from compromiso.servicemodel.forms.protocols import (
    ChooseForm,
    ComplianceFilterForm,
    ObservationForm,
    OverrideForm,
    PeriodForm,
    ProtocolForm,
    step_formset,
)
from compromiso.servicemodel.models import Protocol, ProtocolCheck, ProtocolStatus
from compromiso.servicemodel.views.model import _organization


def _protocols(request: AuthenticatedHttpRequest) -> QuerySet[Protocol]:
    return Protocol.objects.visible_to(request.user).filter(organization=_organization(request))


def _can(request: AuthenticatedHttpRequest, organization_id: int, perm: Perm) -> bool:
    return has_perm(request.user, perm, organization_id=organization_id)


def _observable(request: AuthenticatedHttpRequest, organization: Organization) -> Any:
    """The touch points the user may observe: their units' (unit heads) or all (quality)."""
    return (
        TouchPoint.objects.visible_to(request.user, Perm.EDIT_CHARTERS)
        .filter(organization=organization, is_active=True)
        .select_related("unit", "channel")
    )


def _render(
    request: AuthenticatedHttpRequest, template: str, context: dict[str, Any]
) -> HttpResponse:
    """Render, telling the pages' small nav whether to offer the checklist."""
    organization = require_organization(request)
    context["nav_observe"] = scope_for(request.user, Perm.EDIT_CHARTERS).touches(organization.pk)
    return render(request, template, context)


@login_required
def protocol_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every protocol, with the channel kind it follows and how many touch points it reaches."""
    organization = _organization(request)
    reach = Counter(pk for ids in protocols_by_touch_point(organization).values() for pk in ids)
    protocols = list(_protocols(request))
    for protocol in protocols:
        protocol.reach = reach.get(protocol.pk, 0)  # type: ignore[attr-defined]
    return _render(
        request,
        "servicemodel/protocols/list.html",
        {
            "protocols": protocols,
            "can_create": _can(request, organization.pk, Perm.EDIT_CHARTERS),
            "can_observe": scope_for(request.user, Perm.EDIT_CHARTERS).touches(organization.pk),
        },
    )


def _save(
    request: AuthenticatedHttpRequest, organization: Organization, protocol: Protocol | None
) -> HttpResponse:
    initial = ProtocolForm.initial_from(protocol) if protocol else None
    form = ProtocolForm(request.POST or None, initial=initial)
    steps = step_formset(request.POST or None, protocol)
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        try:
            if protocol is None:
                protocol = services.create_protocol(
                    organization, by=request.user, steps=steps.steps(), **form.cleaned_data
                )
                messages.success(request, _("Protocol created as a draft."))
            else:
                services.update_protocol(
                    protocol, by=request.user, steps=steps.steps(), **form.cleaned_data
                )
                messages.success(request, _("Protocol saved."))
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            return redirect("servicemodel:protocol", pk=protocol.pk)
    return _render(
        request,
        "servicemodel/protocols/form.html",
        {"form": form, "steps": steps, "protocol": protocol, "kinds": ChannelKind.choices},
    )


@login_required
def protocol_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    if not _can(request, organization.pk, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    return _save(request, organization, None)


@login_required
def protocol_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    protocol = get_object_or_404(_protocols(request), pk=pk)
    if not _can(request, protocol.organization_id, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    if protocol.status == ProtocolStatus.RETIRED:
        messages.error(request, _("A retired protocol cannot be edited."))
        return redirect("servicemodel:protocol", pk=protocol.pk)
    return _save(request, protocol.organization, protocol)


@login_required
def protocol_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    protocol = get_object_or_404(_protocols(request).select_related("organization"), pk=pk)
    organization = protocol.organization
    can_edit = _can(request, organization.pk, Perm.EDIT_CHARTERS)
    can_approve = _can(request, organization.pk, Perm.APPROVE_CHARTERS)
    by_point = protocols_by_touch_point(organization)
    applies = {tp for tp, ids in by_point.items() if protocol.pk in ids}
    visible = TouchPoint.objects.visible_to(request.user).filter(organization=organization)
    overrides = protocol.overrides.filter(touch_point__in=visible).select_related(
        "touch_point__unit", "touch_point__channel"
    )
    period = PeriodForm().period(organization.today())
    return _render(
        request,
        "servicemodel/protocols/detail.html",
        {
            "protocol": protocol,
            "steps": protocol.steps.prefetch_related("variants"),
            "touch_points": visible.filter(pk__in=applies).select_related("unit", "channel"),
            "overrides": overrides,
            "override_form": OverrideForm(
                touch_points=visible.filter(is_active=True).select_related("unit")
            ),
            "compliance": compliance_table(
                organization, *period, touch_points=visible, units=[], protocol=protocol
            ).total,
            "period": period,
            "checks": ProtocolCheck.objects.visible_to(request.user)
            .filter(protocol=protocol)
            .select_related("touch_point")[:10],
            "can_edit": can_edit and protocol.status != ProtocolStatus.RETIRED,
            "can_activate": can_approve and protocol.status == ProtocolStatus.DRAFT,
            "can_retire": can_approve and protocol.status == ProtocolStatus.ACTIVE,
            "can_observe": protocol.status == ProtocolStatus.ACTIVE
            and scope_for(request.user, Perm.EDIT_CHARTERS).touches(organization.pk),
        },
    )


@login_required
@require_POST
def protocol_move(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    protocol = get_object_or_404(_protocols(request), pk=pk)
    user = request.user
    if step == "activate":
        report(
            request,
            lambda: services.activate_protocol(protocol, by=user),
            _("Protocol put in force: it applies at the touch points of its channel."),
        )
    elif step == "retire":
        report(
            request,
            lambda: services.retire_protocol(protocol, by=user),
            _("Protocol retired: its observations are kept."),
        )
    else:
        raise Http404
    return redirect("servicemodel:protocol", pk=protocol.pk)


@login_required
@require_POST
def protocol_override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    protocol = get_object_or_404(_protocols(request), pk=pk)
    if not _can(request, protocol.organization_id, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    visible = TouchPoint.objects.visible_to(request.user).filter(
        organization_id=protocol.organization_id
    )
    form = OverrideForm(request.POST, touch_points=visible)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.set_protocol_override(
                protocol,
                form.cleaned_data["touch_point"],
                by=request.user,
                applies=form.applies_value(),
            ),
            _("The protocols of the touch point are saved."),
        )
    return redirect("servicemodel:protocol", pk=protocol.pk)


@login_required
def observe(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose a touch point and a protocol in force there, then fill in its checklist."""
    organization = _organization(request)
    points = _observable(request, organization)
    if not scope_for(request.user, Perm.EDIT_CHARTERS).touches(organization.pk):
        raise PermissionDenied
    # A link may name the protocol alone: it is then preselected, not yet checked.
    bound = "touch_point" in request.GET
    choose = ChooseForm(
        request.GET if bound else None,
        initial=None if bound else {"protocol": request.GET.get("protocol", "")[:20]},
        touch_points=points,
        organization_id=organization.pk,
    )
    context: dict[str, Any] = {"choose": choose, "form": None}
    if choose.is_valid():
        touch_point = choose.cleaned_data["touch_point"]
        protocol = choose.cleaned_data["protocol"]
        items = checklist_for_touch_point(touch_point, protocol)
        if not items:
            choose.add_error("protocol", _("This protocol does not apply at this touch point."))
        else:
            form = ObservationForm(request.POST or None, items=items, today=organization.today())
            context.update(form=form, touch_point=touch_point, protocol=protocol)
            if request.method == "POST" and form.is_valid():
                try:
                    services.record_protocol_check(
                        protocol,
                        touch_point,
                        by=request.user,
                        observed_on=form.cleaned_data["observed_on"],
                        method=form.cleaned_data["method"],
                        note=form.cleaned_data["note"],
                        results=form.results(),
                    )
                except (ValidationError, DomainError) as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, _("Observation recorded."))
                    return redirect("servicemodel:protocol_compliance")
    elif request.method == "POST":
        raise Http404
    return _render(request, "servicemodel/protocols/observe.html", context)


@login_required
def compliance(request: AuthenticatedHttpRequest) -> HttpResponse | HttpResponseBase:
    """Compliance per touch point, unit, protocol and step over a period, filtered by unit,
    protocol and method; `?format=csv` or `xlsx` downloads the tables shown."""
    organization = _organization(request)
    units = (
        Unit.objects.visible_to(request.user)
        .filter(organization=organization, is_active=True)
        .order_by("path")
    )
    form = ComplianceFilterForm(request.GET or None, units=units, protocols=_protocols(request))
    start, end = form.period(organization.today())
    chosen = form.filters()
    table = compliance_table(
        organization,
        start,
        end,
        touch_points=TouchPoint.objects.visible_to(request.user).filter(organization=organization),
        units=units,
        **chosen,
    )
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return compliance_export(table, start, end, fmt)
    query = {"start": start.isoformat(), "end": end.isoformat()}
    query |= {
        name: str(value.pk if hasattr(value, "pk") else value)
        for name, value in chosen.items()
        if value
    }
    return _render(
        request,
        "servicemodel/protocols/compliance.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "table": table,
            "chosen": chosen,
            "query": urlencode(query),
            "can_observe": scope_for(request.user, Perm.EDIT_CHARTERS).touches(organization.pk),
        },
    )
