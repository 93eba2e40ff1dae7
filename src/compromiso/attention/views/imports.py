"""Imports from other systems: the list with the upload, the columns' mapping and the result
(every rejected row with its reason, also as CSV)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from compromiso.attention.forms.imports import MappingForm, UploadForm
from compromiso.attention.models import ImportJob, ImportStatus
from compromiso.attention.services import imports as service
from compromiso.attention.views.common import branches_for, manages, organization_of
from compromiso.core.errors import DomainError
from compromiso.core.exports import tabular_response
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm
from compromiso.organizations.models import Organization


def _managed(request: AuthenticatedHttpRequest) -> Organization:
    organization = organization_of(request)
    if not manages(request, organization):
        raise PermissionDenied
    return organization


def _job(request: AuthenticatedHttpRequest, organization: Organization, pk: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("branch__touch_point"), organization=organization, pk=pk
    )


@login_required
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _managed(request)
    branches = branches_for(request, organization, Perm.MANAGE_ATTENTION).select_related(
        "touch_point"
    )
    form = UploadForm(request.POST or None, request.FILES or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = service.start_import(
                organization,
                data["file"],
                kind=data["kind"],
                branch=data["branch"],
                by=request.user,
            )
        except (DomainError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = DomainError(_("You do not have permission to do this."))
            add_service_error(form, error)
        else:
            return redirect("attention:import_mapping", pk=job.pk)
    jobs = ImportJob.objects.filter(organization=organization).select_related(
        "branch__touch_point", "created_by"
    )[:50]
    return render(
        request, "attention/imports/list.html", {"tab": "imports", "form": form, "jobs": jobs}
    )


@login_required
def import_mapping(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _managed(request)
    job = _job(request, organization, pk)
    if job.status != ImportStatus.UPLOADED:
        return redirect("attention:import_job", pk=job.pk)
    form = MappingForm(
        request.POST or None, job=job, initial=service.propose(job.kind, job.headers)
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.map_import(job, mapping=form.mapping(), by=request.user)
        except (DomainError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                error = DomainError(_("You do not have permission to do this."))
            add_service_error(form, error)
        else:
            return redirect("attention:import_job", pk=job.pk)
    return render(
        request, "attention/imports/mapping.html", {"tab": "imports", "job": job, "form": form}
    )


@login_required
def import_job(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The import's state and result; `?format=csv` downloads the rejected rows."""
    organization = _managed(request)
    job = _job(request, organization, pk)
    if request.GET.get("format") == "csv":
        return tabular_response(
            f"import-{job.pk}-rejected",
            [_("Row"), _("Reason")],
            ([item.get("row", ""), item.get("reason", "")] for item in job.rejected),
            "csv",
        )
    return render(request, "attention/imports/job.html", {"tab": "imports", "job": job})
