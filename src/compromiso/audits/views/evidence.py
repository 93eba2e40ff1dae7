"""Staff pages of an audit's evidence: the list with its filters and the one-click snapshot
buttons, the checklist items with theirs, a piece of evidence (each snapshot kind as a readable
table, its date, who took it and whether its fingerprint still holds), recording a file, an
observation or an interview, the review, and the download of a file (permission-checked).

Who sees the evidence: whoever conducts the audit and the audited side (who answers its
findings); other members of the organisation get a 403, other organisations a 404."""

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services, snapshots
from compromiso.audits.access import audit_for, can
from compromiso.audits.forms.evidence import (
    ChooseSnapshotForm,
    EvidenceFilterForm,
    EvidenceForm,
    ReviewForm,
    SnapshotForm,
)
from compromiso.audits.models import (
    Audit,
    AuditFile,
    Evidence,
    EvidenceKind,
    ReviewStatus,
    SamplingMethod,
    SnapshotKind,
)
from compromiso.audits.services.evidence import can_review, log_download
from compromiso.cases.models import CaseKind, Status
from compromiso.charters.models import Comparator, Compliance, IndicatorSource, Periodicity
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.ids import parse_id

PAGE_SIZE = 50
ONE_CLICK_LIMIT = 40
NOTE_KINDS = {
    kind.value: kind
    for kind in (EvidenceKind.FILE, EvidenceKind.OBSERVATION, EvidenceKind.INTERVIEW)
}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def audit_for_reading(request: AuthenticatedHttpRequest, pk: int) -> Audit:
    """The audit, for someone who conducts it or answers it (404 if invisible, 403 else)."""
    audit = audit_for(request, pk, "view")
    if not (can(request.user, audit, "conduct") or can(request.user, audit, "answer")):
        raise PermissionDenied
    return audit


def _conducts(request: AuthenticatedHttpRequest, audit: Audit) -> bool:
    return audit.is_open and can(request.user, audit, "conduct")


def one_click(audit: Audit) -> dict[str, Any]:
    """What the one-click buttons offer, with sensible defaults for the audit period."""
    return {
        "commitments": list(
            snapshots.commitments_in_scope(audit).select_related("charter")[:ONE_CLICK_LIMIT]
        ),
        "touch_points": list(
            snapshots.touch_points_in_scope(audit).select_related("unit")[:ONE_CLICK_LIMIT]
        ),
        "samples": list(snapshots.case_samples(audit)[:ONE_CLICK_LIMIT]),
        "wave": snapshots.default_wave(audit),
        "kinds": SnapshotKind,
    }


@login_required
def evidence_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for_reading(request, pk)
    today = audit.organization.today()
    filters = EvidenceFilterForm(audit, request.GET or None)
    rows = audit.evidence.select_related("touch_point", "taken_by").order_by("-taken_at", "-pk")
    if filters.is_valid():
        data = filters.cleaned_data
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["status"] == "expired":
            rows = rows.filter(expires_on__lt=today)
        elif data["status"]:
            rows = rows.filter(review_status=data["status"])
        if data["touch_point"] is not None:
            rows = rows.filter(touch_point=data["touch_point"])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for evidence in page:
        evidence.expired = services.is_expired(evidence, today)  # type: ignore[attr-defined]
    conducts = _conducts(request, audit)
    context: dict[str, Any] = {
        "audit": audit,
        "page": page,
        "filters": filters,
        "conducts": conducts,
        "query": request.GET.copy(),
    }
    if conducts:
        context["one_click"] = one_click(audit)
        context["choosers"] = [ChooseSnapshotForm(audit, kind) for kind in SnapshotKind.values]
    return render(request, "audits/evidence/list.html", context)


@login_required
def evidence_checklist(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The checklist items that name a commitment or a touch point, each with its buttons."""
    audit = audit_for(request, pk, "conduct")
    items = (
        audit.checklist.filter(Q(commitment__isnull=False) | Q(touch_point__isnull=False))
        .select_related("commitment", "touch_point")
        .annotate(evidence_count=Count("evidence"))
        .order_by("order", "pk")
    )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/evidence/checklist.html",
        {
            "audit": audit,
            "page": page,
            "conducts": _conducts(request, audit),
            "survey_wave": snapshots.default_wave(audit),
        },
    )


@login_required
@require_POST
def evidence_snapshot(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One click: take the snapshot the button names, for the audit period."""
    audit = audit_for(request, pk, "conduct")
    form = SnapshotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown kind of snapshot."))
        return redirect("audits:evidence", pk=audit.pk)
    back = form.cleaned_data.get("back") or "detail"
    evidence = report(
        request,
        lambda: services.take_snapshot(
            audit,
            form.cleaned_data["snapshot_kind"],
            by=request.user,
            checklist_item=form.cleaned_data.get("checklist_item") or None,
            **form.params(),
        ),
        _("Snapshot taken: the figures are frozen as they are now."),
    )
    if back == "checklist":
        return redirect("audits:evidence_checklist", pk=audit.pk)
    if evidence is None or back == "list":
        return redirect("audits:evidence", pk=audit.pk)
    return redirect("audits:evidence_detail", pk=audit.pk, evidence_pk=evidence.pk)


def _evidence_form(
    request: AuthenticatedHttpRequest, audit: Audit, kind: str, evidence: Evidence | None
) -> HttpResponse:
    initial: dict[str, Any] = {}
    if evidence is not None:
        initial = {
            "title": evidence.title,
            "description": evidence.description,
            "touch_point": evidence.touch_point_id,
            "commitment": evidence.commitment_id,
            "checklist_item": evidence.checklist_item_id,
            "expires_on": evidence.expires_on,
        }
    else:
        item = parse_id(request.GET.get("item"))
        if item is not None and audit.checklist.filter(pk=item).exists():
            initial["checklist_item"] = item
    form = EvidenceForm(audit, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["uploads"]
        expires_on = form.cleaned_data["expires_on"]
        try:
            if evidence is None:
                evidence = services.record_evidence(
                    audit,
                    kind,
                    by=request.user,
                    uploads=uploads,
                    expires_on=expires_on,
                    **form.service_fields(),
                )
                messages.success(request, _("Evidence recorded as a draft."))
            else:
                services.update_evidence(
                    evidence,
                    by=request.user,
                    uploads=uploads,
                    expires_on=expires_on,
                    **form.service_fields(),
                )
                messages.success(request, _("Evidence saved."))
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            return redirect("audits:evidence_detail", pk=audit.pk, evidence_pk=evidence.pk)
    return render(
        request,
        "audits/evidence/form.html",
        {"audit": audit, "form": form, "kind": NOTE_KINDS[kind], "evidence": evidence},
    )


@login_required
def evidence_new(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """Record a document or file, an observation or an interview note."""
    if kind not in NOTE_KINDS:
        raise Http404
    audit = audit_for(request, pk, "conduct")
    if not audit.is_open:
        messages.error(request, _("This audit is closed: its evidence can no longer change."))
        return redirect("audits:evidence", pk=audit.pk)
    return _evidence_form(request, audit, kind, None)


@login_required
def evidence_edit(request: AuthenticatedHttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    evidence = get_object_or_404(audit.evidence, pk=evidence_pk)
    if evidence.kind == EvidenceKind.SNAPSHOT or evidence.review_status not in (
        ReviewStatus.DRAFT,
        ReviewStatus.REJECTED,
    ):
        messages.error(request, _("Only a file or note in draft or rejected can be changed."))
        return redirect("audits:evidence_detail", pk=audit.pk, evidence_pk=evidence.pk)
    return _evidence_form(request, audit, evidence.kind, evidence)


# --- A piece of evidence, readable --------------------------------------------------------------


def _dates(value: Any) -> Any:
    """The payload with its ISO dates and moments as date and datetime objects, so the page
    writes them in the reader's language."""
    if isinstance(value, dict):
        return {key: _dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates(item) for item in value]
    if isinstance(value, str):
        if ISO_DAY.fullmatch(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        if ISO_MOMENT.match(value):
            return parse_datetime(value) or value
    return value


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices).get(value, value if value not in (None, "") else "—"))


def readable(evidence: Evidence) -> dict[str, Any]:
    """The stored payload (never the live data), with the labels of its codes in the reader's
    language."""
    data: dict[str, Any] = _dates(evidence.payload or {})
    kind = evidence.snapshot_kind
    if kind == SnapshotKind.COMMITMENT and "commitment" in data:
        commitment = data["commitment"]
        commitment["source_label"] = _label(IndicatorSource.choices, commitment.get("source"))
        commitment["comparator_label"] = _label(Comparator.choices, commitment.get("comparator"))
        commitment["periodicity_label"] = _label(Periodicity.choices, commitment.get("periodicity"))
        for row in data.get("measurements", []):
            row["compliance_label"] = _label(Compliance.choices, row.get("compliance"))
    if kind == SnapshotKind.CASE_SAMPLE:
        sample = data.get("sample", {})
        sample["method_label"] = _label(SamplingMethod.choices, sample.get("method"))
        for row in data.get("cases", []):
            row["kind_label"] = _label(CaseKind.choices, row.get("kind"))
            row["status_label"] = _label(Status.choices, row.get("status"))
    return data


@login_required
def evidence_detail(request: AuthenticatedHttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    audit = audit_for_reading(request, pk)
    evidence = get_object_or_404(
        audit.evidence.select_related(
            "taken_by", "reviewed_by", "touch_point", "commitment", "checklist_item", "sample"
        ),
        pk=evidence_pk,
    )
    conducts = _conducts(request, audit)
    today = audit.organization.today()
    editable = evidence.kind != EvidenceKind.SNAPSHOT and evidence.review_status in (
        ReviewStatus.DRAFT,
        ReviewStatus.REJECTED,
    )
    return render(
        request,
        "audits/evidence/detail.html",
        {
            "audit": audit,
            "evidence": evidence,
            "data": readable(evidence) if evidence.kind == EvidenceKind.SNAPSHOT else None,
            "intact": services.verify_evidence(evidence),
            "expired": services.is_expired(evidence, today),
            "valid": services.is_valid(evidence, today),
            "files": evidence.files.order_by("uploaded_at", "pk"),
            "findings": evidence.findings.select_related("grade").order_by("number"),
            "conducts": conducts,
            "can_edit": conducts and editable,
            "can_submit": conducts
            and evidence.review_status in (ReviewStatus.DRAFT, ReviewStatus.REJECTED),
            "can_review": can_review(evidence, request.user),
            "own": evidence.taken_by_id == request.user.pk,
            "review_form": ReviewForm(initial={"expires_on": evidence.expires_on}),
        },
    )


@login_required
@require_POST
def evidence_review(request: AuthenticatedHttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """Send for review, or approve or reject."""
    audit = audit_for(request, pk, "conduct")
    evidence = get_object_or_404(audit.evidence, pk=evidence_pk)
    user = request.user
    if request.POST.get("step") == "submit":
        report(
            request,
            lambda: services.submit_evidence(evidence, by=user),
            _("Sent for review."),
        )
    else:
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            approve = data["decision"] == "approve"
            report(
                request,
                lambda: services.review_evidence(
                    evidence,
                    by=user,
                    approve=approve,
                    note=data["note"],
                    expires_on=data["expires_on"],
                ),
                _("Evidence approved.") if approve else _("Evidence rejected."),
            )
        else:
            report_form_errors(request, form)
    return redirect("audits:evidence_detail", pk=audit.pk, evidence_pk=evidence.pk)


@login_required
def evidence_file(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Download a file of the audit's evidence: only for people who may see the evidence;
    always as a download, never shown in the browser."""
    audit = audit_for_reading(request, pk)
    stored = get_object_or_404(
        AuditFile.objects.exclude(file=""), audit=audit, evidence__isnull=False, pk=file_pk
    )
    log_download(stored, by=request.user)
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
