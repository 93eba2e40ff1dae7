"""Staff pages of the quality seal: its home (frameworks installed, self-assessments,
certificates), a framework's tree with its texts to edit, a self-assessment with readiness per
criterion and per touch point and each element to rate, and the verification matrix.

Who sees them: whoever conducts or manages audits in the organisation (another member gets a
403; anyone outside it, a 404)."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.forms.seal import (
    AssessmentForm,
    ElementForm,
    InstallForm,
    MatrixForm,
    NodeForm,
    RatingForm,
    TouchPointChoiceForm,
)
from compromiso.audits.frameworks import SHIPPED
from compromiso.audits.models import (
    Certificate,
    CertificationBody,
    ElementRating,
    Framework,
    FrameworkKind,
    FrameworkNode,
    Rating,
    SelfAssessment,
)
from compromiso.audits.seal import (
    Matrix,
    certificate_matrix,
    framework_tree,
    readiness,
    verification_matrix,
)
from compromiso.audits.services.seal import can_rate
from compromiso.catalog.models import TouchPoint
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization

SEAL_PERMS = (Perm.CONDUCT_AUDITS, Perm.MANAGE_AUDITS)


def seal_organization(request: AuthenticatedHttpRequest) -> Organization:
    """The current organisation, for someone who conducts or manages its audits."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    if not any(has_perm(request.user, p, organization_id=organization.pk) for p in SEAL_PERMS):
        raise PermissionDenied
    return organization


def can_manage(request: AuthenticatedHttpRequest, organization: Organization) -> bool:
    return has_perm(request.user, Perm.MANAGE_AUDITS, organization_id=organization.pk)


def _require_manage(request: AuthenticatedHttpRequest, organization: Organization) -> None:
    if not can_manage(request, organization):
        raise PermissionDenied


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = seal_organization(request)
    frameworks = list(Framework.objects.filter(organization=organization, kind=FrameworkKind.SEAL))
    installed = {f.code for f in frameworks}
    today = organization.today()
    certificates = list(
        Certificate.objects.filter(organization=organization).select_related("body", "framework")
    )
    for certificate in certificates:
        certificate.state = certificate.public_state(today)  # type: ignore[attr-defined]
    return render(
        request,
        "audits/seal/home.html",
        {
            "frameworks": frameworks,
            "installable": [spec for code, spec in SHIPPED.items() if code not in installed],
            "assessments": SelfAssessment.objects.filter(organization=organization).select_related(
                "framework"
            ),
            "certificates": certificates,
            "bodies": CertificationBody.objects.filter(organization=organization),
            "can_manage": can_manage(request, organization),
        },
    )


@login_required
@require_POST
def framework_install(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = seal_organization(request)
    _require_manage(request, organization)
    form = InstallForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("There is no shipped framework with this code."))
        return redirect("audits:seal")
    framework = report(
        request,
        lambda: services.install_framework(
            organization, form.cleaned_data["code"], by=request.user
        ),
        _("Framework installed."),
    )
    if framework is None:
        return redirect("audits:seal")
    return redirect("audits:seal_framework", pk=framework.pk)


@login_required
def framework_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = seal_organization(request)
    framework = get_object_or_404(Framework, organization=organization, pk=pk)
    return render(
        request,
        "audits/seal/framework.html",
        {
            "framework": framework,
            "tree": framework_tree(framework.pk),
            "can_manage": can_manage(request, organization),
        },
    )


def _node(request: AuthenticatedHttpRequest, pk: int) -> tuple[Organization, FrameworkNode]:
    organization = seal_organization(request)
    node = get_object_or_404(
        FrameworkNode.objects.select_related("framework"),
        framework__organization=organization,
        pk=pk,
    )
    _require_manage(request, organization)
    return organization, node


@login_required
def node_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _organization, node = _node(request, pk)
    form = NodeForm(request.POST or None, initial={"title": node.title, "text": node.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_node(node, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("audits:seal_framework", pk=node.framework_id)
    return render(
        request,
        "audits/seal/node_form.html",
        {"form": form, "node": node, "framework": node.framework},
    )


@login_required
def element_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _organization, parent = _node(request, pk)
    if parent.assessable:
        raise Http404
    form = ElementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_element(parent, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Element added."))
            return redirect("audits:seal_framework", pk=parent.framework_id)
    return render(
        request,
        "audits/seal/element_form.html",
        {"form": form, "parent": parent, "framework": parent.framework},
    )


@login_required
def assessment_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = seal_organization(request)
    _require_manage(request, organization)
    today = organization.today()
    form = AssessmentForm(
        request.POST or None,
        organization=organization,
        initial={
            "started": today,
            "cycle_start": today.replace(year=today.year - 1),
            "cycle_end": today,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.create_self_assessment(
                organization, by=request.user, **form.cleaned_data
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Self-assessment started."))
            return redirect("audits:seal_assessment", pk=assessment.pk)
    return render(request, "audits/seal/assessment_form.html", {"form": form})


def _assessment(request: AuthenticatedHttpRequest, pk: int) -> SelfAssessment:
    organization = seal_organization(request)
    return get_object_or_404(
        SelfAssessment.objects.select_related("framework", "organization"),
        organization=organization,
        pk=pk,
    )


@login_required
def assessment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = _assessment(request, pk)
    organization = assessment.organization
    matrix = verification_matrix(
        organization, start=assessment.cycle_start, end=assessment.cycle_end
    )
    ready = readiness(assessment, matrix)
    ratings: dict[int, ElementRating] = {}
    at_points: dict[int, list[ElementRating]] = {}
    for row in (
        ElementRating.objects.filter(assessment=assessment)
        .select_related("touch_point")
        .prefetch_related("evidence__audit")
    ):
        if row.touch_point_id is None:
            ratings[row.node_id] = row
        else:
            at_points.setdefault(row.node_id, []).append(row)
    tree = [
        (node, depth, ratings.get(node.pk), at_points.get(node.pk, []))
        for node, depth in framework_tree(assessment.framework_id)
    ]
    return render(
        request,
        "audits/seal/assessment.html",
        {
            "assessment": assessment,
            "ready": ready,
            "matrix": matrix,
            "tree": tree,
            "can_rate": can_rate(request.user, organization.pk) and assessment.is_editable,
            "can_manage": can_manage(request, organization),
        },
    )


@login_required
def rate(request: AuthenticatedHttpRequest, pk: int, node: int) -> HttpResponse:
    """Rate one element (for the whole organisation, or at the touch point in `?at=`)."""
    assessment = _assessment(request, pk)
    organization = assessment.organization
    element = get_object_or_404(
        FrameworkNode, framework_id=assessment.framework_id, pk=node, assessable=True
    )
    if not can_rate(request.user, organization.pk):
        raise PermissionDenied
    if not assessment.is_editable:
        messages.error(
            request, _("A submitted self-assessment cannot be changed; reopen it first.")
        )
        return redirect("audits:seal_assessment", pk=assessment.pk)
    where = TouchPointChoiceForm(request.GET or None, organization=organization)
    if request.GET.get("touch_point") and not where.is_valid():
        raise Http404  # no active touch point of this organisation: never the whole one instead
    at: TouchPoint | None = where.cleaned_data["touch_point"] if where.is_valid() else None
    current = ElementRating.objects.filter(
        assessment=assessment, node=element, touch_point=at
    ).first()
    initial: dict[str, Any] = {"rating": Rating.NOT_RATED}
    if current is not None:
        initial = {
            "rating": current.rating,
            "note": current.note,
            "evidence": list(current.evidence.all()),
        }
    form = RatingForm(request.POST or None, organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rate_element(
                assessment, element, by=request.user, touch_point=at, **form.cleaned_data
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Rating saved."))
            following = _next_element(assessment.framework_id, element)
            if "next" in request.POST and following is not None and at is None:
                return redirect("audits:seal_rate", pk=assessment.pk, node=following.pk)
            return redirect("audits:seal_assessment", pk=assessment.pk)
    return render(
        request,
        "audits/seal/rate.html",
        {
            "assessment": assessment,
            "element": element,
            "form": form,
            "where": where,
            "at": at,
            "has_next": _next_element(assessment.framework_id, element) is not None,
        },
    )


def _next_element(framework_id: int, element: FrameworkNode) -> FrameworkNode | None:
    return (
        FrameworkNode.objects.filter(
            framework_id=framework_id, assessable=True, order__gt=element.order
        )
        .order_by("order", "pk")
        .first()
    )


def _assessment_step(request: AuthenticatedHttpRequest, pk: int, step: Any, done: str) -> Any:
    assessment = _assessment(request, pk)
    _require_manage(request, assessment.organization)
    report(request, lambda: step(assessment, by=request.user), done)
    return redirect("audits:seal_assessment", pk=assessment.pk)


@login_required
@require_POST
def assessment_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    result: HttpResponse = _assessment_step(
        request, pk, services.submit_self_assessment, _("Self-assessment submitted.")
    )
    return result


@login_required
@require_POST
def assessment_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    result: HttpResponse = _assessment_step(
        request, pk, services.reopen_self_assessment, _("Self-assessment reopened.")
    )
    return result


@login_required
def matrix(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every commitment in force × every touch point where it applies, in a window."""
    organization = seal_organization(request)
    form = MatrixForm(request.GET or None, organization=organization)
    start, end = form.window()
    certificate = form.cleaned_data.get("certificate") if form.is_valid() else None
    if certificate is not None:
        table = certificate_matrix(certificate, start=start, end=end)
    else:
        table = verification_matrix(organization, start=start, end=end)
    return render(
        request,
        "audits/seal/matrix.html",
        {"form": form, "certificate": certificate, **matrix_context(table)},
    )


AUDIT_PAGE_NAMES = ("audits:audit", "audits:audit_detail", "audits:detail")
"""The names the audit's own page may have; a cell links to the first that exists."""


def _audit_page(audit_id: int) -> str:
    for name in AUDIT_PAGE_NAMES:
        try:
            return reverse(name, kwargs={"pk": audit_id})
        except NoReverseMatch:
            continue
    return ""


def matrix_context(table: Matrix) -> dict[str, Any]:
    """The matrix as the template reads it: each row with its cells beside their columns, and
    each verified or non-conforming cell with the page of the audit it comes from."""
    pages: dict[int, str] = {}
    rows = []
    for row in table.rows:
        cells = []
        for column, cell in zip(table.columns, row.cells, strict=True):
            page = ""
            if cell is not None and cell.audit_id is not None:
                if cell.audit_id not in pages:
                    pages[cell.audit_id] = _audit_page(cell.audit_id)
                page = pages[cell.audit_id]
            day = dt.date.fromisoformat(cell.on) if cell is not None and cell.on else None
            cells.append((column, cell, page, day))
        rows.append((row, cells))
    return {
        "matrix": table,
        "matrix_rows": rows,
        "matrix_start": dt.date.fromisoformat(table.start) if table.start else None,
        "matrix_end": dt.date.fromisoformat(table.end) if table.end else None,
    }
