"""The train-the-trainers cascade of a programme: the tree (whole, or one unit's subtree), per
unit the trainers certified and the middle managers among them, certifying a trainer and
revoking a certification (`EDIT_CHARTERS` in the trainee's unit: quality managers, and unit
heads in their subtree); every member reads within their organisation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import scope_for
from compromiso.organizations.models import Unit
from compromiso.servicemodel import services
from compromiso.servicemodel.forms.training import CascadeUnitForm, CertifyForm, RevokeForm
from compromiso.servicemodel.models import TrainerCertification, TrainingProgramme
from compromiso.servicemodel.training_coverage import CascadeNode, cascade, cascade_by_unit
from compromiso.servicemodel.views.training import (
    EDIT,
    _can_in_unit,
    _organization,
    _programme,
    _staff,
    _trainers,
)


def _certify_form(
    request: AuthenticatedHttpRequest, prog: TrainingProgramme, data: object = None
) -> CertifyForm:
    trainees = (
        _staff(request, prog.organization)
        .filter(competences__programme=prog)
        .exclude(trainer_certifications__programme=prog, trainer_certifications__revoked_on=None)
        .distinct()
    )
    return CertifyForm(
        data,
        trainees=trainees,
        certifiers=_trainers(prog),
        initial={"certified_on": prog.organization.today()},
    )


def _revocable(request: AuthenticatedHttpRequest, roots: list[CascadeNode]) -> set[int]:
    """Active certifications in the tree the user may revoke."""
    allowed: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        certification = node.certification
        if certification.revoked_on is None and _can_in_unit(
            request, certification.staff_member.unit
        ):
            allowed.add(certification.pk)
    return allowed


@login_required
def cascade_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    prog = _programme(request, pk)
    can_certify = scope_for(request.user, EDIT).touches(prog.organization_id)
    form = _certify_form(request, prog, request.POST or None) if can_certify else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.certify_trainer(
                    prog,
                    data["staff_member"],
                    by=request.user,
                    certified_on=data["certified_on"],
                    certifier=data["certifier"],
                    external_body=data["external_body"],
                )
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Trainer certified."))
                return redirect("servicemodel:training_cascade", pk=prog.pk)
    units = (
        Unit.objects.visible_to(request.user)
        .filter(organization_id=prog.organization_id, is_active=True)
        .order_by("path")
    )
    unit_form = CascadeUnitForm(request.GET or None, units=units)
    focus = unit_form.cleaned_data["unit"] if unit_form.is_valid() else None
    shown = [u for u in units if focus is None or u.path.startswith(focus.path)]
    today = prog.organization.today()
    roots = cascade(prog, unit=focus)
    return render(
        request,
        "servicemodel/training/cascade.html",
        {
            "programme": prog,
            "roots": roots,
            "levels": max((r.levels for r in roots), default=0),
            "reach": sum(1 + r.reach for r in roots),
            "form": form,
            "unit_form": unit_form,
            "focus": focus,
            "unit_rows": cascade_by_unit(prog, today, shown),
            "revocable": _revocable(request, roots),
            "revoke_form": RevokeForm(),
            "today": today,
        },
    )


@login_required
@require_POST
def certification_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _organization(request)
    certification = get_object_or_404(
        TrainerCertification.objects.select_related("staff_member__unit"),
        organization=organization,
        pk=pk,
    )
    if not _can_in_unit(request, certification.staff_member.unit):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if form.is_valid():
        report(
            request,
            lambda: services.revoke_certification(
                certification,
                by=request.user,
                on=organization.today(),
                reason=form.cleaned_data["reason"],
            ),
            _("Certification revoked."),
        )
    else:
        report_form_errors(request, form)
    return redirect("servicemodel:training_cascade", pk=certification.programme_id)
