"""Front-office agreements, kept by the front office: which institutions' procedures its branches
and phone line serve, with which target, from when to when."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compromiso.attention.forms.agreements import (
    AgreementForm,
    InstitutionChoiceForm,
    institutions_for,
)
from compromiso.attention.models import FrontOfficeAgreement
from compromiso.attention.services import directory as services
from compromiso.attention.views.common import organization_of
from compromiso.attention.views.procedures import manages_directory
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id

REFUSALS = (ValidationError, DomainError)


@login_required
def agreements(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agreements under which this organisation serves other institutions."""
    organization = organization_of(request)
    today = organization.today()
    rows = (
        FrontOfficeAgreement.objects.filter(front_office=organization)
        .select_related("institution")
        .prefetch_related("procedures")
    )
    in_force = set(
        FrontOfficeAgreement.objects.in_force(today)
        .filter(front_office=organization)
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "attention/agreements/list.html",
        {
            "tab": "procedures",
            "agreements": rows,
            "in_force": in_force,
            "can_manage": manages_directory(request, organization),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """First the institution (a short form that reloads the page), then the agreement."""
    organization = organization_of(request)
    if not manages_directory(request, organization):
        raise PermissionDenied
    chooser = InstitutionChoiceForm(
        request.GET if "institution" in request.GET else None, front_office=organization
    )
    institution_id = parse_id(request.GET.get("institution", ""))
    institution = (
        institutions_for(organization).filter(pk=institution_id).first() if institution_id else None
    )
    form = None
    if institution is not None:
        form = AgreementForm(
            request.POST or None,
            institution=institution,
            initial={"valid_from": organization.today()},
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            procedures = data.pop("procedures")
            valid_from = data.pop("valid_from")
            try:
                services.create_agreement(
                    front_office=organization,
                    institution=institution,
                    valid_from=valid_from,
                    procedures=procedures,
                    by=request.user,
                    **data,
                )
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Agreement saved."))
                return redirect("attention:agreements")
    elif request.method == "POST":
        chooser.is_valid()
    return render(
        request,
        "attention/agreements/form.html",
        {
            "tab": "procedures",
            "chooser": chooser,
            "institution": institution,
            "form": form,
            "agreement": None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = organization_of(request)
    agreement = get_object_or_404(
        FrontOfficeAgreement.objects.select_related("institution", "front_office"),
        pk=pk,
        front_office=organization,
    )
    if not manages_directory(request, organization):
        raise PermissionDenied
    initial = {
        **{name: getattr(agreement, name) for name in services.AGREEMENT_FIELDS},
        "procedures": list(agreement.procedures.values_list("pk", flat=True)),
    }
    form = AgreementForm(
        request.POST or None,
        institution=agreement.institution,
        agreement=agreement,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        procedures = data.pop("procedures")
        try:
            services.update_agreement(agreement, procedures=procedures, by=request.user, **data)
        except REFUSALS as error:
            agreement.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Agreement saved."))
            return redirect("attention:agreements")
    return render(
        request,
        "attention/agreements/form.html",
        {
            "tab": "procedures",
            "chooser": None,
            "institution": agreement.institution,
            "form": form,
            "agreement": agreement,
        },
    )
