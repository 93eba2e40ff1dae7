"""The remedies page: each nonconformity → its improvement action → state → effect → the lead's
verification; the other findings; follow-ups and the follow-up audit. The audited side proposes
the actions (their own form page), the lead verifies and closes, records follow-ups."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.access import can
from compromiso.audits.forms.remedies import (
    FollowUpAuditForm,
    FollowUpPlanForm,
    FollowUpRecordForm,
    RemedyForm,
    VerifyForm,
)
from compromiso.audits.models import (
    Audit,
    AuditStatus,
    Finding,
    FindingStatus,
    FollowUp,
    GradeKind,
)
from compromiso.audits.report import corrective_plan
from compromiso.audits.services.remedies import OPEN_FINDING_STATUSES, REMEDY_STATUSES
from compromiso.audits.views.report import reader_audit
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, Viewer
from compromiso.improvement.models import ActionOrigin
from compromiso.improvement.origins import OriginLink
from compromiso.organizations.models import Unit, User


def _back(audit: Audit, anchor: str = "") -> HttpResponse:
    url = reverse("audits:remedies", args=[audit.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
def remedies(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    lead = services.is_lead(request.user, audit)
    manages = can(request.user, audit, "manage")
    proposes = services.can_propose(request.user, audit) and audit.status in REMEDY_STATUSES
    in_follow_up = audit.status == AuditStatus.FOLLOW_UP
    plan = corrective_plan(audit)
    for line in plan:
        opened = line.action_status and line.action_status not in (
            "closed",
            "rejected",
            "effective",
        )
        line.can_propose = (  # type: ignore[attr-defined]
            proposes and line.finding_status in OPEN_FINDING_STATUSES and not opened
        )
        line.can_verify = (  # type: ignore[attr-defined]
            lead and line.finding_status == FindingStatus.IN_ACTION and line.remedied
        )
        line.can_close = lead and line.finding_status == FindingStatus.VERIFIED  # type: ignore[attr-defined]
    others = (
        Finding.objects.filter(audit=audit)
        .exclude(grade__kind=GradeKind.NONCONFORMITY)
        .select_related("grade", "touch_point")
        .order_by("number")
    )
    follow_ups = list(audit.follow_ups.select_related("performed_by", "follow_up_audit"))
    for follow_up in follow_ups:
        follow_up.record_form = (  # type: ignore[attr-defined]
            FollowUpRecordForm(prefix=f"record-{follow_up.pk}")
            if in_follow_up and lead and follow_up.performed_on is None
            else None
        )
    return render(
        request,
        "audits/remedies/page.html",
        {
            "audit": audit,
            "plan": plan,
            "others": others,
            "follow_ups": follow_ups,
            "lead": lead,
            "verify_form": VerifyForm(),
            "plan_form": (
                FollowUpPlanForm(prefix="plan") if in_follow_up and (lead or manages) else None
            ),
            "audit_form": FollowUpAuditForm(prefix="audit") if in_follow_up and manages else None,
            "follow_up_audits": audit.follow_up_audits.order_by("planned_start"),
            "tab": "remedies",
        },
    )


def _finding(audit: Audit, finding_pk: int) -> Finding:
    finding: Finding = get_object_or_404(
        Finding.objects.select_related("grade", "commitment", "touch_point", "action"),
        audit=audit,
        pk=finding_pk,
    )
    return finding


@login_required
def remedy_new(request: AuthenticatedHttpRequest, pk: int, finding: int) -> HttpResponse:
    """The audited side proposes the action that remedies a nonconformity."""
    audit = reader_audit(request, pk)
    if not services.can_propose(request.user, audit):
        raise PermissionDenied
    found = _finding(audit, finding)
    if not found.grade.is_nonconformity:
        raise Http404
    units = Unit.objects.visible_to(request.user, Perm.MANAGE_IMPROVEMENT).filter(
        organization_id=audit.organization_id, is_active=True
    )
    people = (
        User.objects.filter(memberships__organization_id=audit.organization_id, is_active=True)
        .distinct()
        .order_by("username")
    )
    initial: dict[str, Any] = {
        "title": found.statement[:200],
        "root_cause": found.root_cause,
        "due_date": services.default_due_date(found),
        "owner_unit": audit.unit_id,
    }
    has_commitment = found.commitment_id is not None
    if not has_commitment:
        initial["check_on"] = "protocol"
    form = RemedyForm(
        request.POST or None,
        initial=initial,
        units=units.order_by("path"),
        people=people,
        has_commitment=has_commitment,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_remedy(found, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Improvement action proposed."))
            return _back(audit, f"finding-{found.number}")
    return render(
        request,
        "audits/remedies/new.html",
        {"audit": audit, "finding": found, "form": form, "tab": "remedies"},
    )


@login_required
@require_POST
def finding_verify(request: AuthenticatedHttpRequest, pk: int, finding: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    found = _finding(audit, finding)
    form = VerifyForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    report(
        request,
        lambda: services.verify_finding(found, by=request.user, note=note),
        _("Remedy verified."),
    )
    return _back(audit, f"finding-{found.number}")


@login_required
@require_POST
def finding_close(request: AuthenticatedHttpRequest, pk: int, finding: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    found = _finding(audit, finding)
    report(request, lambda: services.close_finding(found, by=request.user), _("Finding closed."))
    return _back(audit, f"finding-{found.number}")


@login_required
@require_POST
def follow_up_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    form = FollowUpPlanForm(request.POST, prefix="plan")
    if form.is_valid():
        report(
            request,
            lambda: services.plan_follow_up(audit, by=request.user, **form.cleaned_data),
            _("Follow-up planned."),
        )
    else:
        report_form_errors(request, form)
    return _back(audit, "follow-ups")


@login_required
@require_POST
def follow_up_record(request: AuthenticatedHttpRequest, pk: int, follow_up: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    found = get_object_or_404(FollowUp, audit=audit, pk=follow_up)
    form = FollowUpRecordForm(request.POST, prefix=f"record-{found.pk}")
    if form.is_valid():
        report(
            request,
            lambda: services.record_follow_up(found, by=request.user, **form.cleaned_data),
            _("Follow-up recorded."),
        )
    else:
        report_form_errors(request, form)
    return _back(audit, "follow-ups")


@login_required
@require_POST
def follow_up_audit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    form = FollowUpAuditForm(request.POST, prefix="audit")
    if form.is_valid():
        report(
            request,
            lambda: services.plan_follow_up_audit(audit, by=request.user, **form.cleaned_data),
            lambda created: (
                _("Follow-up audit %(reference)s scheduled.") % {"reference": created.reference}
            ),
        )
    else:
        report_form_errors(request, form)
    return _back(audit, "follow-ups")


def describe_finding_origin(origin: ActionOrigin, user: Viewer) -> list[OriginLink]:
    """For the improvement action's page: "audit finding N of AUD-…", linked to the audit's
    remedies for whoever may read them."""
    links = []
    findings = Finding.objects.filter(action_id=origin.action_id).select_related("audit")
    for finding in findings.order_by("audit_id", "number"):
        audit = finding.audit
        text = _("audit finding %(number)s of %(reference)s") % {
            "number": finding.number,
            "reference": audit.reference,
        }
        readable = any(can(user, audit, need) for need in ("conduct", "manage", "answer"))
        url = (
            reverse("audits:remedies", args=[audit.pk]) + f"#finding-{finding.number}"
            if readable
            else ""
        )
        links.append(OriginLink(text=text, url=url))
    return links
