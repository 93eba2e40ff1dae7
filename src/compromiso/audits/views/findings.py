"""Staff pages of an audit's findings: the list with the nonconformities by grade and the
unresolved diverging opinions, recording and correcting a finding (the team), a finding with
the audited side's answer, the team's resolution of a divergence and the root cause; and the
organisation's grading scale (settings, for whoever manages audits)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.access import audit_for, can
from compromiso.audits.forms.findings import (
    AnswerForm,
    DivergenceForm,
    FindingFilterForm,
    FindingForm,
    GradeForm,
    RootCauseForm,
)
from compromiso.audits.models import Audit, Finding, FindingStatus, Grade
from compromiso.audits.services.findings import ANSWERABLE_STATUSES, EDITABLE_STATUSES
from compromiso.audits.services.grades import in_use
from compromiso.audits.views.evidence import audit_for_reading
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.ids import parse_id, parse_ids
from compromiso.core.permissions import Perm, has_perm
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import Organization


@login_required
def findings_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for_reading(request, pk)
    filters = FindingFilterForm(audit, request.GET or None)
    findings = audit.findings.select_related("grade", "touch_point").order_by("number")
    if filters.is_valid():
        if filters.cleaned_data["grade"] is not None:
            findings = findings.filter(grade=filters.cleaned_data["grade"])
        if filters.cleaned_data["status"]:
            findings = findings.filter(status=filters.cleaned_data["status"])
    counts = services.nonconformity_counts(audit)
    labels = dict(
        Grade.objects.filter(organization_id=audit.organization_id).values_list("code", "label")
    )
    return render(
        request,
        "audits/findings/list.html",
        {
            "audit": audit,
            "findings": findings,
            "filters": filters,
            "counts": [(labels.get(code, code), total) for code, total in counts.items()],
            "unresolved": services.unresolved_divergences(audit).order_by("number"),
            "conducts": audit.is_open and can(request.user, audit, "conduct"),
            "manages": has_perm(
                request.user, Perm.MANAGE_AUDITS, organization_id=audit.organization_id
            ),
        },
    )


def _finding_form(
    request: AuthenticatedHttpRequest, audit: Audit, finding: Finding | None
) -> HttpResponse:
    services.ensure_grades(audit.organization)
    initial: dict[str, Any] = {}
    if finding is not None:
        initial = FindingForm.initial_from(finding)
    else:
        item = parse_id(request.GET.get("item"))
        if item is not None and audit.checklist.filter(pk=item).exists():
            initial["checklist_item"] = item
        initial["evidence"] = parse_ids(request.GET.getlist("evidence"))[:50]
    form = FindingForm(audit, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        evidence = list(form.cleaned_data["evidence"])
        try:
            if finding is None:
                finding = services.record_finding(
                    audit,
                    by=request.user,
                    evidence=evidence,
                    root_cause=form.cleaned_data["root_cause"],
                    **form.service_fields(),
                )
                messages.success(
                    request, _("Finding %(number)d recorded.") % {"number": finding.number}
                )
            else:
                services.update_finding(
                    finding,
                    by=request.user,
                    evidence=evidence,
                    root_cause=form.cleaned_data["root_cause"],
                    **form.service_fields(),
                )
                messages.success(request, _("Finding saved."))
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            return redirect("audits:finding", pk=audit.pk, finding_pk=finding.pk)
    return render(
        request, "audits/findings/form.html", {"audit": audit, "form": form, "finding": finding}
    )


@login_required
def finding_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    if not audit.is_open:
        messages.error(request, _("This audit is closed: its findings can no longer change."))
        return redirect("audits:findings", pk=audit.pk)
    return _finding_form(request, audit, None)


@login_required
def finding_edit(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    finding = get_object_or_404(audit.findings, pk=finding_pk)
    if not audit.is_open or finding.status not in EDITABLE_STATUSES:
        messages.error(request, _("Only an open or disputed finding can be corrected."))
        return redirect("audits:finding", pk=audit.pk, finding_pk=finding.pk)
    return _finding_form(request, audit, finding)


@login_required
def finding_detail(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    audit = audit_for_reading(request, pk)
    finding = get_object_or_404(
        audit.findings.select_related(
            "grade",
            "touch_point__unit",
            "commitment",
            "checklist_item",
            "responded_by",
            "recorded_by",
            "divergence_resolved_by",
        ),
        pk=finding_pk,
    )
    user = request.user
    conducts = audit.is_open and can(user, audit, "conduct")
    answers = audit.is_open and can(user, audit, "answer")
    return render(
        request,
        "audits/findings/detail.html",
        {
            "audit": audit,
            "finding": finding,
            "evidence": finding.evidence.order_by("taken_at", "pk"),
            "can_edit": conducts and finding.status in EDITABLE_STATUSES,
            "can_answer": answers and finding.status in ANSWERABLE_STATUSES,
            "can_resolve": conducts
            and finding.status == FindingStatus.DISPUTED
            and not finding.divergence_resolved,
            "can_root_cause": conducts or answers,
            "answer_form": AnswerForm(
                initial={
                    "response": finding.response,
                    "diverging_opinion": finding.diverging_opinion,
                    "root_cause": finding.root_cause,
                }
            ),
            "divergence_form": DivergenceForm(),
            "root_cause_form": RootCauseForm(initial={"root_cause": finding.root_cause}),
        },
    )


@login_required
@require_POST
def finding_answer(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """The audited side accepts the finding or disagrees with it."""
    audit = audit_for(request, pk, "answer")
    finding = get_object_or_404(audit.findings, pk=finding_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        accepts = data["decision"] == FindingStatus.ACCEPTED
        report(
            request,
            lambda: services.answer_finding(
                finding,
                by=request.user,
                accepts=accepts,
                response=data["response"],
                diverging_opinion=data["diverging_opinion"],
                root_cause=data["root_cause"],
            ),
            _("Answer recorded: finding accepted.")
            if accepts
            else _("Answer recorded: the diverging opinion is kept with the finding."),
        )
    else:
        report_form_errors(request, form)
    return redirect("audits:finding", pk=audit.pk, finding_pk=finding.pk)


@login_required
@require_POST
def finding_divergence(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """The team resolves the divergence with the audited side."""
    audit = audit_for(request, pk, "conduct")
    finding = get_object_or_404(audit.findings, pk=finding_pk)
    form = DivergenceForm(request.POST)
    if form.is_valid():
        report(
            request,
            lambda: services.resolve_divergence(
                finding, by=request.user, note=form.cleaned_data["note"]
            ),
            _("Divergence resolved."),
        )
    else:
        report_form_errors(request, form)
    return redirect("audits:finding", pk=audit.pk, finding_pk=finding.pk)


@login_required
@require_POST
def finding_root_cause(request: AuthenticatedHttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    audit = audit_for_reading(request, pk)
    finding = get_object_or_404(audit.findings, pk=finding_pk)
    form = RootCauseForm(request.POST)
    if form.is_valid():
        report(
            request,
            lambda: services.set_root_cause(
                finding, by=request.user, root_cause=form.cleaned_data["root_cause"]
            ),
            _("Root cause saved."),
        )
    else:
        report_form_errors(request, form)
    return redirect("audits:finding", pk=audit.pk, finding_pk=finding.pk)


# --- The grading scale ------------------------------------------------------------------------


def _manages(request: AuthenticatedHttpRequest) -> Organization:
    organization = require_organization(request)
    if not has_perm(request.user, Perm.MANAGE_AUDITS, organization_id=organization.pk):
        raise PermissionDenied
    return organization


@login_required
def grades(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The organisation's scale for grading findings."""
    organization = _manages(request)
    scale = services.ensure_grades(organization)
    rows = sorted(scale, key=lambda g: (g.order, g.pk))
    for grade in rows:
        grade.used = in_use(grade)  # type: ignore[attr-defined]
    return render(request, "audits/findings/grades.html", {"grades": rows})


def _grade_form(
    request: AuthenticatedHttpRequest, organization: Organization, grade: Grade | None
) -> HttpResponse:
    initial = GradeForm.initial_from(grade) if grade else None
    form = GradeForm(request.POST or None, initial=initial, editing=grade is not None)
    if request.method == "POST" and form.is_valid():
        try:
            if grade is None:
                services.create_grade(
                    organization,
                    by=request.user,
                    code=form.cleaned_data["code"],
                    **form.service_fields(),
                )
                messages.success(request, _("Level added to the scale."))
            else:
                services.update_grade(grade, by=request.user, **form.service_fields())
                messages.success(request, _("Level saved."))
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            return redirect("audits:grades")
    return render(request, "audits/findings/grade_form.html", {"form": form, "grade": grade})


@login_required
def grade_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _grade_form(request, _manages(request), None)


@login_required
def grade_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _manages(request)
    grade = get_object_or_404(Grade, organization=organization, pk=pk)
    return _grade_form(request, organization, grade)


@login_required
@require_POST
def grade_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = _manages(request)
    grade = get_object_or_404(Grade, organization=organization, pk=pk)
    report(
        request,
        lambda: services.delete_grade(grade, by=request.user),
        _("Level removed from the scale."),
    )
    return redirect("audits:grades")
