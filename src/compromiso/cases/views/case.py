"""One case: staff intake at the counter or the phone, the case page with its timeline, and the
actions on it (lifecycle, classification, redress, files).

Every view: fetch with permission (404 when invisible, 403 when visible but not allowed) →
validate → call a service → redirect or render.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from compromiso.cases import privacy, services
from compromiso.cases.forms import (
    AnswerDateForm,
    AssignForm,
    AttachmentForm,
    ClassifyForm,
    CommentForm,
    RedressForm,
    StaffCaseForm,
)
from compromiso.cases.models import (
    Attachment,
    CannedAnswer,
    Case,
    CaseAction,
    Category,
    HandlingRating,
    RootCause,
)
from compromiso.cases.views.inbox import visible_cases
from compromiso.catalog.models import Channel, Service
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest, report, report_form_errors
from compromiso.core.ids import parse_id
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import User


@login_required
def case_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counter or phone intake by staff."""
    organization = require_organization(request)
    if not scope_for(request.user, Perm.HANDLE_CASES).touches(organization.pk):
        raise PermissionDenied
    form = StaffCaseForm(
        request.POST or None,
        channels=Channel.objects.visible_to(request.user)
        .filter(organization=organization)
        .active(),
        services=Service.objects.filter(organization=organization, is_active=True),
        categories=Category.objects.filter(organization=organization, is_active=True),
        files=request.FILES or None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        uploads = data.pop("attachments")
        try:
            case, _secret = services.receive_case(
                organization=organization, by=request.user, uploads=uploads, **data
            )
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Case %(code)s registered.") % {"code": case.tracking_code})
            if visible_cases(request).filter(pk=case.pk).exists():
                return redirect("cases:detail", pk=case.pk)
            # Routed to a unit outside the officer's scope: a receipt, not the case itself.
            token = signing.dumps({"case": case.pk, "by": request.user.pk}, salt=RECEIPT_SALT)
            return redirect("cases:received", token=token)
    return render(request, "cases/case_new.html", {"form": form})


RECEIPT_SALT = "compromiso.cases.receipt"


@login_required
def received(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """What the person who recorded a case may know of it when it went to a unit outside their
    scope: its tracking code and where it went, nothing of its content."""
    try:
        data = signing.loads(token, salt=RECEIPT_SALT, max_age=dt.timedelta(days=1))
        if data["by"] != request.user.pk:
            raise Http404
        case = (
            Case.objects.select_related("unit", "organization")
            .only("tracking_code", "kind", "received_at", "unit__name", "organization__name")
            .get(pk=data["case"])
        )
    except (signing.BadSignature, KeyError, TypeError, Case.DoesNotExist):
        raise Http404 from None
    return render(request, "cases/case_received.html", {"case": case})


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A case with its timeline and the actions the user may take."""
    case = get_object_or_404(
        visible_cases(request).select_related(
            "unit", "assignee", "service", "channel", "organization"
        ),
        pk=pk,
    )
    # Reading a requester's personal data is itself recorded (data protection).
    log_action(case, "cases.case.viewed", by=request.user)
    return _render_detail(request, case)


def _render_detail(
    request: AuthenticatedHttpRequest,
    case: Case,
    *,
    text: str | None = None,
    errors: list[str] | None = None,
    status: int = 200,
    page: str = "cases/detail.html",
) -> HttpResponse:
    """The case page (or one of its partials); after a refused action, with the reasons and
    what the user typed, kept."""
    can_handle = scope_for(request.user, Perm.HANDLE_CASES).covers(
        case.organization_id, case.unit.path if case.unit else None
    )
    organization = case.organization
    canned = CannedAnswer.objects.filter(organization=organization, is_active=True).filter(
        Q(kind="") | Q(kind=case.kind)
    )
    prefill = ""
    chosen = parse_id(request.GET.get("canned", ""))
    if chosen is not None:
        template = canned.filter(pk=chosen).first()
        if template is not None:
            prefill = services.render_canned_answer(template, case, request.user)
    if text is not None:
        prefill = text
    allowed = case.allowed_actions()
    return render(
        request,
        page,
        {
            "case": case,
            "events": case.events.select_related("actor"),
            "can_handle": can_handle,
            "contact": privacy.contact_details(case, full=can_handle),
            # Which actions the case allows in its state is the domain's answer, not the page's.
            "actions": _available_actions(allowed) if can_handle else [],
            "can_assign": can_handle and CaseAction.ASSIGN in allowed,
            "assign_form": AssignForm(people=_handlers(case)),
            "classify_form": ClassifyForm(
                organization=organization,
                initial={
                    "category": case.category_id,
                    "priority": case.priority,
                    "root_cause": case.root_cause_id,
                },
            ),
            "redress_form": RedressForm(
                initial={"breached": True}, guarantees=services.redress_guarantees(case)
            ),
            "answer_date_form": AnswerDateForm(
                initial={"answered_at": timezone.localtime(case.answered_at)}
                if case.answered_at
                else None
            ),
            "attachment_form": AttachmentForm(),
            "attachments": case.attachments.select_related("uploaded_by"),
            "redresses": case.redresses.all(),
            "rating": HandlingRating.objects.filter(case=case).first(),
            "canned_answers": canned,
            "prefill": prefill,
            "root_causes": RootCause.objects.filter(organization=organization, is_active=True),
            "can_improve": scope_for(request.user, Perm.MANAGE_IMPROVEMENT).touches(
                organization.pk
            ),
            "now": timezone.now(),
            "action_errors": errors,
        },
        status=status,
    )


def _handled_case(request: AuthenticatedHttpRequest, pk: int) -> Case:
    return get_object_or_404(visible_cases(request).select_related("unit", "organization"), pk=pk)


@login_required
@require_POST
def classify(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _handled_case(request, pk)
    form = ClassifyForm(request.POST, organization=case.organization)
    if form.is_valid():
        report(request, lambda: services.classify_case(case, by=request.user, **form.cleaned_data))
    else:
        messages.error(request, _("Check the classification."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def redress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _handled_case(request, pk)
    form = RedressForm(request.POST, guarantees=services.redress_guarantees(case))
    if form.is_valid():
        report(request, lambda: services.record_redress(case, by=request.user, **form.cleaned_data))
    else:
        report_form_errors(request, form)
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def answer_date(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct when the answer was given; the figures and charter indicators follow."""
    case = _handled_case(request, pk)
    form = AnswerDateForm(request.POST)
    if form.is_valid():
        report(
            request,
            lambda: services.correct_answer_date(case, by=request.user, **form.cleaned_data),
        )
    else:
        report_form_errors(request, form)
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def attach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = _handled_case(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid() and form.cleaned_data["attachments"]:

        def store() -> None:
            with transaction.atomic():
                for upload in form.cleaned_data["attachments"]:
                    services.add_attachment(
                        case, upload, by=request.user, public=form.cleaned_data["public"]
                    )

        report(request, store)
    else:
        messages.error(request, _("Choose at least one file (at most 5)."))
    return redirect("cases:detail", pk=case.pk)


@login_required
def attachment(request: AuthenticatedHttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Download a case's file: only for people who can see the case; always as a download."""
    case = get_object_or_404(visible_cases(request), pk=pk)
    item = get_object_or_404(Attachment.objects.exclude(file=""), case=case, pk=attachment_pk)
    log_action(case, "cases.attachment.downloaded", by=request.user, data={"attachment": item.pk})
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _handlers(case: Case) -> QuerySet[User]:
    """People who may handle this case: a role with the permission to handle cases on the whole
    organisation or on the case's unit or one above it (the same rule `assign_case` applies)."""
    return services.eligible_assignees(case)


# action name → service call taking (case, text, user); text may be empty. Which of them a case
# allows in its state is the domain's decision (`Case.allowed_actions`), asked again by every
# service.
ACTIONS: dict[str, Callable[[Case, str, Any], Any]] = {
    CaseAction.ACKNOWLEDGE: lambda c, t, u: services.acknowledge_case(c, message=t, by=u),
    CaseAction.START: lambda c, t, u: services.start_case(c, by=u),
    CaseAction.REQUEST_INFORMATION: lambda c, t, u: services.request_information(
        c, message=t, by=u
    ),
    CaseAction.RESUME: lambda c, t, u: services.resume_case(c, comment=t, by=u),
    CaseAction.EXTEND: lambda c, t, u: services.extend_deadline(c, reason=t, by=u),
    CaseAction.ANSWER: lambda c, t, u: services.answer_case(c, answer=t, by=u),
    CaseAction.CLOSE: lambda c, t, u: services.close_case(c, comment=t, by=u),
    CaseAction.DERIVE: lambda c, t, u: services.derive_case(
        c, body=t.split("\n", 1)[0][:300], message=t, by=u
    ),
    CaseAction.REOPEN: lambda c, t, u: services.reopen_case(c, reason=t, by=u),
    CaseAction.WITHDRAW: lambda c, t, u: services.withdraw_case(c, reason=t, by=u),
    CaseAction.NOTE: lambda c, t, u: services.add_note(c, text=t, by=u),
    CaseAction.REPLY: lambda c, t, u: services.add_note(c, text=t, by=u, public=True),
}


def _available_actions(allowed: list[str]) -> list[dict[str, str]]:
    return [
        {"name": name, "label": str(CaseAction(name).label)} for name in allowed if name in ACTIONS
    ]


@login_required
@require_POST
def act(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Run one lifecycle action from the case page (a plain form or htmx). An action the case
    does not allow in its state is refused with the reason, and what was typed is kept."""
    if action not in ACTIONS and action != CaseAction.ASSIGN:
        raise Http404
    case = get_object_or_404(visible_cases(request).select_related("unit", "organization"), pk=pk)
    comment = CommentForm(request.POST)
    text = comment.cleaned_data["text"] if comment.is_valid() else ""
    status = 200
    try:
        if action == CaseAction.ASSIGN:
            form = AssignForm(request.POST, people=_handlers(case))
            if not form.is_valid():
                raise ValidationError(_("Choose a person."))
            services.assign_case(case, assignee=form.cleaned_data["assignee"], by=request.user)
        else:
            if not comment.is_valid():
                raise ValidationError(list(comment.errors["text"]))
            cause_id = parse_id(request.POST.get("root_cause", ""))
            if action == CaseAction.CLOSE and cause_id is not None:
                cause = RootCause.objects.filter(
                    organization_id=case.organization_id, pk=cause_id
                ).first()
                services.close_case(case, comment=text, by=request.user, root_cause=cause)
            else:
                ACTIONS[action](case, text, request.user)
    except PermissionDenied:
        raise
    except DomainError as error:
        errors, status = [error.message], 409
    except ValidationError as error:
        errors, status = list(error.messages), 422
    else:
        messages.success(request, _("Done."))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("cases:detail", args=[case.pk]))
        return redirect("cases:detail", pk=case.pk)
    # Refused: the page again (or, for htmx, its actions panel) with the reason and the text.
    case.refresh_from_db()
    text = request.POST.get("text", "")[:20000]
    if request.htmx:
        # htmx swaps only successful responses: the refusal travels as the new panel.
        return _render_detail(
            request, case, text=text, errors=errors, page="cases/detail.html#actions"
        )
    return _render_detail(request, case, text=text, errors=errors, status=status)
