"""Accessibility checked by a machine: axe-core (WCAG 2.1 A and AA rules) over every public page
and every staff page each demo role can open, plus the error state of the main forms.

The pages come from the URLconf: a page with parameters gets them from the demo data
(`sample_kwargs`), and a route that is not a page (a POST-only action, a file, an htmx fragment)
is listed in `NOT_PAGES` with the reason, so a new page cannot be left out unnoticed.
One browser and one tab are reused for the whole run, and a page whose markup has the same shape
as one already checked (the same page seen by another role, a longer table) is not checked again,
which keeps the run within a few minutes.
"""

import hashlib
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "compromiso-demo"

# Routes that are not pages a person reads, with why.
NOT_PAGES = {
    "portal:queue_display_events": "a server-sent event stream",
    "portal:queue_display_state": "JSON for the display page (checked)",
    "set_language": "POST-only language switch",
    "health": "JSON for load balancers and monitoring",
    "metrics": "Prometheus text for the monitoring system",
    "logout": "POST-only",
    "password_reset_confirm": "needs a one-time e-mailed token",
    "portal:tracked_attachment": "a file download",
    "portal:survey_qr": "an image",
    "portal:charter_pdf": "a PDF",
    "portal:charter_report": "a PDF",
    "portal:charter_data": "CSV/JSON open data",
    "organizations:switch": "POST-only",
    "organizations:reset_two_factor": "POST-only (its button is on the members page)",
    "organizations:unit_row": "an htmx fragment of the units page",
    "organizations:unit_delete": "POST-only",
    "organizations:membership_remove": "POST-only",
    "organizations:closure_delete": "POST-only",
    "organizations:token_revoke": "POST-only",
    "catalog:attribute_row": "an htmx fragment of the service page",
    "catalog:attribute_delete": "POST-only",
    "catalog:attribute_edit": "an htmx fragment of the service page",
    "cases:act": "POST-only",
    "cases:bulk_assign": "POST-only",
    "cases:classify": "POST-only (its form is on the case page)",
    "cases:redress": "POST-only (its form is on the case page)",
    "cases:answer_date": "POST-only (its form is on the case page)",
    "cases:attach": "POST-only (its form is on the case page)",
    "cases:attachment": "a file download",
    "cases:received": "a receipt signed for the one officer who recorded the case",
    "charters:move": "POST-only",
    "charters:commitment_remove": "POST-only",
    "charters:approve_result": "POST-only",
    "servicemodel:acknowledge": "POST-only",
    "servicemodel:move": "POST-only",
    "surveys:export": "a CSV/XLSX file",
    "surveys:export_figures": "a CSV/XLSX file",
    "surveys:kiosk_revoke": "POST-only",
    "surveys:step": "POST-only",
    "surveys:question_move": "POST-only",
    "surveys:question_delete": "POST-only",
    "surveys:questionnaire_new_version": "POST-only",
    "surveys:bonus_record": "POST-only",
    "surveys:import_job": "needs an import job (the upload page is checked)",
    "surveys:import_mapping": "needs an import job (the upload page is checked)",
    "surveys:review": "needs an internal-customer wave's client unit",
    "improvement:move": "POST-only",
    "improvement:check": "POST-only",
    "improvement:prioritise": "POST-only",
    "improvement:publish": "POST-only",
    "portal:case_received": "shown after a submission (the form is checked)",
    "portal:survey_thanks": "shown after an answer (the survey page is checked)",
    "portal:tracked": "opened through the tracking form (checked in its own step)",
    # -- public
    "portal:queue_ticket_status": "JSON for the ticket page's refresh",
    "portal:queue_ticket_survey": "POST-only (its button is on the ticket page)",
    "portal:queue_kiosk_ticket": "shown for minutes after a kiosk ticket (the kiosk is checked)",
    # -- end public
    "servicemodel:protocol_move": "POST-only",
    "servicemodel:protocol_override": "POST-only (its form is on the protocol page)",
    "servicemodel:from_memberships": "POST-only",
    "servicemodel:person_deactivate": "POST-only",
    "servicemodel:import_confirm": "POST-only",
    "servicemodel:import_rejected": "a CSV file",
    "servicemodel:import_preview": "needs an uploaded staff list (the upload page is checked)",
    "servicemodel:team_delete": "POST-only",
    "servicemodel:member_remove": "POST-only",
    "servicemodel:milestone_reopen": "POST-only",
    "servicemodel:message_cancel": "POST-only",
    "servicemodel:training_session_cancel": "POST-only",
    "servicemodel:training_revoke": "POST-only",
    "servicemodel:training_session_enrol": "POST-only (its form is on the session page)",
    "servicemodel:training_attendance_remove": "POST-only",
    "audits:programme_move": "POST-only",
    "audits:programme_review": "POST-only (its form is on the programme page)",
    "audits:programme_propose": "POST-only (its button is on the programme page)",
    "audits:signal_remove": "POST-only",
    "audits:proposal_submit": "POST-only",
    "audits:proposal_reject": "POST-only (its form is on the proposal page)",
    "audits:audit_move": "POST-only",
    "audits:audit_results": "POST-only (its form is on the audit page)",
    "audits:follow_up_audit": "POST-only (its form is on the audit page)",
    "audits:team_role": "POST-only (its form is on the team page)",
    "audits:team_remove": "POST-only",
    "audits:agreement_sign": "POST-only",
    "audits:outside_auditor": "POST-only (its form is on the access page)",
    "audits:access_revoke": "POST-only (its form is on the access page)",
    "audits:evidence_snapshot": "POST-only (its buttons are on the evidence pages)",
    "audits:evidence_review": "POST-only (its form is on the evidence page)",
    "audits:evidence_file": "a file download",
    "audits:finding_answer": "POST-only (its form is on the finding page)",
    "audits:finding_divergence": "POST-only (its form is on the finding page)",
    "audits:finding_root_cause": "POST-only (its form is on the finding page)",
    "audits:grade_delete": "POST-only",
    "audits:mystery_schedule": "POST-only (its form is on the round page)",
    "audits:mystery_visit_close": "POST-only (its form is on the visit page)",
    "audits:mystery_visit_assign": "POST-only (its form is on the visit page)",
    "audits:mystery_export": "a CSV/XLSX file",
    "audits:seal_install": "POST-only (its buttons are on the seal page)",
    "audits:seal_assessment_submit": "POST-only",
    "audits:seal_assessment_reopen": "POST-only",
    "audits:seal_status_change": "POST-only (its forms are on the certificate page)",
    "audits:request_export": "a CSV/XLSX file",
    "audits:request_answer": "POST-only (its form is on the request page)",
    "audits:request_review": "POST-only (its form is on the request page)",
    "audits:file": "a file download",
    "audits:sample_verify": "POST-only (shows the record page again)",
    "audits:checklist_generate": "POST-only",
    "audits:checklist_answer": "POST-only (its form is on the checklist page)",
    "audits:report_pdf": "a PDF",
    "audits:report_issue": "POST-only (its form is on the report page)",
    "audits:finding_verify": "POST-only (its form is on the remedies page)",
    "audits:finding_close": "POST-only (its form is on the remedies page)",
    "audits:follow_up_plan": "POST-only (its form is on the remedies page)",
    "audits:follow_up_record": "POST-only (its form is on the remedies page)",
    "audits:remedy_follow_up_audit": "POST-only (its form is on the remedies page)",
    # -- desk
    "attention:reception_act": "POST-only (its forms are on the reception page)",
    "attention:desk_act": "POST-only (its forms are on the desk page)",
    "attention:desk_waiting": "an htmx fragment of the desk page",
    # -- end desk
    # -- appoint
    "attention:slot_plan_deactivate": "POST-only (its form is on the plans page)",
    "portal:appointment": "needs the secret key of the e-mailed link (a code alone is a 404)",
    "portal:appointment_change": "needs the secret key of the e-mailed link",
    "portal:appointment_cancel": "POST-only (its form is on the appointment page)",
    # -- end appoint
}


def named_routes() -> list[tuple[str, str]]:
    """(name, pattern) of every named route outside the admin and the API."""

    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Any:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or namespace
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                yield name, prefix + str(entry.pattern)

    return [
        (name, pattern)
        for name, pattern in walk(get_resolver().url_patterns, "", None)
        if not pattern.startswith(("admin/", "api/"))
    ]


def sample_kwargs(organization: Any) -> dict[str, Any]:
    """Arguments of each parameterised page, taken from the organisation's demo data."""
    from compromiso.audits.models import (
        Audit,
        AuditProgramme,
        AuditProposal,
        Certificate,
        CertificateReview,
        CertificationBody,
        Finding,
        Framework,
        FrameworkNode,
        InformationRequest,
        MysteryScenario,
        MysteryVisit,
        SamplingRecord,
        SelfAssessment,
        TeamMember,
    )
    from compromiso.cases.models import AssignmentRule, CannedAnswer, Case, DeadlinePolicy
    from compromiso.cases.services import rating_token
    from compromiso.catalog.models import Channel, Service, TouchPoint
    from compromiso.charters.models import Charter, Commitment
    from compromiso.improvement.models import ImprovementAction
    from compromiso.organizations.models import ClosureDay, Unit
    from compromiso.servicemodel.models import (
        CommunicationItem,
        Milestone,
        ProjectTeam,
        Protocol,
        ServiceModel,
        StaffMember,
        TrainingProgramme,
        TrainingSession,
    )
    from compromiso.surveys.models import IncentiveScheme, Question, Questionnaire, Wave

    def pk(model: Any, **filters: Any) -> Any:
        return model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()

    org = {"organization": organization}
    charter = Charter.objects.filter(**org, status="published").order_by("pk").first()
    drafts = Charter.objects.filter(**org, status="draft").order_by("pk").first() or charter
    commitment = Commitment.objects.filter(charter=charter).order_by("pk").first()
    questionnaire = pk(Questionnaire, **org)
    case = Case.objects.filter(**org).order_by("-pk").first()
    slug = {"slug": organization.slug}
    open_wave = Wave.objects.filter(**org, status="open").order_by("pk").first()
    mystery = pk(Audit, **org, kind="mystery")
    mystery_visit = pk(MysteryVisit, round__audit_id=mystery, status="planned") or pk(
        MysteryVisit, round__audit_id=mystery
    )
    framework = pk(Framework, **org)
    assessment = SelfAssessment.objects.filter(**org).order_by("pk").first()
    certificate = pk(Certificate, **org)
    issued = Certificate.objects.filter(**org).exclude(number="").order_by("pk").first()
    seal_pages = {
        "audits:seal_framework": {"pk": framework},
        "audits:seal_node_edit": {"pk": pk(FrameworkNode, framework_id=framework)},
        "audits:seal_element_add": {
            "pk": pk(FrameworkNode, framework_id=framework, assessable=False)
        },
        "audits:seal_assessment": {"pk": assessment.pk if assessment else None},
        "audits:seal_rate": {
            "pk": assessment.pk if assessment else None,
            "node": pk(
                FrameworkNode,
                framework_id=getattr(assessment, "framework_id", None),
                assessable=True,
            ),
        },
        "audits:seal_body_edit": {"pk": pk(CertificationBody, **org)},
        "audits:seal_certificate": {"pk": certificate},
        "audits:seal_certificate_edit": {"pk": certificate},
        "audits:seal_certificate_matrix": {"pk": certificate},
        "audits:seal_review_new": {"pk": certificate},
        "audits:seal_grant": {"pk": certificate},
        "audits:seal_review": {"pk": pk(CertificateReview, certificate__organization=organization)},
        "portal:seal": slug,
        "portal:seal_verify": {"number": issued.number} if issued else None,
    }
    request = (
        InformationRequest.objects.filter(audit__organization=organization)
        .exclude(status__in=["provided", "na"])
        .order_by("pk")
        .first()
    )
    audit = {"pk": request.audit_id} if request else None
    sample = SamplingRecord.objects.filter(audit__organization=organization).order_by("pk").first()
    reported = (
        Audit.objects.filter(**org, report__isnull=False).order_by("pk").first()
        or Audit.objects.filter(**org).order_by("pk").first()
    )
    nonconformity = (
        Finding.objects.filter(audit=reported, grade__kind="nonconformity").order_by("pk").first()
        if reported
        else None
    )
    on_audit = {"pk": reported.pk} if reported else None
    from compromiso.attention.models import Branch

    live_branch = Branch.objects.filter(**org).order_by("pk").first()
    table = {
        **seal_pages,
        **_appointment_kwargs(organization, pk),
        "portal:queue_display": {"key": live_branch.display_key} if live_branch else None,
        "attention:board": {"pk": live_branch.pk} if live_branch else None,
        "portal:case_new": slug,
        "portal:you_said_we_did": slug,
        "portal:rate": {**slug, "token": rating_token(case)} if case else None,
        "portal:charters": slug,
        "portal:charter": {**slug, "pk": charter.pk} if charter else None,
        "portal:survey": {"token": open_wave.token} if open_wave else None,
        "portal:survey_kiosk": {"token": open_wave.token} if open_wave else None,
        "organizations:unit_edit": {"pk": pk(Unit, **org)},
        "organizations:closure_edit": {"pk": pk(ClosureDay, **org)},
        "catalog:service_detail": {"pk": pk(Service, **org)},
        "catalog:service_edit": {"pk": pk(Service, **org)},
        "catalog:channel_edit": {"pk": pk(Channel, **org)},
        "catalog:touch_point_edit": {"pk": pk(TouchPoint, **org)},
        "cases:detail": {"pk": case.pk} if case else None,
        "cases:policy_edit": {"pk": pk(DeadlinePolicy, **org)},
        "cases:canned_answer": {"pk": pk(CannedAnswer, **org)},
        "cases:assignment_rule": {"pk": pk(AssignmentRule, **org)},
        "charters:detail": {"pk": charter.pk} if charter else None,
        "charters:edit": {"pk": drafts.pk} if drafts else None,
        "charters:sections": {"pk": drafts.pk} if drafts else None,
        "charters:commitment_new": {"pk": drafts.pk} if drafts else None,
        "charters:commitment_edit": (
            {"pk": commitment.charter_id, "commitment_pk": commitment.pk} if commitment else None
        ),
        "charters:compare": {"pk": charter.pk, "other": charter.pk} if charter else None,
        "charters:commitment": {"pk": commitment.pk} if commitment else None,
        "servicemodel:detail": {"pk": pk(ServiceModel, **org)},
        "servicemodel:compare": {"pk": pk(ServiceModel, **org), "other": pk(ServiceModel, **org)},
        "servicemodel:edit": {
            "pk": pk(ServiceModel, **org, status="draft") or pk(ServiceModel, **org)
        },
        "servicemodel:person": {"pk": pk(StaffMember, **org)},
        "servicemodel:person_edit": {"pk": pk(StaffMember, **org)},
        "portal:promise": slug,
        "servicemodel:team_edit": {"pk": pk(ProjectTeam, project__organization=organization)},
        "servicemodel:member_new": {"pk": pk(ProjectTeam, project__organization=organization)},
        "servicemodel:milestone_edit": {"pk": pk(Milestone, project__organization=organization)},
        "servicemodel:milestone_done": {
            "pk": pk(Milestone, project__organization=organization, done_on__isnull=True)
        },
        "servicemodel:message_edit": {
            "pk": pk(CommunicationItem, project__organization=organization, status="planned")
        },
        "servicemodel:message_sent": {
            "pk": pk(CommunicationItem, project__organization=organization, status="planned")
        },
        "servicemodel:training_programme": {"pk": pk(TrainingProgramme, **org)},
        "servicemodel:training_edit": {"pk": pk(TrainingProgramme, **org)},
        "servicemodel:training_session_new": {"pk": pk(TrainingProgramme, **org)},
        "servicemodel:training_cascade": {"pk": pk(TrainingProgramme, **org)},
        "servicemodel:training_session": {"pk": pk(TrainingSession, **org)},
        "surveys:bonus_scheme": {"pk": pk(IncentiveScheme, **org)},
        "surveys:questionnaire": {"pk": questionnaire},
        "surveys:question_add": {"pk": questionnaire, "kind": "scale"},
        "surveys:question_edit": {
            "pk": questionnaire,
            "question": pk(Question, questionnaire_id=questionnaire),
        },
        "surveys:wave": {"pk": pk(Wave, **org)},
        "surveys:invite": {"pk": pk(Wave, **org)},
        "surveys:weight_targets": {"pk": pk(Wave, **org)},
        "surveys:sample_design": {"pk": pk(Wave, **org)},
        "surveys:invite_units": {"pk": pk(Wave, **org)},
        "surveys:import_upload": {"pk": pk(Wave, **org)},
        "surveys:client_units": {"pk": pk(Wave, **org)},
        "improvement:detail": {"pk": pk(ImprovementAction, **org)},
        "servicemodel:protocol": {"pk": pk(Protocol, **org)},
        "servicemodel:protocol_edit": {"pk": pk(Protocol, **org)},
        "audits:programme": {"pk": pk(AuditProgramme, **org)},
        "audits:programme_edit": {"pk": pk(AuditProgramme, **org)},
        "audits:proposal": {"pk": pk(AuditProposal, **org)},
        "audits:proposal_edit": {"pk": pk(AuditProposal, **org, status="submitted")},
        "audits:signal_new": {"pk": pk(AuditProposal, **org, status="submitted")},
        "audits:proposal_accept": {"pk": pk(AuditProposal, **org, status="submitted")},
        "audits:audit": {"pk": pk(Audit, **org)},
        "audits:audit_edit": {"pk": pk(Audit, **org)},
        "audits:team": {"pk": pk(Audit, **org)},
        "audits:agreement": {"pk": pk(Audit, **org)},
        "audits:access": {"pk": pk(Audit, **org)},
        "audits:declare": {"pk": pk(TeamMember, audit__organization=organization)},
        **_audit_evidence_kwargs(organization, pk),
        **_directory_kwargs(organization, pk),  # -- directory
        # -- contacts
        **_attention_import_kwargs(organization, pk),
        "audits:mystery_round": {"pk": mystery},
        "audits:mystery_edit": {"pk": mystery},
        "audits:mystery_results": {"pk": mystery},
        "audits:mystery_visit": {"pk": mystery, "visit": mystery_visit},
        "audits:mystery_scenario_edit": {"pk": pk(MysteryScenario, **org)},
        "audits:requests": audit,
        "audits:request": {**audit, "request_pk": request.pk} if audit and request else None,
        "audits:request_edit": {**audit, "request_pk": request.pk} if audit and request else None,
        "audits:sampling": audit,
        "audits:sample_new": audit,
        "audits:sample": {"pk": sample.audit_id, "sample_pk": sample.pk} if sample else None,
        "audits:checklist": audit,
        "audits:checklist_item_new": audit,
        "audits:report": on_audit,
        "audits:report_edit": on_audit,
        "audits:remedies": on_audit,
        "audits:remedy_new": (
            {"pk": nonconformity.audit_id, "finding": nonconformity.pk} if nonconformity else None
        ),
        **_queue_public_kwargs(organization),
        # -- desk
        **_attention_desk_kwargs(organization, pk),
        # -- end desk
        "core:audit_log": (
            {"app_label": "cases", "model_name": "case", "object_id": str(case.pk)}
            if case
            else None
        ),
    }
    return table


def _queue_public_kwargs(organization: Any) -> dict[str, Any]:
    """The public queue pages: a branch's kiosk and join page, a waiting visit's ticket."""
    from compromiso.attention.models import Branch, Visit

    branch = Branch.objects.filter(organization=organization).order_by("pk").first()
    visit = (
        Visit.objects.filter(organization=organization, state="waiting").order_by("pk").first()
        or Visit.objects.filter(organization=organization).order_by("pk").first()
    )
    ticket = {"code": visit.code} if visit else None
    return {
        "portal:queue_kiosk": {"display_key": branch.display_key} if branch else None,
        "portal:queue_join": ({"slug": organization.slug, "code": branch.code} if branch else None),
        "portal:queue_ticket": ticket,
        "portal:queue_ticket_leave": ticket,
    }


def _attention_desk_kwargs(organization: Any, pk: Any) -> dict[str, Any]:
    """A branch of the organisation's demo, its first queue, desk and visit."""
    from compromiso.attention.models import Branch, Desk, Queue, Visit

    branch = {"pk": pk(Branch, organization=organization)}
    desk = {"pk": pk(Desk, branch__organization=organization)}
    return {
        "attention:branch": branch,
        "attention:branch_edit": branch,
        "attention:branch_hours": branch,
        "attention:queue_new": branch,
        "attention:desk_new": branch,
        "attention:reception": branch,
        "attention:queue_edit": {"pk": pk(Queue, branch__organization=organization)},
        "attention:desk_edit": desk,
        "attention:desk": desk,
        "attention:visit": {"pk": pk(Visit, organization=organization)},
    }


def _attention_import_kwargs(organization: Any, pk: Any) -> dict[str, Any]:
    """An import's result page and, when one waits for its columns, its mapping page."""
    from compromiso.attention.models import ImportJob

    return {
        "attention:import_job": {"pk": pk(ImportJob, organization=organization)},
        "attention:import_mapping": {
            "pk": pk(ImportJob, organization=organization, status="uploaded")
        },
    }


def _appointment_kwargs(organization: Any, pk: Any) -> dict[str, Any]:
    """The appointment pages of the organisation's first branch that takes appointments."""
    from compromiso.attention.models import Branch, SlotPlan

    plan = (
        SlotPlan.objects.filter(branch__organization=organization, is_active=True)
        .select_related("branch")
        .order_by("pk")
        .first()
    )
    branch = Branch.objects.filter(organization=organization).order_by("pk").first()
    return {
        "attention:appointments": {"pk": branch.pk} if branch else None,
        "attention:slot_plans": {"pk": branch.pk} if branch else None,
        "attention:slot_plan_edit": {"pk": plan.pk} if plan else None,
        "portal:appointment_start": {"slug": organization.slug},
        "portal:appointment_book": (
            {"slug": organization.slug, "branch": plan.branch.code, "queue": plan.queue_id}
            if plan
            else None
        ),
        "portal:appointment_kiosk_checkin": {"display_key": branch.display_key} if branch else None,
    }


def _audit_evidence_kwargs(organization: Any, pk: Any) -> dict[str, Any]:
    """The evidence and findings pages of the organisation's demo audit."""
    from compromiso.audits.models import Audit, Evidence, Finding, Grade

    audit = (
        Evidence.objects.filter(audit__organization=organization)
        .order_by("pk")
        .values_list("audit_id", flat=True)
        .first()
    ) or pk(Audit, organization=organization)
    on_audit = {"pk": audit}
    note = pk(Evidence, audit_id=audit, kind="observation")
    return {
        "audits:evidence": on_audit,
        "audits:evidence_checklist": on_audit,
        "audits:evidence_new": {**on_audit, "kind": "observation"},
        "audits:evidence_detail": {**on_audit, "evidence_pk": pk(Evidence, audit_id=audit)},
        "audits:evidence_edit": {**on_audit, "evidence_pk": note},
        "audits:findings": on_audit,
        "audits:finding_new": on_audit,
        "audits:finding": {**on_audit, "finding_pk": pk(Finding, audit_id=audit)},
        "audits:finding_edit": {
            **on_audit,
            "finding_pk": pk(Finding, audit_id=audit, status__in=["open", "disputed"]),
        },
        "audits:grade_edit": {"pk": pk(Grade, organization=organization)},
    }


# -- directory
def _directory_kwargs(organization: Any, pk: Any) -> dict[str, Any]:
    """The procedure directory and office pages of the organisation's demo data."""
    from compromiso.attention.models import Branch, FrontOfficeAgreement, Procedure

    slug = {"slug": organization.slug}
    code = (
        Procedure.objects.filter(organization=organization, is_published=True)
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
    )
    office = (
        Branch.objects.filter(organization=organization, is_active=True)
        .order_by("pk")
        .values_list("code", flat=True)
        .first()
    )
    procedure = pk(Procedure, organization=organization)
    return {
        "attention:procedure": {"pk": procedure},
        "attention:procedure_edit": {"pk": procedure},
        "attention:agreement_edit": {"pk": pk(FrontOfficeAgreement, front_office=organization)},
        "portal:procedures": slug,
        "portal:procedure": {**slug, "code": code} if code else None,
        "portal:offices": slug,
        "portal:office": {**slug, "code": office} if office else None,
    }


def page_urls(organization: Any) -> list[str]:
    """Every page of the URLconf, with the organisation's demo data filling its parameters."""
    kwargs = sample_kwargs(organization)
    urls = []
    unknown = []
    for name, pattern in named_routes():
        if name in NOT_PAGES:
            continue
        if "<" not in pattern:
            urls.append(reverse(name))
        elif name in kwargs:
            if kwargs[name] is not None and None not in kwargs[name].values():
                urls.append(reverse(name, kwargs=kwargs[name]))
        else:
            unknown.append(name)
    assert not unknown, f"Give these pages sample arguments or say why they are no page: {unknown}"
    return urls


def shape(html: str) -> str:
    """The markup of the page's main content without its text and attribute values (classes
    kept): two pages of the same shape meet the same rules, so axe checks a shape once, whoever
    sees it. The header and menus around it are the same on every page a person opens; they are
    checked on each person's landing page (`_log_in`)."""
    found = re.search(r"<main\b.*</main>", html, flags=re.S)
    html = found.group(0) if found else html
    html = re.sub(r">[^<]+<", "><", html)
    html = re.sub(r'\s(?!class=)([\w:-]+)="[^"]*"', r" \1", html)
    # A list or table is checked once whatever its length (the rows differ by scope and data).
    row = r"(<(tr|li|option|dt|dd)\b[^>]*>(?:(?!</\2>).)*</\2>)(?:\s*\1)+"
    html = re.sub(row, r"\1", html, flags=re.S)
    return hashlib.sha1(html.encode(), usedforsecurity=False).hexdigest()


class AxeRun:
    """axe-core in the one reused tab; the violations of every page, gathered. Each page is
    first fetched with Django's test client as the same person: only pages that answer 200 with
    a shape not checked yet are opened in the browser."""

    def __init__(self, page: Any) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.axe = Axe()
        self.client = Client()
        self.violations: dict[str, list[str]] = {}
        self.shapes: set[str] = set()
        self.checked = 0
        self.pages = 0

    def check(self, label: str) -> None:
        results = self.axe.run(
            self.page,
            options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]},
        )
        self.checked += 1
        found = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in results.response["violations"]
        ]
        if found:
            self.violations[label] = found

    def visit(self, url: str, who: str) -> None:
        response = self.client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return  # not this person's page (403/404), or not a page
        self.pages += 1
        fingerprint = shape(response.content.decode())
        if fingerprint in self.shapes:
            return
        self.shapes.add(fingerprint)
        self.page.goto(url)
        self.check(f"{who} {url}")


def _log_in(run: AxeRun, username: str) -> None:
    from compromiso.organizations.models import User

    run.client.logout()
    run.client.force_login(User.objects.get(username=username))
    page = run.page
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
    run.check(f"{username} landing page {page.url}")  # the header and menus this person sees


def test_every_page_has_no_wcag_violations(browser, live_server):
    from compromiso.cases import services as case_services
    from compromiso.catalog.models import Channel
    from compromiso.core.actors import PUBLIC
    from compromiso.organizations.models import Membership, NetworkMember, Organization

    call_command("demo", cases=20, stdout=StringIO())
    organizations = list(Organization.objects.order_by("pk"))
    first = organizations[0]
    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(20_000)
    run = AxeRun(page)
    # axe itself is live: a definition list built wrongly (as the staff home's once was) is found.
    page.set_content('<main lang="es"><dl><div><div><dt>a</dt><dd>1</dd></div></div></dl></main>')
    run.check("a wrong definition list")
    assert "dlitem" in str(run.violations.pop("a wrong definition list"))

    # Public pages (each organisation's), anonymous.
    public: set[str] = set()
    for organization in organizations:
        for url in page_urls(organization):
            if not url.startswith(("/staff/", "/accounts/password-change")):
                public.add(url)
    for url in sorted(public):
        run.visit(url, "anonymous")

    # A public form that failed validation, and the tracking page reached through its form.
    page.goto(reverse("portal:case_new", kwargs={"slug": first.slug}))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    run.check("anonymous case form with errors")
    case, secret = case_services.receive_case(
        organization=first,
        kind="complaint",
        channel=Channel.objects.filter(organization=first).first(),
        subject="Prueba de accesibilidad",
        description="Un caso para revisar la página de seguimiento.",
        requester_name="Ana",
        by=PUBLIC,
    )
    page.goto(reverse("portal:track"))
    page.fill("input[name=code]", case.tracking_code)
    page.fill("input[name=secret]", secret)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/track/.+/$"))
    run.check("anonymous tracked case")

    # Every staff page each demo role can open, in its own organisation.
    people = [
        (m.user.username, m.organization)
        for m in Membership.objects.select_related("user", "organization").order_by("pk")
    ]
    people += [(n.user.username, first) for n in NetworkMember.objects.select_related("user")]
    for username, organization in people:
        _log_in(run, username)
        for url in page_urls(organization):
            if url.startswith(("/staff/", "/accounts/password-change")):
                run.visit(url, username)
    # A staff form that failed validation.
    _log_in(run, "cl-admin")
    page.goto(reverse("catalog:service_create"))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    run.check("cl-admin service form with errors")
    context.close()

    assert run.violations == {}, "\n".join(
        f"{page}: {rule}" for page, rules in run.violations.items() for rule in rules
    )
    assert run.checked > 100


def test_a_failed_form_focuses_its_error_summary_whose_links_reach_the_fields(page, organization):
    from compromiso.catalog.tests.factories import ChannelFactory

    ChannelFactory(organization=organization, kind="web", name="Sitio web")
    page.goto(reverse("portal:case_new", kwargs={"slug": organization.slug}))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()

    focused = page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert focused, "focus stays on the page body after a failed submit"
    page.locator("[data-error-summary] a[href='#id_subject']").click()
    assert page.evaluate("document.activeElement.id") == "id_subject"


@pytest.mark.parametrize("selector", ["#id_subject", "#id_kind", "main form button[type=submit]"])
def test_every_control_shows_the_focus_ring(page, organization, selector):
    from compromiso.catalog.tests.factories import ChannelFactory

    ChannelFactory(organization=organization, kind="web", name="Sitio web")
    page.goto(reverse("portal:case_new", kwargs={"slug": organization.slug}))
    control = page.locator(selector).last
    control.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus from the keyboard, as :focus-visible expects

    style = control.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style == ["solid", "3px"]
