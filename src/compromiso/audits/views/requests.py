"""Staff pages of the information-request list: the list (late ones in red, with their business
days late) and its CSV, a request with its answer and files, the answer form for the audited
side, the team's verdict, and the download of an audit's file (only through this check, never a
direct media address)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.access import audit_for, can
from compromiso.audits.forms.requests import AnswerRequestForm, RequestForm, ReviewRequestForm
from compromiso.audits.models import Audit, AuditFile, InformationRequest, RequestStatus
from compromiso.audits.services.requests import is_waiting, request_for, visible_requests
from compromiso.core.audit import log_action
from compromiso.core.dbrouter import use_replica
from compromiso.core.errors import DomainError
from compromiso.core.exports import tabular_response
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest


def _state_label(request: InformationRequest, state: services.DueState) -> str:
    if state.overdue:
        return _("Overdue")
    if request.status == RequestStatus.REQUESTED and request.answered_at is not None:
        return _("Answered, awaiting review")
    return str(request.get_status_display())


def _rows(audit: Audit) -> list[dict[str, Any]]:
    calendar = audit.organization.business_calendar()
    today = audit.organization.today()
    rows = []
    for request in visible_requests(audit).prefetch_related("files"):
        state = services.due_state(request, today, calendar)
        rows.append(
            {
                "request": request,
                "state": state,
                "label": _state_label(request, state),
                "files": len(request.files.all()),
            }
        )
    return rows


@login_required
def request_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The list; the audit team adds requests from the form under it."""
    audit = audit_for(request, pk, "view")
    conduct = can(request.user, audit, "conduct") and audit.is_open
    form = RequestForm(request.POST or None, audit=audit)
    if request.method == "POST":
        if not conduct:
            raise PermissionDenied
        if form.is_valid():
            try:
                created = services.add_request(audit, by=request.user, **form.cleaned_data)
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("Request %(number)d added.") % {"number": created.number}
                )
                return redirect("audits:requests", pk=audit.pk)
    rows = _rows(audit)
    return render(
        request,
        "audits/requests/list.html",
        {
            "audit": audit,
            "rows": rows,
            "form": form if conduct else None,
            "overdue": sum(row["state"].overdue for row in rows),
        },
        status=400 if form.errors else 200,
    )


@login_required
@use_replica
def request_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The list as CSV (or XLSX with ?format=xlsx)."""
    audit = audit_for(request, pk, "view")
    header = [
        _("Number"),
        _("What is requested"),
        _("Criterion"),
        _("Who answers"),
        _("Unit that answers"),
        _("Due"),
        _("State"),
        _("Business days late"),
        _("Answered"),
        _("Files"),
        _("Reminders sent"),
        _("Auditor's note"),
    ]
    rows = [
        [
            row["request"].number,
            row["request"].text,
            row["request"].criterion,
            str(row["request"].owner or ""),
            str(row["request"].owner_unit or ""),
            row["request"].due_date.isoformat(),
            row["label"],
            row["state"].days_late or "",
            audit.organization.local(row["request"].answered_at).date().isoformat()
            if row["request"].answered_at
            else "",
            row["files"],
            row["request"].reminders_sent,
            row["request"].reviewer_note,
        ]
        for row in _rows(audit)
    ]
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return tabular_response(f"solicitudes-{audit.reference}", header, rows, fmt)


def _detail(
    request: AuthenticatedHttpRequest,
    item: InformationRequest,
    *,
    answer_form: AnswerRequestForm | None = None,
    review_form: ReviewRequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    audit = item.audit
    open_audit = audit.is_open
    settled = item.status in (RequestStatus.PROVIDED, RequestStatus.NOT_APPLICABLE)
    may_answer = open_audit and not settled and services.can_answer_request(request.user, item)
    conduct = open_audit and can(request.user, audit, "conduct")
    calendar = audit.organization.business_calendar()
    return render(
        request,
        "audits/requests/detail.html",
        {
            "audit": audit,
            "item": item,
            "state": services.due_state(item, audit.organization.today(), calendar),
            "waiting": is_waiting(item),
            "files": list(item.files.all()),
            "answer_form": (answer_form or AnswerRequestForm(initial={"answer": item.answer}))
            if may_answer
            else None,
            "review_form": (
                review_form
                or ReviewRequestForm(
                    initial={"status": item.status, "note": item.reviewer_note}
                    if item.status != RequestStatus.REQUESTED
                    else None
                )
            )
            if conduct
            else None,
            "can_edit": conduct and not settled,
        },
        status=status,
    )


@login_required
def request_detail(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    return _detail(request, request_for(request.user, pk, request_pk))


@login_required
@require_POST
def request_answer(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    """The audited side's answer, with files. A refused file keeps nothing and the text typed."""
    item = request_for(request.user, pk, request_pk)
    if not services.can_answer_request(request.user, item):
        raise PermissionDenied
    form = AnswerRequestForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.answer_request(
                item,
                by=request.user,
                text=form.cleaned_data["answer"],
                uploads=form.cleaned_data["attachments"],
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Answer sent to the audit team."))
            return redirect("audits:request", pk=pk, request_pk=item.pk)
    return _detail(request, item, answer_form=form, status=400)


@login_required
@require_POST
def request_review(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    item = request_for(request.user, pk, request_pk)
    if not can(request.user, item.audit, "conduct"):
        raise PermissionDenied
    form = ReviewRequestForm(request.POST)
    if form.is_valid():
        try:
            services.review_request(
                item,
                by=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Verdict recorded."))
            return redirect("audits:request", pk=pk, request_pk=item.pk)
    return _detail(request, item, review_form=form, status=400)


@login_required
def request_edit(request: AuthenticatedHttpRequest, pk: int, request_pk: int) -> HttpResponse:
    item = request_for(request.user, pk, request_pk)
    if not can(request.user, item.audit, "conduct"):
        raise PermissionDenied
    form = RequestForm(
        request.POST or None, audit=item.audit, initial=RequestForm.initial_from(item)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_request(item, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Request saved."))
            return redirect("audits:request", pk=pk, request_pk=item.pk)
    return render(
        request,
        "audits/requests/form.html",
        {"audit": item.audit, "item": item, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def audit_file(request: AuthenticatedHttpRequest, pk: int, file_pk: int) -> FileResponse:
    """Download a file of the audit: only for people who may see the audit; always as a
    download, with the type that was sniffed at upload."""
    audit = audit_for(request, pk, "view")
    stored = AuditFile.objects.filter(audit=audit, pk=file_pk).exclude(file="").first()
    if stored is None:
        raise Http404("No file")
    log_action(audit, "audits.file.downloaded", by=request.user, data={"file": stored.pk})
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
