"""Staff pages of the quality bonus: the schemes, each with its target path, the responses a
wave needs to detect each target, and its immutable yearly results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.surveys.forms import ResultForm, SchemeForm
from compromiso.surveys.models import IncentiveScheme
from compromiso.surveys.services import incentives


def _can_manage(request: AuthenticatedHttpRequest, organization_id: int) -> bool:
    return scope_for(request.user, Perm.MANAGE_SURVEYS).covers_organization(organization_id)


@login_required
def schemes(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = require_organization(request)
    if not _can_manage(request, organization.pk):
        raise PermissionDenied
    return render(
        request,
        "surveys/bonus_list.html",
        {"schemes": IncentiveScheme.objects.filter(organization=organization)},
    )


@login_required
def new_scheme(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = require_organization(request)
    if not _can_manage(request, organization.pk):
        raise PermissionDenied
    form = SchemeForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = incentives.create_scheme(organization, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Incentive scheme created."))
            return redirect("surveys:bonus_scheme", pk=scheme.pk)
    return render(request, "surveys/bonus_form.html", {"form": form})


def _scheme(request: AuthenticatedHttpRequest, pk: int) -> IncentiveScheme:
    organization = require_organization(request)
    if not _can_manage(request, organization.pk):
        raise Http404
    found: IncentiveScheme = get_object_or_404(
        IncentiveScheme.objects.filter(organization=organization).select_related(
            "baseline_wave__questionnaire", "scope_unit"
        ),
        pk=pk,
    )
    return found


@login_required
def scheme(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _scheme(request, pk)
    years = incentives.years_open(item)
    return render(
        request,
        "surveys/bonus_scheme.html",
        {
            "scheme": item,
            "power": incentives.power_table(item),
            "results": item.results.select_related("wave", "recorded_by"),
            "form": ResultForm(scheme=item, years=years) if years else None,
        },
    )


@login_required
@require_POST
def record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = _scheme(request, pk)
    form = ResultForm(request.POST, scheme=item, years=incentives.years_open(item))
    if form.is_valid():
        data = form.cleaned_data
        report(
            request,
            lambda: incentives.record_result(item, by=request.user, **data),
            _("Result recorded."),
        )
    else:
        messages.error(request, _("Choose the year and the wave."))
    return redirect("surveys:bonus_scheme", pk=item.pk)
