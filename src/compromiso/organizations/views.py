"""Staff pages for the organisation: units, members, calendar, settings, API tokens, network.

Every view: fetch with permission (404 when invisible, 403 when visible but not allowed) →
validate → call a service → redirect or render.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.core.calendar import DeadlineUnit
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm, is_network_analyst, scope_for
from compromiso.organizations import home, services
from compromiso.organizations.current import (
    choose_organization,
    current_organization,
    require_organization,
)
from compromiso.organizations.forms import (
    ApiTokenForm,
    ClosureDayForm,
    DeadlineForm,
    MembershipForm,
    OrganizationForm,
    StaffUserForm,
    UnitForm,
)
from compromiso.organizations.models import (
    ApiToken,
    ClosureDay,
    Membership,
    Organization,
    TotpDevice,
    Unit,
    User,
)

REFUSALS = (ValidationError, DomainError)


def _can(request: AuthenticatedHttpRequest, perm: Perm, organization: Organization) -> bool:
    """Does the user hold `perm` anywhere in the organisation?"""
    return scope_for(request.user, perm).touches(organization.pk)


def _can_read_history(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return scope_for(request.user, Perm.VIEW_AUDIT_LOG).covers_organization(organization.pk)


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in member's work (a panel per role) and the organisation at a glance; the
    network analyst who belongs to no organisation lands on the network's figures, and anyone
    else without one on the page an app registered for them (`home.register_landing`)."""
    if current_organization(request) is None:
        if is_network_analyst(request.user):
            return redirect("organizations:network")
        landing = home.landing_for(request)
        if landing is not None:
            return redirect(landing)
    organization = require_organization(request)
    user = request.user
    units = Unit.objects.visible_to(user).filter(organization=organization).count()
    figures = {
        "units": home.Figure(label=_("Units"), value=units),
        **home.figures_for(user, organization),
    }
    roles = list(
        Membership.objects.filter(user=user, organization=organization).select_related("unit")
    )
    return render(
        request,
        "organizations/overview.html",
        {
            "organization": organization,
            "figures": figures,
            "my_roles": roles,
            "panels": home.panels_for(request, organization, roles),
        },
    )


@login_required
@require_POST
def switch_organization(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Work in another organisation the user belongs to."""
    organization_id = parse_id(request.POST.get("organization", ""))
    if organization_id is None or not choose_organization(request, organization_id):
        raise Http404
    return redirect("organizations:overview")


@login_required
def network(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Aggregated figures across every organisation: counts only, never rows."""
    if not is_network_analyst(request.user):
        raise Http404
    figures = (
        Organization.objects.filter(is_active=True)
        .annotate(
            unit_count=Count("units", filter=Q(units__is_active=True), distinct=True),
            service_count=Count("services", filter=Q(services__is_active=True), distinct=True),
            member_count=Count("memberships__user", distinct=True),
        )
        .values("name", "country", "subdivision", "unit_count", "service_count", "member_count")
    )
    return render(request, "organizations/network.html", {"figures": figures})


# Units ---------------------------------------------------------------------------------------


def _units_for(
    request: AuthenticatedHttpRequest, organization: Organization, perm: Perm = Perm.VIEW
) -> QuerySet[Unit]:
    return Unit.objects.visible_to(request.user, perm).filter(organization=organization)


def _get_unit_for_manager(request: AuthenticatedHttpRequest, pk: int) -> Unit:
    organization = require_organization(request)
    unit = get_object_or_404(_units_for(request, organization), pk=pk)
    if not scope_for(request.user, Perm.MANAGE_UNITS).covers(organization.pk, unit.path):
        raise PermissionDenied
    return unit


@login_required
def units(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The unit tree, and a form to add a unit."""
    organization = require_organization(request)
    can_manage = _can(request, Perm.MANAGE_UNITS, organization)
    manageable = _units_for(request, organization, Perm.MANAGE_UNITS).order_by("path")
    form = UnitForm(request.POST or None, units=manageable)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                unit = services.create_unit(
                    organization=organization,
                    name=data["name"],
                    kind=data["kind"],
                    code=data["code"],
                    parent=data["parent"],
                    by=request.user,
                )
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Unit “%(name)s” added.") % {"name": unit.name})
                return redirect("organizations:units")
    tree = list(_units_for(request, organization).order_by("path"))
    top = min((u.depth for u in tree), default=0)
    rows = [(unit, min(unit.depth - top, 6)) for unit in tree]
    return render(
        request,
        "organizations/units.html",
        {
            "rows": rows,
            "form": form,
            "can_manage": can_manage,
            "can_read_history": _can_read_history(request, organization),
        },
    )


@login_required
def unit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Rename, re-code, move or deactivate a unit (inline with htmx, or as a page)."""
    unit = _get_unit_for_manager(request, pk)
    organization = unit.organization
    destinations = (
        _units_for(request, organization, Perm.MANAGE_UNITS)
        .exclude(path__startswith=unit.path)
        .order_by("path")
    )
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "code": unit.code,
        "parent": unit.parent_id,
        "is_active": unit.is_active,
    }
    form = UnitForm(request.POST or None, initial=initial, units=destinations)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(unit, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            unit.refresh_from_db()
            add_service_error(form, error)
        else:
            if request.htmx:
                return render(
                    request,
                    "organizations/units.html#row",
                    {
                        "unit": unit,
                        "depth": 0,
                        "can_manage": True,
                        "can_read_history": _can_read_history(request, organization),
                    },
                )
            messages.success(request, _("Unit “%(name)s” saved.") % {"name": unit.name})
            return redirect("organizations:units")
    template = (
        "organizations/units.html#edit_row" if request.htmx else "organizations/unit_edit.html"
    )
    return render(request, template, {"unit": unit, "form": form})


@login_required
def unit_row(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One unit's row (htmx: cancel an inline edit)."""
    organization = require_organization(request)
    unit = get_object_or_404(_units_for(request, organization), pk=pk)
    can_manage = scope_for(request.user, Perm.MANAGE_UNITS).covers(organization.pk, unit.path)
    return render(
        request,
        "organizations/units.html#row",
        {
            "unit": unit,
            "depth": 0,
            "can_manage": can_manage,
            "can_read_history": _can_read_history(request, organization),
        },
    )


@login_required
@require_POST
def unit_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Delete a unit nothing depends on; otherwise say what does."""
    unit = _get_unit_for_manager(request, pk)
    name = unit.name
    try:
        services.delete_unit(unit, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Unit “%(name)s” deleted.") % {"name": name})
    return redirect("organizations:units")


# Members -------------------------------------------------------------------------------------


@login_required
def members(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who holds which role where, and forms to add people and roles."""
    organization = require_organization(request)
    if not _can(request, Perm.MANAGE_MEMBERS, organization):
        raise PermissionDenied
    units_in_scope = _units_for(request, organization, Perm.MANAGE_MEMBERS).order_by("path")
    people = (
        User.objects.filter(memberships__organization=organization).distinct().order_by("username")
    )
    new_person = StaffUserForm(
        request.POST if request.POST.get("form") == "person" else None,
        units=units_in_scope,
        prefix="person",
    )
    new_role = MembershipForm(
        request.POST if request.POST.get("form") == "role" else None,
        units=units_in_scope,
        people=people,
        prefix="role",
    )
    if request.method == "POST":
        done = _add_person(request, organization, new_person) or _add_role(
            request, organization, new_role
        )
        if done:
            return redirect("organizations:members")
    memberships = (
        Membership.objects.visible_to(request.user, Perm.MANAGE_MEMBERS)
        .filter(organization=organization)
        .select_related("user", "unit")
        .order_by("user__username", "role")
    )
    with_two_factor = set(
        TotpDevice.objects.filter(
            user__in=memberships.values("user_id"), confirmed_at__isnull=False
        ).values_list("user_id", flat=True)
    )
    return render(
        request,
        "organizations/members.html",
        {
            "memberships": memberships,
            "person_form": new_person,
            "role_form": new_role,
            "with_two_factor": with_two_factor,
        },
    )


def _add_person(
    request: AuthenticatedHttpRequest, organization: Organization, form: StaffUserForm
) -> bool:
    if not form.is_bound or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        user = services.create_staff_user(
            organization=organization,
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            by=request.user,
        )
        services.add_membership(
            organization=organization,
            user=user,
            role=data["role"],
            unit=data["unit"],
            by=request.user,
        )
    except REFUSALS as error:
        add_service_error(form, error)
        return False
    messages.success(
        request,
        _("%(name)s was added and will receive an e-mail to choose a password.")
        % {"name": user.username},
    )
    return True


def _add_role(
    request: AuthenticatedHttpRequest, organization: Organization, form: MembershipForm
) -> bool:
    if not form.is_bound or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.add_membership(
            organization=organization,
            user=data["user"],
            role=data["role"],
            unit=data["unit"],
            by=request.user,
        )
    except REFUSALS as error:
        add_service_error(form, error)
        return False
    messages.success(request, _("Role added."))
    return True


@login_required
@require_POST
def membership_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take a role away from a person."""
    organization = require_organization(request)
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user, Perm.MANAGE_MEMBERS).filter(
            organization=organization
        ),
        pk=pk,
    )
    try:
        services.remove_membership(membership, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Role removed."))
    return redirect("organizations:members")


# Business calendar ---------------------------------------------------------------------------


def _year(request: AuthenticatedHttpRequest, organization: Organization) -> int:
    today = timezone.localdate(timezone=organization.business_calendar().zone)
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if 1990 <= year <= 2100 else today.year


@login_required
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The year's holidays and closure days, closure editing, and a deadline calculator."""
    organization = require_organization(request)
    can_manage = scope_for(request.user, Perm.MANAGE_ORGANIZATION).covers_organization(
        organization.pk
    )
    year = _year(request, organization)
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_closure_day(
                    organization=organization,
                    day=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                    by=request.user,
                )
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Closure day added."))
                return redirect(f"{request.path}?year={form.cleaned_data['date'].year}")
    business_calendar = organization.business_calendar()
    closures = {
        c.date: c
        for c in ClosureDay.objects.filter(
            organization=organization, date__year=year
        ).select_related("created_by", "updated_by")
    }
    days = [
        {"date": day, "name": name, "closure": closures.get(day)}
        for day, name in business_calendar.holidays_between(
            dt.date(year, 1, 1), dt.date(year, 12, 31)
        )
    ]
    return render(
        request,
        "organizations/calendar.html",
        {
            "organization": organization,
            "year": year,
            "days": days,
            "form": form,
            "can_manage": can_manage,
            "deadline": _deadline(request, organization),
        },
    )


def _deadline(request: AuthenticatedHttpRequest, organization: Organization) -> dict[str, Any]:
    """The calculator's form and, when it was filled in, its answer."""
    form = DeadlineForm(request.GET if "received_at" in request.GET else None)
    result: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        business_calendar = organization.business_calendar()
        received = form.cleaned_data["received_at"].replace(tzinfo=None)
        received = received.replace(tzinfo=business_calendar.zone)
        due = business_calendar.deadline(
            received, form.cleaned_data["amount"], DeadlineUnit(form.cleaned_data["unit"])
        )
        start = business_calendar.effective_start(received)
        result.update(
            due=due,
            start=start,
            business_days=business_calendar.business_days_between(start, due.date()),
        )
    return result


def _get_closure_for_manager(request: AuthenticatedHttpRequest, pk: int) -> ClosureDay:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_ORGANIZATION).covers_organization(organization.pk):
        raise PermissionDenied
    return get_object_or_404(ClosureDay, organization=organization, pk=pk)


@login_required
def closure_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a closure day's date or reason."""
    closure = _get_closure_for_manager(request, pk)
    form = ClosureDayForm(
        request.POST or None, initial={"date": closure.date, "name": closure.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_closure_day(
                closure,
                day=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
                by=request.user,
            )
        except REFUSALS as error:
            closure.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Closure day saved."))
            return redirect(f"{reverse('organizations:calendar')}?year={closure.date.year}")
    return render(request, "organizations/closure_edit.html", {"closure": closure, "form": form})


@login_required
@require_POST
def closure_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take a closure day out of the calendar."""
    closure = _get_closure_for_manager(request, pk)
    year = closure.date.year
    services.remove_closure_day(closure, by=request.user)
    messages.success(request, _("Closure day removed."))
    return redirect(f"{reverse('organizations:calendar')}?year={year}")


# Settings and tokens -------------------------------------------------------------------------


@login_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's name, jurisdiction, region, language and office hours."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.MANAGE_ORGANIZATION).covers_organization(organization.pk):
        raise PermissionDenied
    # The form validates a copy, so the service still sees the old values and logs the change.
    form = OrganizationForm(
        request.POST or None, instance=Organization.objects.get(pk=organization.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(organization, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("organizations:settings")
    return render(
        request,
        "organizations/settings.html",
        {
            "organization": organization,
            "form": form,
            "can_read_history": _can_read_history(request, organization),
        },
    )


@login_required
def tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's personal API tokens for this organisation; a new one is shown once."""
    organization = require_organization(request)
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            dt.datetime.combine(expires_on, dt.time.max, tzinfo=dt.UTC) if expires_on else None
        )
        try:
            _token, secret = services.create_api_token(
                user=request.user,
                organization=organization,
                name=form.cleaned_data["name"],
                expires_at=expires_at,
            )
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            form = ApiTokenForm()
    own = ApiToken.objects.filter(user=request.user, organization=organization)
    return render(
        request,
        "organizations/tokens.html",
        {"tokens": own, "form": form, "secret": secret, "now": timezone.now()},
    )


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Stop one of the user's tokens from working."""
    organization = require_organization(request)
    token = get_object_or_404(
        ApiToken,
        pk=pk,
        user=request.user,
        organization=organization,
    )
    services.revoke_api_token(token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("organizations:tokens")
