"""Importing responses from a file: the upload, the columns' mapping and the job's progress."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from compromiso.core.errors import DomainError
from compromiso.core.exports import tabular_response
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.surveys import imports
from compromiso.surveys.forms import (
    ImportUploadForm,
    MappingForm,
)
from compromiso.surveys.models import ImportStatus
from compromiso.surveys.views.access import managed_wave


@login_required
def import_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Upload a file of responses; its columns are mapped next."""
    item = managed_wave(request, pk)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_import(item, form.cleaned_data["file"], by=request.user)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            return redirect("surveys:import_mapping", pk=item.pk, job=job.pk)
    jobs = item.imports.all()[:20]
    return render(request, "surveys/import_upload.html", {"wave": item, "form": form, "jobs": jobs})


@login_required
def import_mapping(request: AuthenticatedHttpRequest, pk: int, job: int) -> HttpResponse:
    item = managed_wave(request, pk)
    found = get_object_or_404(item.imports, pk=job)
    if found.status != ImportStatus.UPLOADED:
        return redirect("surveys:import_job", pk=item.pk, job=found.pk)
    form = MappingForm(request.POST or None, job=found, initial=imports.guess_mapping(found))
    if request.method == "POST" and form.is_valid():
        try:
            imports.map_import(found, mapping=form.mapping(), by=request.user)
        except DomainError as error:
            add_service_error(form, error)
        else:
            return redirect("surveys:import_job", pk=item.pk, job=found.pk)
    return render(
        request, "surveys/import_mapping.html", {"wave": item, "job": found, "form": form}
    )


@login_required
def import_job(request: AuthenticatedHttpRequest, pk: int, job: int) -> HttpResponseBase:
    """The import's progress (the page refreshes itself while it runs) and its report."""
    item = managed_wave(request, pk)
    found = get_object_or_404(item.imports, pk=job)
    if request.GET.get("format") == "csv":
        return tabular_response(
            f"import-{found.pk}-rejected",
            [_("Row"), _("Reason")],
            found.rejected,
            "csv",
        )
    return render(request, "surveys/import_job.html", {"wave": item, "job": found})
