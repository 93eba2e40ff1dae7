"""Staff pages of the checklist: generating it from the scope, adding an item, and the page an
auditor answers on a phone at the counter — items grouped by touch point and section, progress
per touch point, and one small form per item.

The page works with plain form posts. With its script (`audits/checklist.js`) each answer is
posted in the background with a client id and the revision last seen, kept on the phone until
the server has it (see `services.checklists`): the answer endpoint then speaks JSON — 200 with
the answer, 400 with the errors, 409 with the current answer when someone changed it since."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from compromiso.audits import services
from compromiso.audits.access import audit_for, can
from compromiso.audits.forms.checklist import SCORES, AnswerForm, ItemForm
from compromiso.audits.models import Answer, AnswerResult, Audit, AuditFile, ChecklistItem
from compromiso.audits.services.checklists import RESULTS
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ids import parse_id

WHOLE_AUDIT = "none"


def _group_filter(value: str | None) -> int | str | None:
    """`?tp=` names a touch point's id, "none" for the items of the whole audit, or nothing."""
    if value == WHOLE_AUDIT:
        return WHOLE_AUDIT
    return parse_id(value) if value else None


def _answer_json(answer: Answer, audit: Audit) -> dict[str, Any]:
    return {
        "item": answer.item_id,
        "result": answer.result,
        "result_label": str(answer.get_result_display()),
        "score": answer.score,
        "notes": answer.notes,
        "revision": answer.revision,
        "answered_by": (
            (answer.answered_by.get_full_name() or answer.answered_by.get_username())
            if answer.answered_by
            else ""
        ),
        "answered_at": audit.organization.local(answer.answered_at).strftime("%Y-%m-%d %H:%M"),
        "files": [
            {"name": f.name, "url": reverse("audits:file", args=[audit.pk, f.pk])}
            for f in answer.files.all()
        ],
    }


def _entries(
    audit: Audit, group: int | str | None, posted: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The page's groups: per touch point (then the whole audit), its sections and items."""
    items = (
        ChecklistItem.objects.filter(audit=audit)
        .select_related("touch_point__channel", "answer__answered_by")
        .order_by("order", "pk")
    )
    if group == WHOLE_AUDIT:
        items = items.filter(touch_point__isnull=True)
    elif group is not None:
        items = items.filter(touch_point_id=int(group))
    files: dict[int, list[AuditFile]] = {}
    for stored in AuditFile.objects.filter(audit=audit, answer__isnull=False).order_by("pk"):
        assert stored.answer_id is not None
        files.setdefault(stored.answer_id, []).append(stored)
    groups: dict[int | None, dict[str, Any]] = {}
    for item in items:
        answer: Answer | None = getattr(item, "answer", None)
        entry: dict[str, Any] = {
            "item": item,
            "answer": answer,
            "answered": answer is not None and answer.result != AnswerResult.NOT_ASSESSED,
            "files": files.get(answer.pk, []) if answer else [],
            "client_id": uuid.uuid4(),
            "revision": answer.revision if answer else 0,
            "values": {
                "result": answer.result if answer else "",
                "score": "" if answer is None or answer.score is None else str(answer.score),
                "notes": answer.notes if answer else "",
            },
        }
        entry.update(posted.get(item.pk, {}))
        group_row = groups.setdefault(
            item.touch_point_id,
            {"touch_point": item.touch_point, "sections": {}, "answered": 0, "total": 0},
        )
        group_row["sections"].setdefault(item.section, []).append(entry)
        group_row["total"] += 1
        group_row["answered"] += entry["answered"]
    ordered = [row for key, row in groups.items() if key is not None]
    if None in groups:
        ordered.append(groups[None])
    for row in ordered:
        row["sections"] = list(row["sections"].items())
    return ordered


def _page(
    request: AuthenticatedHttpRequest,
    audit: Audit,
    *,
    posted: dict[int, dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    group = _group_filter(request.GET.get("tp") or request.POST.get("back"))
    conduct = audit.is_open and can(request.user, audit, "conduct")
    return render(
        request,
        "audits/checklist/page.html",
        {
            "audit": audit,
            "groups": _entries(audit, group, posted or {}),
            "progress": services.progress(audit),
            "group": group,
            "back": "" if group is None else str(group),
            "conduct": conduct,
            "results": [(r.value, r.label) for r in RESULTS],
            "scores": SCORES,
        },
        status=status,
    )


@login_required
def checklist(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The checklist, all of it or one touch point's (`?tp=`)."""
    return _page(request, audit_for(request, pk, "view"))


@login_required
@require_POST
def checklist_generate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    try:
        result = services.generate_checklist(audit, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Checklist generated: %(added)d items added, %(removed)d unanswered items "
                "out of scope removed, %(kept)d answered items out of scope kept."
            )
            % {
                "added": result.added,
                "removed": result.removed,
                "kept": result.kept_out_of_scope,
            },
        )
    return redirect("audits:checklist", pk=audit.pk)


@login_required
def checklist_item_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    audit = audit_for(request, pk, "conduct")
    form = ItemForm(request.POST or None, audit=audit)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_checklist_item(audit, by=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Item added to the checklist."))
            return redirect("audits:checklist", pk=audit.pk)
    return render(
        request,
        "audits/checklist/item_form.html",
        {"audit": audit, "form": form},
        status=400 if form.errors else 200,
    )


def _errors(form: AnswerForm) -> dict[str, list[str]]:
    return {field: [str(e) for e in errors] for field, errors in form.errors.items()}


def _service_errors(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, DomainError):
        return {"__all__": [error.message]}
    assert isinstance(error, ValidationError)
    if hasattr(error, "error_dict"):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@login_required
@require_POST
def checklist_answer(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponseBase:
    """Save one item's answer (see the module's note on the script's JSON)."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        audit = audit_for(request, pk, "conduct")
    except Http404:
        if not wants_json:
            raise
        return JsonResponse({"ok": False, "errors": {"__all__": [_("Not found.")]}}, status=404)
    except PermissionDenied:
        if not wants_json:
            raise
        refused = _("You do not have permission to do this.")
        return JsonResponse({"ok": False, "errors": {"__all__": [refused]}}, status=403)
    item = ChecklistItem.objects.filter(audit=audit, pk=item_pk).first()
    if item is None:
        if wants_json:
            return JsonResponse({"ok": False, "errors": {"__all__": [_("Not found.")]}}, status=404)
        raise Http404("No item")
    item.audit = audit
    form = AnswerForm(request.POST, request.FILES)
    errors: dict[str, list[str]] = {}
    conflict: Answer | None = None
    saved: services.Saved | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_answer(
                item,
                by=request.user,
                result=data["result"],
                score=data["score"],
                notes=data["notes"],
                client_id=data["client_id"],
                revision=data["revision"],
                uploads=data["attachments"],
            )
        except services.StaleAnswer as stale:
            conflict = stale.answer
            errors = {"__all__": [stale.message]}
        except (ValidationError, DomainError) as error:
            errors = _service_errors(error)
    else:
        errors = _errors(form)
    if wants_json:
        if saved is not None:
            return JsonResponse(
                {
                    "ok": True,
                    "duplicate": saved.duplicate,
                    "answer": _answer_json(saved.answer, audit),
                }
            )
        if conflict is not None:
            return JsonResponse(
                {
                    "ok": False,
                    "conflict": True,
                    "errors": errors,
                    "answer": _answer_json(conflict, audit),
                },
                status=409,
            )
        return JsonResponse({"ok": False, "errors": errors}, status=400)
    if saved is not None:
        messages.success(request, _("Answer saved."))
        back = _group_filter(request.POST.get("back"))
        url = reverse("audits:checklist", args=[audit.pk])
        if back is not None:
            url += f"?tp={back}"
        return redirect(f"{url}#item-{item.pk}")
    # Nothing saved: the page again, with what was typed (and, on a conflict, both answers).
    values = {
        "result": request.POST.get("result", "")[:20],
        "score": request.POST.get("score", "")[:2],
        "notes": request.POST.get("notes", "")[:5000],
    }
    if request.FILES:
        errors.setdefault("files", []).append(_("Attach the files again: they were not kept."))
    posted: dict[str, Any] = {"values": values, "errors": errors, "client_id": uuid.uuid4()}
    if conflict is not None:
        posted["conflict"] = conflict
        posted["revision"] = conflict.revision
    return _page(request, audit, posted={item.pk: posted}, status=409 if conflict else 400)
