"""Staff pages for the service catalogue: channels, touch points, services and attributes.

Every view: fetch with permission (404 when invisible, 403 when visible but not allowed) →
validate → call a service → redirect or render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog import services
from compromiso.catalog.forms import (
    AttributeForm,
    AttributeRowsFormSet,
    ChannelForm,
    ServiceForm,
    TouchPointForm,
)
from compromiso.catalog.models import (
    Attribute,
    Audience,
    Channel,
    ChannelQuerySet,
    Service,
    TouchPoint,
)
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, Unit

REFUSALS = (ValidationError, DomainError)


def _manages_everything(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return scope_for(request.user, Perm.MANAGE_CATALOG).covers_organization(organization.pk)


def _can_read_history(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return scope_for(request.user, Perm.VIEW_AUDIT_LOG).covers_organization(organization.pk)


def _provider_units(
    request: AuthenticatedHttpRequest, organization: Organization
) -> QuerySet[Unit]:
    """Units where the user may keep services."""
    return (
        Unit.objects.visible_to(request.user, Perm.MANAGE_CATALOG)
        .filter(organization=organization, is_active=True)
        .order_by("path")
    )


def _channels(request: AuthenticatedHttpRequest, organization: Organization) -> ChannelQuerySet:
    return Channel.objects.visible_to(request.user).filter(organization=organization)


# Channels ------------------------------------------------------------------------------------


@login_required
def channels(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's channels, and a form to add one."""
    organization = require_organization(request)
    can_manage = _manages_everything(request, organization)
    form = ChannelForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.create_channel(
                    organization=organization,
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    by=request.user,
                )
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Channel added."))
                return redirect("catalog:channels")
    return render(
        request,
        "catalog/channels.html",
        {
            "channels": _channels(request, organization),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
def channel_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Rename or (de)activate a channel."""
    organization = require_organization(request)
    channel = get_object_or_404(_channels(request, organization), pk=pk)
    if not _manages_everything(request, organization):
        raise PermissionDenied
    initial = {"kind": channel.kind, "name": channel.name, "is_active": channel.is_active}
    form = ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_channel(channel, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            channel.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Channel saved."))
            return redirect("catalog:channels")
    return render(request, "catalog/channel_edit.html", {"channel": channel, "form": form})


# Touch points --------------------------------------------------------------------------------


@login_required
def touch_points(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where users meet each unit, and a form to add a touch point."""
    organization = require_organization(request)
    units = _provider_units(request, organization)
    can_manage = scope_for(request.user, Perm.MANAGE_CATALOG).touches(organization.pk)
    form = TouchPointForm(
        request.POST or None, units=units, channels=_channels(request, organization).active()
    )
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.create_touch_point(
                    organization=organization,
                    unit=data["unit"],
                    channel=data["channel"],
                    name=data["name"],
                    address=data["address"],
                    opening_hours=data["opening_hours"],
                    by=request.user,
                )
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Touch point added."))
                return redirect("catalog:touch_points")
    listing = (
        TouchPoint.objects.visible_to(request.user)
        .filter(organization=organization)
        .select_related("unit", "channel")
    )
    return render(
        request,
        "catalog/touch_points.html",
        {"touch_points": listing, "form": form, "can_manage": can_manage},
    )


@login_required
def touch_point_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a touch point."""
    organization = require_organization(request)
    touch_point = get_object_or_404(
        TouchPoint.objects.visible_to(request.user).filter(organization=organization), pk=pk
    )
    if not scope_for(request.user, Perm.MANAGE_CATALOG).covers(
        organization.pk, touch_point.unit.path
    ):
        raise PermissionDenied
    initial = {
        "name": touch_point.name,
        "unit": touch_point.unit_id,
        "channel": touch_point.channel_id,
        "address": touch_point.address,
        "opening_hours": touch_point.opening_hours,
        "is_active": touch_point.is_active,
    }
    form = TouchPointForm(
        request.POST or None,
        initial=initial,
        units=_provider_units(request, organization),
        channels=_channels(request, organization),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_touch_point(touch_point, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            touch_point.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Touch point saved."))
            return redirect("catalog:touch_points")
    return render(
        request, "catalog/touch_point_edit.html", {"touch_point": touch_point, "form": form}
    )


# Services ------------------------------------------------------------------------------------


def _visible_services(
    request: AuthenticatedHttpRequest, organization: Organization
) -> QuerySet[Service]:
    return Service.objects.visible_to(request.user).filter(organization=organization)


def _get_service_for_manager(request: AuthenticatedHttpRequest, pk: int) -> Service:
    organization = require_organization(request)
    service = get_object_or_404(
        _visible_services(request, organization).select_related("provider_unit"), pk=pk
    )
    if not scope_for(request.user, Perm.MANAGE_CATALOG).covers(
        organization.pk, service.provider_unit.path
    ):
        raise PermissionDenied
    return service


@login_required
def services_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The services in the user's scope, filtered by provider unit and audience."""
    organization = require_organization(request)
    listing = _visible_services(request, organization).select_related("provider_unit")
    units = Unit.objects.visible_to(request.user).filter(organization=organization).order_by("path")
    unit_id = request.GET.get("unit", "")
    if (unit_pk := parse_id(unit_id)) is not None:
        listing = listing.filter(provider_unit_id=unit_pk)
    audience = request.GET.get("audience", "")
    if audience in Audience.values:
        listing = listing.filter(audience=audience)
    return render(
        request,
        "catalog/services.html",
        {
            "services": listing.prefetch_related("attributes", "channels"),
            "units": units,
            "audiences": Audience.choices,
            "selected_unit": unit_id,
            "selected_audience": audience,
            "can_create": scope_for(request.user, Perm.MANAGE_CATALOG).touches(organization.pk),
        },
    )


@login_required
def service_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new service with its channels and first attributes."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_CATALOG).touches(organization.pk):
        raise PermissionDenied
    form = ServiceForm(
        request.POST or None,
        units=_provider_units(request, organization),
        channels=_channels(request, organization).active(),
    )
    rows = AttributeRowsFormSet(request.POST or None, prefix="attributes")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        data = form.cleaned_data
        attributes = [row.cleaned_data for row in rows if row.has_changed() and row.cleaned_data]
        try:
            service = services.create_service(
                organization=organization,
                code=data["code"],
                name=data["name"],
                description=data["description"],
                provider_unit=data["provider_unit"],
                audience=data["audience"],
                channels=data["channels"],
                attributes=attributes,
                by=request.user,
            )
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Service “%(name)s” created.") % {"name": service.name})
            return redirect("catalog:service_detail", pk=service.pk)
    return render(request, "catalog/service_form.html", {"form": form, "rows": rows})


@login_required
def service_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a service's details, provider or channels."""
    service = _get_service_for_manager(request, pk)
    organization = service.organization
    initial = {
        "code": service.code,
        "name": service.name,
        "description": service.description,
        "provider_unit": service.provider_unit_id,
        "audience": service.audience,
        "channels": list(service.channels.values_list("pk", flat=True)),
        "is_active": service.is_active,
    }
    form = ServiceForm(
        request.POST or None,
        initial=initial,
        units=_provider_units(request, organization),
        channels=_channels(request, organization),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_service(service, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            service.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Service saved."))
            return redirect("catalog:service_detail", pk=service.pk)
    return render(request, "catalog/service_form.html", {"form": form, "service": service})


@login_required
def service_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A service, its channels and its attributes; attributes are added here."""
    organization = require_organization(request)
    service = get_object_or_404(
        _visible_services(request, organization).select_related("provider_unit"), pk=pk
    )
    can_manage = scope_for(request.user, Perm.MANAGE_CATALOG).covers(
        organization.pk, service.provider_unit.path
    )
    form = AttributeForm(request.POST or None, prefix="new")
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_attribute(
                    service,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    dimension=form.cleaned_data["dimension"],
                    position=form.cleaned_data["position"],
                    by=request.user,
                )
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                if request.htmx:
                    return _attributes_fragment(request, service, can_manage)
                messages.success(request, _("Attribute added."))
                return redirect("catalog:service_detail", pk=service.pk)
        if request.htmx:
            return _attributes_fragment(request, service, can_manage, form=form)
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "attributes": service.attributes.all(),
            "form": form,
            "can_manage": can_manage,
            "can_read_history": _can_read_history(request, organization),
        },
    )


def _attributes_fragment(
    request: AuthenticatedHttpRequest,
    service: Service,
    can_manage: bool,
    form: AttributeForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "catalog/service_detail.html#attributes",
        {
            "service": service,
            "attributes": service.attributes.all(),
            "form": form or AttributeForm(prefix="new"),
            "can_manage": can_manage,
        },
    )


def _get_attribute_for_manager(request: AuthenticatedHttpRequest, pk: int) -> Attribute:
    organization = require_organization(request)
    attribute = get_object_or_404(
        Attribute.objects.visible_to(request.user)
        .filter(service__organization=organization)
        .select_related("service__provider_unit"),
        pk=pk,
    )
    if not scope_for(request.user, Perm.MANAGE_CATALOG).covers(
        organization.pk, attribute.service.provider_unit.path
    ):
        raise PermissionDenied
    return attribute


@login_required
def attribute_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit one attribute (inline with htmx, or as a page)."""
    attribute = _get_attribute_for_manager(request, pk)
    initial = {
        "name": attribute.name,
        "description": attribute.description,
        "dimension": attribute.dimension,
        "position": attribute.position,
        "is_active": attribute.is_active,
    }
    form = AttributeForm(request.POST or None, initial=initial, prefix=f"attribute-{pk}")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data["position"] is None:
            data["position"] = attribute.position
        try:
            services.update_attribute(attribute, by=request.user, **data)
        except REFUSALS as error:
            attribute.refresh_from_db()
            add_service_error(form, error)
        else:
            if request.htmx:
                return render(
                    request,
                    "catalog/service_detail.html#attribute_row",
                    {"attribute": attribute, "can_manage": True},
                )
            messages.success(request, _("Attribute saved."))
            return redirect("catalog:service_detail", pk=attribute.service_id)
    template = (
        "catalog/service_detail.html#attribute_edit_row"
        if request.htmx
        else "catalog/attribute_edit.html"
    )
    return render(request, template, {"attribute": attribute, "form": form})


@login_required
def attribute_row(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One attribute's row (htmx: cancel an inline edit)."""
    attribute = _get_attribute_for_manager(request, pk)
    return render(
        request,
        "catalog/service_detail.html#attribute_row",
        {"attribute": attribute, "can_manage": True},
    )


@login_required
@require_POST
def attribute_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Remove an attribute nobody has rated."""
    attribute = _get_attribute_for_manager(request, pk)
    service_id = attribute.service_id
    try:
        services.remove_attribute(attribute, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Attribute removed."))
    return redirect("catalog:service_detail", pk=service_id)
