"""Staff pages of the service model: the version in force with its acknowledgement and the
coverage per unit, each version, the draft's form, and the lifecycle steps (POST)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel import services
from compromiso.servicemodel.coverage import coverage
from compromiso.servicemodel.forms.model import ApproveForm, ServiceModelForm
from compromiso.servicemodel.models import Acknowledgement, ModelStatus, ServiceModel
from compromiso.servicemodel.versions import compare_models, comparison_links


def _organization(request: AuthenticatedHttpRequest) -> Organization:
    """The current organisation, for a member of it (anyone else gets a 404)."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    return organization


def _models(request: AuthenticatedHttpRequest) -> QuerySet[ServiceModel]:
    return ServiceModel.objects.filter(organization=_organization(request))


def _can(request: AuthenticatedHttpRequest, organization_id: int, perm: Perm) -> bool:
    return has_perm(request.user, perm, organization_id=organization_id)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The model in force, whether I have read it, every version, and the coverage per unit."""
    organization = _organization(request)
    model = services.in_force(organization)
    versions = ServiceModel.objects.filter(organization=organization).order_by("-version")
    mine = None
    if model is not None:
        mine = Acknowledgement.objects.filter(service_model=model, user=request.user).first()
    managed = scope_for(request.user, Perm.EDIT_CHARTERS)
    rows = []
    if managed.touches(organization.pk):
        units = (
            Unit.objects.visible_to(request.user, Perm.EDIT_CHARTERS)
            .filter(organization=organization, is_active=True)
            .order_by("path")
        )
        rows = coverage(
            organization, model, units, whole=managed.covers_organization(organization.pk)
        )
    return render(
        request,
        "servicemodel/home.html",
        {
            "model": model,
            "axes": model.axes.all() if model else [],
            "promises": model.promises.all() if model else [],
            "versions": versions,
            "mine": mine,
            "coverage": rows,
            "can_create": _can(request, organization.pk, Perm.EDIT_CHARTERS)
            and not versions.exists(),
        },
    )


@login_required
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    if not _can(request, organization.pk, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    form = ServiceModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            model = services.create_service_model(
                organization, by=request.user, **form.cleaned_data
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Service model created as a draft."))
            return redirect("servicemodel:detail", pk=model.pk)
    return render(request, "servicemodel/form.html", {"form": form, "model": None})


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(_models(request).select_related("approved_by", "published_by"), pk=pk)
    can_edit = _can(request, model.organization_id, Perm.EDIT_CHARTERS)
    can_approve = _can(request, model.organization_id, Perm.APPROVE_CHARTERS)
    newest = ServiceModel.objects.filter(lineage=model.lineage).order_by("-version").first()
    return render(
        request,
        "servicemodel/detail.html",
        {
            "model": model,
            "axes": model.axes.all(),
            "promises": model.promises.all(),
            "versions": ServiceModel.objects.filter(lineage=model.lineage).order_by("-version"),
            "missing": services.missing_for_approval(model) if model.is_editable else [],
            "can_edit": can_edit and model.is_editable,
            "can_approve": can_approve and model.status == ModelStatus.DRAFT,
            "can_publish": can_approve and model.status == ModelStatus.APPROVED,
            "can_renew": can_edit
            and model.status == ModelStatus.PUBLISHED
            and newest is not None
            and newest.pk == model.pk,
            "approve_form": ApproveForm(),
            "compare": comparison_links(model),
        },
    )


@login_required
@require_GET
def compare(request: AuthenticatedHttpRequest, pk: int, other: int) -> HttpResponse:
    """Two versions of the same model side by side: what was added, removed and changed."""
    model = get_object_or_404(_models(request), pk=pk)
    other_version = get_object_or_404(_models(request).filter(lineage=model.lineage), pk=other)
    old, new_version = sorted([model, other_version], key=lambda m: m.version)
    return render(
        request,
        "servicemodel/compare.html",
        {"old": old, "new": new_version, "diff": compare_models(old, new_version)},
    )


@login_required
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(_models(request), pk=pk)
    if not _can(request, model.organization_id, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    if not model.is_editable:
        messages.error(
            request, _("Only a draft can be edited: make a new version of the published model.")
        )
        return redirect("servicemodel:detail", pk=model.pk)
    form = ServiceModelForm(request.POST or None, initial=ServiceModelForm.initial_from(model))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_service_model(model, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Service model saved."))
            return redirect("servicemodel:detail", pk=model.pk)
    return render(request, "servicemodel/form.html", {"form": form, "model": model})


@login_required
@require_POST
def move(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    model = get_object_or_404(_models(request), pk=pk)
    user = request.user
    if step == "approve":
        form = ApproveForm(request.POST)
        if not form.is_valid():
            report_form_errors(request, form)
            return redirect("servicemodel:detail", pk=model.pk)
        reference = form.cleaned_data["reference"]
        report(
            request,
            lambda: services.approve_service_model(model, by=user, reference=reference),
            _("Service model approved."),
        )
    elif step == "publish":
        report(
            request,
            lambda: services.publish_service_model(model, by=user),
            _("Service model published: it is now in force."),
        )
    elif step == "renew":
        draft = report(
            request,
            lambda: services.new_service_model_version(model, by=user),
            _("New draft version made from the published model."),
        )
        if draft is not None:
            return redirect("servicemodel:detail", pk=draft.pk)
    else:
        raise Http404
    return redirect("servicemodel:detail", pk=model.pk)


@login_required
@require_POST
def acknowledge(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = _organization(request)
    model = services.in_force(organization)
    if model is None:
        raise Http404
    report(
        request,
        lambda: services.acknowledge_service_model(model, by=request.user),
        _("Thank you: your reading of the service model is recorded."),
    )
    return redirect("servicemodel:home")
