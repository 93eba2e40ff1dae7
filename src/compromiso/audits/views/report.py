"""The audit report's pages: the report (printable), its PDF, the form of its texts, and issuing
it. Who reads it: the audit team, whoever manages audits and the audited side; a member who
may only view the audit gets a 403 (the report is not yet theirs to read)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.access import audit_for, can
from compromiso.audits.forms.report import ReportForm
from compromiso.audits.models import Audit
from compromiso.audits.report import ReportContent, build, corrective_plan, from_data
from compromiso.audits.report.pdf import render as render_report_pdf
from compromiso.audits.services.reports import WRITABLE_STATUSES, report_of, report_texts
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report


def reader_audit(request: AuthenticatedHttpRequest, pk: int) -> Audit:
    """The audit, for someone who may read its report and remedies: 404 when they may not see
    the audit, 403 when they may see it but are neither its team, its managers nor the audited
    side."""
    audit = audit_for(request, pk, "view")
    if not any(can(request.user, audit, need) for need in ("conduct", "manage", "answer")):
        raise PermissionDenied
    return audit


def evidence_rows(content: ReportContent) -> SafeString:
    """The rows of the evidence index, escaped, built in one pass: the index of a large audit
    has hundreds of rows, and the template language would take most of the page's time on them
    (bench/bench_audit_report.py)."""
    days: dict[dt.date | None, str] = {}

    def day(value: dt.date | None) -> str:
        if value not in days:
            days[value] = date_format(value, "j M Y") if value else "—"
        return days[value]

    return format_html_join(
        "\n",
        '<tr id="evidence-{}"><th scope="row" class="fw-normal">E{}</th><td>{}</td><td>{}</td>'
        "<td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                e.number,
                e.number,
                e.title,
                e.kind_label,
                day(e.taken_on),
                e.touch_point or "—",
                format_html('<code title="{}">{}…</code>', e.fingerprint, e.fingerprint[:12])
                if e.fingerprint
                else "—",
            )
            for e in content.evidence
        ),
    )


def uncovered_rows(content: ReportContent) -> SafeString:
    """The checklist items not covered, as list items (escaped; see `evidence_rows`)."""
    return format_html_join(
        "\n",
        "<li>{}</li>",
        (
            (" · ".join(part for part in (u.section, u.text, u.touch_point) if part),)
            for u in content.uncovered_items
        ),
    )


def _content(audit: Audit, draft: bool) -> tuple[ReportContent, bool]:
    """The issued version (frozen), or the report as the rows say now; and whether it is the
    draft."""
    saved = report_of(audit)
    if saved is not None and saved.issued_at is not None and saved.content and not draft:
        return from_data(saved.content), False
    issued = saved is not None and saved.issued_at is not None
    return build(audit, saved, draft=issued), True


@login_required
def report_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    saved = report_of(audit)
    content, is_draft = _content(audit, request.GET.get("draft") == "1")
    lead = services.is_lead(request.user, audit)
    return render(
        request,
        "audits/report/page.html",
        {
            "audit": audit,
            "report": saved,
            "content": content,
            "evidence_rows": evidence_rows(content),
            "uncovered_rows": uncovered_rows(content),
            "is_draft": is_draft,
            "plan": corrective_plan(audit),
            "today": audit.organization.today(),
            "can_write": can(request.user, audit, "conduct") and audit.status in WRITABLE_STATUSES,
            "can_issue": lead,
            "problems": services.issue_problems(audit, saved) if lead else [],
            "tab": "report",
        },
    )


@login_required
def report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = reader_audit(request, pk)
    content, is_draft = _content(audit, request.GET.get("draft") == "1")
    pdf = render_report_pdf(content, corrective_plan(audit), audit.organization.today())
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"{audit.pk}-v{content.version}{'-draft' if is_draft else ''}"
    response["Content-Disposition"] = f'inline; filename="audit-report-{name}.pdf"'
    return response


@login_required
def report_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    saved = report_of(audit)
    form = ReportForm(request.POST or None, initial=report_texts(saved))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_report(audit, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Report saved."))
            return redirect("audits:report", pk=audit.pk)
    return render(
        request,
        "audits/report/edit.html",
        {"audit": audit, "report": saved, "form": form, "tab": "report"},
    )


@login_required
@require_POST
def report_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    if not services.is_lead(request.user, audit):
        raise PermissionDenied
    report(
        request,
        lambda: services.issue_report(audit, by=request.user),
        lambda issued: _("Report issued (version %(version)s).") % {"version": issued.version},
    )
    return redirect("audits:report", pk=audit.pk)
