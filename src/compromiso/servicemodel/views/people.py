"""Staff pages of the staff list: the list with its filters and counts per unit, a person's page
and form, profiles from the memberships, and the import of a staff list (upload → preview →
confirm). A unit head sees and keeps the people of their unit's subtree; anyone else gets a
404."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.catalog.models import TouchPoint
from compromiso.core.errors import DomainError
from compromiso.core.exports import tabular_response
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.permissions import has_perm, scope_for
from compromiso.organizations.models import Organization, Unit, User
from compromiso.servicemodel import services
from compromiso.servicemodel.forms.people import StaffFilterForm, StaffImportForm, StaffMemberForm
from compromiso.servicemodel.models import ImportStatus, StaffImport, StaffMember, StaffRole
from compromiso.servicemodel.services.people import PERM
from compromiso.servicemodel.staff_import import Rejected, StaffImportError
from compromiso.servicemodel.training_record import training_record
from compromiso.servicemodel.views.model import _organization

PAGE = 100
PREVIEW_ROWS = 200  # rows of each kind shown in the preview; the counts are whole


def _people(request: AuthenticatedHttpRequest, organization: Organization) -> QuerySet[StaffMember]:
    return StaffMember.objects.visible_to(request.user).filter(organization=organization)


def _can_keep(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return scope_for(request.user, PERM).touches(organization.pk)


def _keeps(request: AuthenticatedHttpRequest, member: StaffMember) -> bool:
    return has_perm(
        request.user, PERM, organization_id=member.organization_id, unit_path=member.unit.path
    )


def _kept_units(request: AuthenticatedHttpRequest, organization: Organization) -> QuerySet[Unit]:
    return (
        Unit.objects.visible_to(request.user, PERM)
        .filter(organization=organization, is_active=True)
        .order_by("path")
    )


def _kept_touch_points(
    request: AuthenticatedHttpRequest, organization: Organization
) -> QuerySet[TouchPoint]:
    return (
        TouchPoint.objects.visible_to(request.user, PERM)
        .filter(organization=organization, is_active=True)
        .select_related("unit")
        .order_by("unit__path", "name")
    )


def _members(organization: Organization) -> QuerySet[User]:
    return (
        User.objects.filter(memberships__organization=organization).distinct().order_by("username")
    )


def _counts(people: QuerySet[StaffMember]) -> list[dict[str, Any]]:
    """Active contact and back-office staff placed in each unit, and the total."""
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in people.filter(is_active=True)
        .values("unit__name", "unit__path")
        .annotate(
            contact=Count("pk", filter=Q(role=StaffRole.CONTACT)),
            back_office=Count("pk", filter=Q(role=StaffRole.BACK_OFFICE)),
        )
        .order_by("unit__path")
    ]
    for row in rows:
        row["total"] = row["contact"] + row["back_office"]
    return rows


@login_required
def people_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    people = _people(request, organization)
    units = Unit.objects.visible_to(request.user).filter(organization=organization)
    touch_points = TouchPoint.objects.visible_to(request.user).filter(organization=organization)
    filters = StaffFilterForm(request.GET or None, units=units, touch_points=touch_points)
    shown = people
    active = "yes"
    if filters.is_bound and filters.is_valid():
        data = filters.cleaned_data
        if data["unit"]:
            shown = shown.filter(unit__path__startswith=data["unit"].path)
        if data["role"]:
            shown = shown.filter(role=data["role"])
        if data["touch_point"]:
            shown = shown.filter(touch_points=data["touch_point"])
        active = data["active"] or "yes"
    if active != "all":
        shown = shown.filter(is_active=active == "yes")
    page = Paginator(
        shown.select_related("unit", "user").prefetch_related("touch_points"), PAGE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    totals = _counts(people)
    return render(
        request,
        "servicemodel/people/list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "counts": totals,
            "total_contact": sum(row["contact"] for row in totals),
            "total_back_office": sum(row["back_office"] for row in totals),
            "can_keep": _can_keep(request, organization),
        },
    )


@login_required
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request)
    member = get_object_or_404(_people(request, organization).select_related("unit", "user"), pk=pk)
    can_edit = has_perm(
        request.user, PERM, organization_id=organization.pk, unit_path=member.unit.path
    )
    return render(
        request,
        "servicemodel/people/detail.html",
        {
            "member": member,
            "touch_points": member.touch_points.select_related("unit", "channel"),
            "can_edit": can_edit,
            "training": training_record(member, organization.today()),
        },
    )


def _form(
    request: AuthenticatedHttpRequest, organization: Organization, initial: dict[str, Any]
) -> StaffMemberForm:
    return StaffMemberForm(
        request.POST or None,
        initial=initial,
        units=_kept_units(request, organization),
        touch_points=_kept_touch_points(request, organization),
        users=_members(organization),
    )


@login_required
def person_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    if not _can_keep(request, organization):
        raise PermissionDenied
    form = _form(request, organization, {"role": StaffRole.CONTACT, "is_active": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("is_active")
        try:
            member = services.create_staff_member(organization, by=request.user, **data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Person added to the staff list."))
            return redirect("servicemodel:person", pk=member.pk)
    return render(request, "servicemodel/people/form.html", {"form": form, "member": None})


@login_required
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request)
    member = get_object_or_404(_people(request, organization).select_related("unit"), pk=pk)
    if not has_perm(
        request.user, PERM, organization_id=organization.pk, unit_path=member.unit.path
    ):
        raise PermissionDenied
    form = _form(request, organization, StaffMemberForm.initial_from(member))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_staff_member(member, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Person saved."))
            return redirect("servicemodel:person", pk=member.pk)
    return render(request, "servicemodel/people/form.html", {"form": form, "member": member})


@login_required
@require_POST
def person_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request)
    member = get_object_or_404(_people(request, organization).select_related("unit"), pk=pk)
    report(
        request,
        lambda: services.deactivate_staff_member(member, by=request.user),
        _("The person is no longer active."),
    )
    return redirect("servicemodel:person", pk=member.pk)


@login_required
@require_POST
def from_memberships(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    result = services.staff_from_memberships(organization, by=request.user)
    messages.success(
        request,
        _("Profiles made: %(created)d. Members left without one: %(skipped)d.")
        % {"created": result.created, "skipped": result.skipped},
    )
    return redirect("servicemodel:people")


# The import


def _imports(
    request: AuthenticatedHttpRequest, organization: Organization
) -> QuerySet[StaffImport]:
    if not _can_keep(request, organization):
        raise Http404
    return StaffImport.objects.filter(organization=organization, created_by=request.user)


@login_required
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    if not _can_keep(request, organization):
        raise PermissionDenied
    form = StaffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job, _plan = services.upload_staff_list(
                organization,
                by=request.user,
                file_name=upload.name,
                data=upload.read(),
                deactivate_missing=form.cleaned_data["deactivate_missing"],
            )
        except StaffImportError as error:
            form.add_error("file", error.message)
        else:
            return redirect("servicemodel:import_preview", pk=job.pk)
    return render(request, "servicemodel/people/import.html", {"form": form})


@login_required
def import_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request)
    job = get_object_or_404(_imports(request, organization), pk=pk)
    if job.status != ImportStatus.PENDING:
        return render(request, "servicemodel/people/import_done.html", {"job": job})
    try:
        plan = services.plan_of(job, by=request.user)
    except StaffImportError as error:  # the units or rights changed since the upload
        messages.error(request, error.message)
        return redirect("servicemodel:import")
    return render(
        request,
        "servicemodel/people/import_preview.html",
        {
            "job": job,
            "plan": plan,
            "create": plan.create[:PREVIEW_ROWS],
            "update": plan.update[:PREVIEW_ROWS],
            "rejected": plan.rejected[:PREVIEW_ROWS],
            "deactivate": plan.deactivate[:PREVIEW_ROWS],
            "limit": PREVIEW_ROWS,
        },
    )


@login_required
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request)
    job = get_object_or_404(_imports(request, organization), pk=pk)
    if request.POST.get("discard"):
        report(
            request,
            lambda: services.discard_staff_import(job, by=request.user),
            _("Import discarded: nothing was changed."),
        )
        return redirect("servicemodel:people")
    try:
        report(
            request,
            lambda: services.apply_staff_import(job, by=request.user),
            _("The staff list is updated."),
        )
    except StaffImportError as error:
        messages.error(request, error.message)
    return redirect("servicemodel:import_preview", pk=job.pk)


@login_required
def import_rejected(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The rejected rows as CSV: line, column, reason, employee number, name."""
    organization = _organization(request)
    job = get_object_or_404(_imports(request, organization), pk=pk)
    if job.status == ImportStatus.PENDING:
        try:
            rows = [r.as_list() for r in services.plan_of(job, by=request.user).rejected]
        except StaffImportError:
            rows = []
    else:
        rows = [Rejected(*row).as_list() for row in job.rejected]
    header = [_("Line"), _("Column"), _("Reason"), _("employee number"), _("full name")]
    return tabular_response(f"rejected-rows-{job.pk}", header, rows, "csv")
