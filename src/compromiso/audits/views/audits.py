"""Staff pages of one audit: the audits I work on, a new audit, the overview (scope, team,
dates, agreement, the steps I may take, the results decision, a follow-up audit), its form,
the team with the declarations, and the agreement. Every page fetches the audit through
`audits.access` (404 when it is not visible, 403 when the action is not allowed)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from compromiso.audits import access, services
from compromiso.audits.forms.audits import (
    AgreementForm,
    AuditForm,
    CancelForm,
    DeclarationForm,
    FollowUpAuditForm,
    ResultsForm,
    RoleForm,
    TeamMemberForm,
)
from compromiso.audits.models import (
    SELF_CHECK_QUESTIONS,
    Audit,
    AuditAccess,
    AuditStatus,
    TeamMember,
)
from compromiso.audits.views.programme import REFUSALS, organization_of, with_counts
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.permissions import Perm, has_perm

STEP_LABELS = {
    "agree": gettext_lazy("Mark as agreed"),
    "start": gettext_lazy("Start the fieldwork"),
    "report": gettext_lazy("Move to reporting"),
    "follow_up": gettext_lazy("Move to remedies and follow-up"),
    "close": gettext_lazy("Close the audit"),
}


def audit_context(request: AuthenticatedHttpRequest, audit: Audit, tab: str) -> dict[str, Any]:
    """What every tab of an audit needs: the audit, the tab, what the user may do. Dates are
    shown in the audited organisation's time zone, also to a peer or an outside auditor."""
    timezone.activate(audit.organization.zone)
    user = request.user
    return {
        "audit": audit,
        "tab": tab,
        "can_manage": access.can(user, audit, "manage"),
        "can_conduct": access.can(user, audit, "conduct"),
        "can_answer": access.can(user, audit, "answer"),
    }


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The audits I work on: on the team, as lead, or let in by an access grant."""
    audits = with_counts(access.mine(request.user)).select_related("organization")
    grants = {
        grant.audit_id: grant
        for grant in AuditAccess.objects.active().filter(user=request.user, audit__in=audits)
    }
    rows = [(audit, grants.get(audit.pk)) for audit in audits.order_by("-planned_start", "pk")]
    return render(request, "audits/audit/mine.html", {"rows": rows})


@login_required
def audit_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = organization_of(request)
    if not has_perm(request.user, Perm.MANAGE_AUDITS, organization_id=organization.pk):
        raise PermissionDenied
    form = AuditForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        fields, sets = form.split()
        try:
            audit = services.create_audit(
                organization,
                by=request.user,
                services=sets["services"],
                charters=sets["charters"],
                touch_points=sets["touch_points"],
                **fields,
            )
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Audit %(reference)s planned.") % {"reference": audit.reference}
            )
            return redirect("audits:audit", pk=audit.pk)
    return render(request, "audits/audit/form.html", {"form": form, "audit": None})


@login_required
def audit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = access.audit_for(request, pk, "manage")
    if not audit.is_open:
        messages.error(request, _("A closed or cancelled audit is no longer edited."))
        return redirect("audits:audit", pk=audit.pk)
    form = AuditForm(
        request.POST or None,
        initial=AuditForm.initial_from(audit),
        organization=audit.organization,
        audit=audit,
    )
    if request.method == "POST" and form.is_valid():
        fields, sets = form.split()
        try:
            services.update_audit(audit, by=request.user, **fields, **sets)
        except REFUSALS as error:
            audit.refresh_from_db()
            add_service_error(form, error)
        else:
            messages.success(request, _("Audit saved."))
            return redirect("audits:audit", pk=audit.pk)
    return render(request, "audits/audit/form.html", {"form": form, "audit": audit})


@login_required
def audit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = access.audit_for(request, pk, "view")
    context = audit_context(request, audit, "overview")
    team = list(audit.team.select_related("user"))
    for member in team:
        member.conflict = services.has_conflict(member)  # type: ignore[attr-defined]
    agreement = services.agreement_of(audit)
    steps = [
        (step, STEP_LABELS[step])
        for step in services.allowed_steps(audit, request.user)
        if step != "cancel"
    ]
    results_open = audit.status in (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP)
    context.update(
        team=team,
        conflicts=[m for m in team if m.conflict],  # type: ignore[attr-defined]
        agreement=agreement,
        steps=steps,
        closing_problems=services.closing_problems(audit)
        if audit.status in (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP)
        else [],
        can_cancel="cancel" in services.allowed_steps(audit, request.user),
        cancel_form=CancelForm(),
        results_form=ResultsForm(
            initial={"decision": audit.results_decision, "note": audit.results_note}
        ),
        can_decide_results=context["can_manage"] and results_open,
        follow_up_form=FollowUpAuditForm(),
        can_schedule_follow_up=context["can_manage"]
        and audit.status in (AuditStatus.REPORTING, AuditStatus.FOLLOW_UP, AuditStatus.CLOSED),
        follow_up_audits=audit.follow_up_audits.all(),
        services_in_scope=audit.services.all(),
        charters_in_scope=audit.charters.all(),
        touch_points_in_scope=audit.touch_points.select_related("unit", "channel"),
    )
    return render(request, "audits/audit/detail.html", context)


@login_required
@require_POST
def audit_move(request: AuthenticatedHttpRequest, pk: int, step: str) -> HttpResponse:
    audit = access.audit_for(request, pk, "view")
    if step not in services.STEPS:
        raise Http404
    reason = ""
    if step == "cancel":
        form = CancelForm(request.POST)
        if not form.is_valid():
            report_form_errors(request, form)
            return redirect("audits:audit", pk=audit.pk)
        reason = form.cleaned_data["reason"]
    report(
        request,
        lambda: services.move_audit(audit, step, by=request.user, reason=reason),
        lambda moved: _("The audit is now: %(state)s.") % {"state": moved.get_status_display()},
    )
    return redirect("audits:audit", pk=audit.pk)


@login_required
@require_POST
def audit_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = access.audit_for(request, pk, "manage")
    form = ResultsForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.record_results_decision(
                audit,
                by=request.user,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"] or "",
            ),
            _("Decision on the results recorded."),
        )
    return redirect("audits:audit", pk=audit.pk)


@login_required
@require_POST
def follow_up_audit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = access.audit_for(request, pk, "manage")
    form = FollowUpAuditForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
        return redirect("audits:audit", pk=audit.pk)
    follow_up = report(
        request,
        lambda: services.schedule_follow_up_audit(
            audit,
            by=request.user,
            planned_start=form.cleaned_data["planned_start"],
            planned_end=form.cleaned_data["planned_end"],
        ),
        lambda made: _("Follow-up audit %(reference)s planned.") % {"reference": made.reference},
    )
    return redirect("audits:audit", pk=follow_up.pk if follow_up else audit.pk)


# The team ---------------------------------------------------------------------------------


@login_required
def team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = access.audit_for(request, pk, "view")
    context = audit_context(request, audit, "team")
    form = TeamMemberForm(request.POST or None, audit=audit)
    if request.method == "POST":
        if not context["can_manage"]:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.add_team_member(audit, by=request.user, **form.cleaned_data)
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Added to the team."))
                return redirect("audits:team", pk=audit.pk)
    members = list(audit.team.select_related("user"))
    questions = dict(SELF_CHECK_QUESTIONS)
    for member in members:
        member.conflict = services.has_conflict(member)  # type: ignore[attr-defined]
        member.may_declare = services.may_declare(member, request.user)  # type: ignore[attr-defined]
        member.answers = [  # type: ignore[attr-defined]
            (questions[key], (member.self_check.get(key) or {})) for key in services.SELF_CHECK_KEYS
        ]
    context.update(
        members=members,
        form=form,
        role_form=RoleForm(),
        editable=audit.is_open,
    )
    return render(request, "audits/audit/team.html", context)


def _member(request: AuthenticatedHttpRequest, pk: int, need: access.Need) -> TeamMember:
    """A team member of an audit the user may `need` (404 when the audit is not visible)."""
    member = get_object_or_404(TeamMember.objects.select_related("audit", "user"), pk=pk)
    access.audit_for(request, member.audit_id, need)
    return member


@login_required
@require_POST
def team_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, "manage")
    form = RoleForm(request.POST)
    if not form.is_valid():
        report_form_errors(request, form)
    else:
        report(
            request,
            lambda: services.change_team_role(
                member, by=request.user, role=form.cleaned_data["role"]
            ),
            _("Role changed."),
        )
    return redirect("audits:team", pk=member.audit_id)


@login_required
@require_POST
def team_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, "manage")
    report(
        request,
        lambda: services.remove_team_member(member, by=request.user),
        _("Removed from the team."),
    )
    return redirect("audits:team", pk=member.audit_id)


@login_required
def declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A member's self-check, independence, conflicts and competence."""
    member = _member(request, pk, "view")
    if not services.may_declare(member, request.user):
        raise PermissionDenied
    audit = member.audit
    form = DeclarationForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare(member, by=request.user, **form.values())
        except REFUSALS as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Declaration saved."))
            return redirect("audits:team", pk=audit.pk)
    context = audit_context(request, audit, "team")
    context.update(member=member, form=form)
    return render(request, "audits/audit/declare.html", context)


# The agreement ----------------------------------------------------------------------------


@login_required
def agreement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = access.audit_for(request, pk, "view")
    context = audit_context(request, audit, "agreement")
    current = services.agreement_of(audit)
    may_edit = (context["can_manage"] or context["can_conduct"]) and (
        audit.status == AuditStatus.PLANNED
    )
    initial = {name: getattr(current, name) for name in services.AGREEMENT_FIELDS}
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                saved = services.save_agreement(audit, by=request.user, **form.cleaned_data)
            except REFUSALS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("Agreement saved (version %(version)d).") % {"version": saved.version},
                )
                return redirect("audits:agreement", pk=audit.pk)
    planned = audit.status == AuditStatus.PLANNED and current.pk is not None
    context.update(
        agreement=current,
        form=form,
        may_edit=may_edit,
        may_sign_auditor=planned
        and current.auditor_signed_at is None
        and services.may_sign(audit, request.user, "auditor"),
        may_sign_auditee=planned
        and current.auditee_signed_at is None
        and services.may_sign(audit, request.user, "auditee"),
    )
    return render(request, "audits/audit/agreement.html", context)


@login_required
@require_POST
def agreement_sign(request: AuthenticatedHttpRequest, pk: int, side: str) -> HttpResponse:
    audit = access.audit_for(request, pk, "view")
    if side not in ("auditor", "auditee"):
        raise Http404
    if not services.may_sign(audit, request.user, side):
        raise PermissionDenied
    report(
        request,
        lambda: services.sign_agreement(audit, by=request.user, side=side),
        _("Agreement signed."),
    )
    return redirect("audits:agreement", pk=audit.pk)
