"""Staff pages for charters: the commitments dashboard (worst first), each charter version with
its sections, commitments, completeness and lifecycle, version comparison, and each
commitment's measurements with manual entry and approval."""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.cases.models import Redress
from compromiso.catalog.models import Service
from compromiso.charters import completeness, periods, services
from compromiso.charters.forms import (
    ApproveForm,
    CharterForm,
    CommentForm,
    CommitmentForm,
    DashboardFilterForm,
    ManualMeasurementForm,
    SectionsForm,
)
from compromiso.charters.models import (
    MEASURED_STATUSES,
    Charter,
    CharterStatus,
    Commitment,
    Compliance,
    IndicatorSource,
    Measurement,
    SectionKind,
)
from compromiso.core.dbrouter import use_replica
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report
from compromiso.core.permissions import Perm, has_perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization, Unit

COMPLIANCE_ORDER: dict[str, int] = {
    Compliance.NOT_MET: 0,
    Compliance.PENDING: 1,
    Compliance.NO_DATA: 2,
    Compliance.MET: 3,
}


def _charters(request: AuthenticatedHttpRequest) -> QuerySet[Charter]:
    organization = require_organization(request)
    return Charter.objects.visible_to(request.user).filter(organization=organization)


def _can(request: AuthenticatedHttpRequest, charter: Charter, perm: Perm) -> bool:
    return has_perm(
        request.user,
        perm,
        organization_id=charter.organization_id,
        unit_path=charter.unit.path if charter.unit is not None else None,
    )


def latest_results(commitments: Iterable[Commitment]) -> dict[int, Measurement]:
    """Each commitment's most recent measurement (one query)."""
    latest: dict[int, Measurement] = {}
    rows = Measurement.objects.filter(commitment__in=commitments).order_by(
        "commitment_id", "-period_start"
    )
    for row in rows:
        latest.setdefault(row.commitment_id, row)
    return latest


@login_required
@use_replica
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every commitment of the published charters with its latest compliance, worst first."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.VIEW).touches(organization.pk):
        raise Http404
    charters = _charters(request).select_related("unit").order_by("title", "-version")
    units = Unit.objects.visible_to(request.user).filter(organization=organization).order_by("path")
    form = DashboardFilterForm(
        request.GET or None,
        units=units,
        services=Service.objects.filter(organization=organization).order_by("code"),
    )
    commitments = Commitment.objects.filter(
        charter__in=charters.filter(status=CharterStatus.PUBLISHED)
    ).select_related("charter", "service__provider_unit", "channel")
    if form.is_valid():
        if form.cleaned_data["unit"] is not None:
            unit = form.cleaned_data["unit"]
            commitments = commitments.filter(service__provider_unit__path__startswith=unit.path)
        if form.cleaned_data["service"] is not None:
            commitments = commitments.filter(service=form.cleaned_data["service"])
    rows = list(commitments)
    latest = latest_results(rows)

    def severity(commitment: Commitment) -> tuple[int, Any]:
        result = latest.get(commitment.pk)
        if result is None:
            return (COMPLIANCE_ORDER[Compliance.NO_DATA], 0)
        achievement = result.achievement
        return (COMPLIANCE_ORDER[result.compliance], achievement if achievement is not None else 0)

    rows.sort(key=severity)
    counts = dict.fromkeys(Compliance.values, 0)
    for commitment in rows:
        result = latest.get(commitment.pk)
        counts[result.compliance if result else Compliance.NO_DATA] += 1
    return render(
        request,
        "charters/dashboard.html",
        {
            "charters": charters,
            "rows": [(c, latest.get(c.pk)) for c in rows],
            "counts": counts,
            "form": form,
            "can_create": scope_for(request.user, Perm.EDIT_CHARTERS).touches(organization.pk),
        },
    )


def _editable_units(
    request: AuthenticatedHttpRequest, organization: Organization
) -> QuerySet[Unit]:
    return (
        Unit.objects.visible_to(request.user, Perm.EDIT_CHARTERS)
        .filter(organization=organization, is_active=True)
        .order_by("path")
    )


@login_required
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = require_organization(request)
    if not scope_for(request.user, Perm.EDIT_CHARTERS).touches(organization.pk):
        raise PermissionDenied
    today = timezone.localdate()
    form = CharterForm(
        request.POST or None,
        organization=organization,
        units=_editable_units(request, organization),
        initial={
            "profile": organization.jurisdiction,
            "language": organization.language,
            "valid_from": today,
            "valid_to": periods.add_years(today, 2),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            charter = services.create_charter(organization, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Charter created as a draft."))
            return redirect("charters:detail", pk=charter.pk)
    return render(request, "charters/form.html", {"form": form, "charter": None})


@login_required
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    charter = get_object_or_404(_charters(request).select_related("unit"), pk=pk)
    if not _can(request, charter, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    organization = charter.organization
    form = CharterForm(
        request.POST or None,
        organization=organization,
        units=_editable_units(request, organization),
        initial={
            "title": charter.title,
            "unit": charter.unit_id,
            "profile": charter.profile,
            "language": charter.language,
            "valid_from": charter.valid_from,
            "valid_to": charter.valid_to,
            "services": list(charter.services.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("services")
        try:
            services.update_charter(charter, by=request.user, services=chosen, **data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Charter saved."))
            return redirect("charters:detail", pk=charter.pk)
    return render(request, "charters/form.html", {"form": form, "charter": charter})


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    charter = get_object_or_404(
        _charters(request).select_related("unit", "approved_by", "published_by"), pk=pk
    )
    commitments = list(charter.commitments.select_related("service", "channel", "touch_point"))
    latest = latest_results(commitments)
    sections = {s.kind: s.body for s in charter.sections.all()}
    required = completeness.required_sections(charter.profile)
    versions = Charter.objects.filter(lineage=charter.lineage).order_by("-version")
    can_edit = _can(request, charter, Perm.EDIT_CHARTERS)
    can_approve = _can(request, charter, Perm.APPROVE_CHARTERS)
    return render(
        request,
        "charters/detail.html",
        {
            "charter": charter,
            "sections": [
                (kind, sections.get(kind.value, ""), kind in required) for kind in SectionKind
            ],
            "commitments": [(c, latest.get(c.pk)) for c in commitments],
            "missing": services.missing_for_publication(charter),
            "versions": versions,
            "can_edit": can_edit and charter.is_editable,
            "can_submit": can_edit and charter.status == CharterStatus.DRAFT,
            "can_review": can_approve and charter.status == CharterStatus.IN_REVIEW,
            "can_publish": can_approve and charter.status == CharterStatus.APPROVED,
            "can_return": can_approve
            and charter.status in (CharterStatus.IN_REVIEW, CharterStatus.APPROVED),
            "can_renew": can_edit and not charter.is_editable,
            "can_compute": can_edit and charter.status in MEASURED_STATUSES,
            "approve_form": ApproveForm(),
            "comment_form": CommentForm(),
            "review_due": services.review_due(charter),
        },
    )


@login_required
def sections(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    charter = get_object_or_404(_charters(request), pk=pk)
    if not _can(request, charter, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    if not charter.is_editable:
        messages.error(request, _("A published or approved version cannot be edited."))
        return redirect("charters:detail", pk=charter.pk)
    bodies = {s.kind: s.body for s in charter.sections.all()}
    form = SectionsForm(
        request.POST or None,
        bodies=bodies,
        required=completeness.required_sections(charter.profile),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_sections(charter, form.cleaned_data, by=request.user)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Sections saved."))
            return redirect("charters:detail", pk=charter.pk)
    return render(request, "charters/sections.html", {"form": form, "charter": charter})


FORM_FIELDS = services.COMMITMENT_FIELDS


@login_required
def commitment_form(
    request: AuthenticatedHttpRequest, pk: int, commitment_pk: int | None = None
) -> HttpResponse:
    charter = get_object_or_404(_charters(request), pk=pk)
    if not _can(request, charter, Perm.EDIT_CHARTERS):
        raise PermissionDenied
    if not charter.is_editable:
        messages.error(request, _("A published or approved version cannot be edited."))
        return redirect("charters:detail", pk=charter.pk)
    commitment = None
    initial: dict[str, Any] = {}
    if commitment_pk is not None:
        commitment = get_object_or_404(charter.commitments, pk=commitment_pk)
        initial = {
            name: getattr(
                commitment,
                f"{name}_id" if name in ("service", "channel", "touch_point", "protocol") else name,
            )
            for name in FORM_FIELDS
            if name != "order"
        }
    form = CommitmentForm(request.POST or None, charter=charter, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["threshold_days"] = data["threshold_days"] or None
        try:
            services.save_commitment(charter, by=request.user, commitment=commitment, **data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Commitment saved."))
            return redirect("charters:detail", pk=charter.pk)
    return render(
        request,
        "charters/commitment_form.html",
        {"form": form, "charter": charter, "commitment": commitment},
    )


@login_required
@require_POST
def commitment_remove(
    request: AuthenticatedHttpRequest, pk: int, commitment_pk: int
) -> HttpResponse:
    charter = get_object_or_404(_charters(request), pk=pk)
    commitment = get_object_or_404(charter.commitments, pk=commitment_pk)
    report(
        request,
        lambda: services.remove_commitment(commitment, by=request.user),
        _("Commitment removed."),
    )
    return redirect("charters:detail", pk=charter.pk)


@login_required
@require_POST
def move(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    charter = get_object_or_404(_charters(request).select_related("unit"), pk=pk)
    user = request.user
    if step == "submit":
        report(request, lambda: services.submit_for_review(charter, by=user), _("Sent for review."))
    elif step == "approve":
        form = ApproveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the act or resolution that approves it."))
        else:
            reference = form.cleaned_data["reference"]
            report(
                request,
                lambda: services.approve_charter(charter, by=user, reference=reference),
                _("Charter approved."),
            )
    elif step == "return":
        comment_form = CommentForm(request.POST)
        comment = comment_form.cleaned_data["comment"] if comment_form.is_valid() else ""
        report(
            request,
            lambda: services.return_to_draft(charter, by=user, comment=comment),
            _("Charter sent back to draft."),
        )
    elif step == "publish":
        report(request, lambda: services.publish_charter(charter, by=user), _("Charter published."))
    elif step == "renew":
        draft = report(
            request,
            lambda: services.renew_charter(charter, by=user),
            _("A new draft version was made from this one."),
        )
        if draft is not None:
            return redirect("charters:detail", pk=draft.pk)
    elif step == "compute":
        if not _can(request, charter, Perm.EDIT_CHARTERS):
            raise PermissionDenied
        report(
            request,
            lambda: services.compute_measurements(charter.organization, charter=charter),
            _("Indicators computed for every closed period."),
        )
    else:
        raise Http404
    return redirect("charters:detail", pk=charter.pk)


@login_required
def compare(request: AuthenticatedHttpRequest, pk: int, other: int) -> HttpResponse:
    charter = get_object_or_404(_charters(request), pk=pk)
    other_version = get_object_or_404(_charters(request).filter(lineage=charter.lineage), pk=other)
    old, new_version = sorted([charter, other_version], key=lambda c: c.version)
    return render(
        request,
        "charters/compare.html",
        {"old": old, "new": new_version, "diff": services.compare(old, new_version)},
    )


@login_required
def commitment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A commitment's measurements across every version of its charter; manual entry."""
    organization = require_organization(request)
    item = get_object_or_404(
        Commitment.objects.visible_to(request.user)
        .filter(charter__organization=organization)
        .select_related("charter__unit", "service", "channel", "touch_point"),
        pk=pk,
    )
    charter = item.charter
    results = (
        Measurement.objects.filter(commitment__lineage=item.lineage)
        .select_related("commitment", "entered_by", "approved_by")
        .order_by("-period_start")
    )
    can_edit = _can(request, charter, Perm.EDIT_CHARTERS)
    form = ManualMeasurementForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.record_manual_measurement(item, by=request.user, **form.cleaned_data)
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Result recorded; it counts once approved."))
                return redirect("charters:commitment", pk=item.pk)
    return render(
        request,
        "charters/commitment.html",
        {
            "commitment": item,
            "charter": charter,
            "results": results,
            "form": form if can_edit and item.source == IndicatorSource.MANUAL else None,
            "can_approve": _can(request, charter, Perm.APPROVE_CHARTERS),
            "redress": Redress.objects.filter(commitment__lineage=item.lineage).aggregate(
                count=Count("pk"), amount=Sum("amount")
            ),
            "can_propose_action": scope_for(request.user, Perm.MANAGE_IMPROVEMENT).touches(
                organization.pk
            ),
        },
    )


@login_required
@require_POST
def approve_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = require_organization(request)
    result = get_object_or_404(
        Measurement.objects.filter(
            commitment__in=Commitment.objects.visible_to(request.user).filter(
                charter__organization=organization
            )
        ).select_related("commitment__charter__unit"),
        pk=pk,
    )
    report(
        request,
        lambda: services.approve_measurement(result, by=request.user),
        _("Result approved."),
    )
    return redirect("charters:commitment", pk=result.commitment_id)
