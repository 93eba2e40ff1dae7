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
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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
EVERYTHING = "all"
PAGE_SIZE = 100  # items per page: a phone at the counter gets a page it can hold


def _group_filter(value: str | None) -> int | str | None:
    """`?tp=` names a touch point's id, "none" for the items of the whole audit, "all" for
    every item, or nothing (the page then chooses)."""
    if value in (WHOLE_AUDIT, EVERYTHING):
        return value
    return parse_id(value) if value else None


def _choose_group(requested: int | str | None, progress: list[dict[str, Any]]) -> int | str:
    """The group to show: the one asked for; else everything when it fits on one page; else
    the first touch point with items left to answer (the first one when all are answered)."""
    if requested is not None:
        return requested
    if sum(row["total"] for row in progress) <= PAGE_SIZE or not progress:
        return EVERYTHING
    row = next((r for r in progress if r["answered"] < r["total"]), progress[0])
    return row["touch_point"].pk if row["touch_point"] else WHOLE_AUDIT


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


class _Controls:
    """The result radios and the score options of the items' forms, built once per page (every
    label and value escaped by format_html) and stamped with each item's id: a page of a hundred
    items renders in a few milliseconds instead of looping in the template."""

    def __init__(self) -> None:
        self.radios = [
            (
                value,
                format_html(
                    '<div class="form-check form-check-inline"><input class="form-check-input" '
                    'type="radio" name="result" value="{}" id="r-@ID@-{}"@CHECKED@><label '
                    'class="form-check-label" for="r-@ID@-{}">{}</label></div>',
                    value,
                    value,
                    value,
                    str(label),
                ),
            )
            for value, label in ((r.value, r.label) for r in RESULTS)
        ]
        self.options = {
            (value, chosen): format_html(
                '<option value="{}"{}>{}</option>', value, " selected" if chosen else "", label
            )
            for value, label in SCORES
            for chosen in (False, True)
        }

    def render(self, item: int, values: dict[str, str]) -> tuple[SafeString, SafeString]:
        ident = str(int(item))  # digits only: safe to stamp into the escaped markup
        radios = "".join(
            html.replace("@ID@", ident).replace(
                "@CHECKED@", " checked" if values.get("result") == value else ""
            )
            for value, html in self.radios
        )
        options = "".join(
            self.options[(value, values.get("score") == value)] for value, _label in SCORES
        )
        return mark_safe(radios), mark_safe(options)  # both made of format_html's output


def _entries(
    audit: Audit,
    group: int | str,
    page: int,
    posted: dict[int, dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """One page of the chosen group's items, grouped by touch point (then the whole audit) and
    section; and how many pages the group has."""
    items = ChecklistItem.objects.filter(audit=audit)
    if group == WHOLE_AUDIT:
        items = items.filter(touch_point__isnull=True)
    elif group != EVERYTHING:
        items = items.filter(touch_point_id=int(group))
    pages = max(1, -(-items.count() // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown = list(
        items.select_related("touch_point__channel", "answer__answered_by").order_by("order", "pk")[
            (page - 1) * PAGE_SIZE : page * PAGE_SIZE
        ]
    )
    answers = [i.answer.pk for i in shown if getattr(i, "answer", None) is not None]
    files: dict[int, list[AuditFile]] = {}
    for stored in AuditFile.objects.filter(answer_id__in=answers).order_by("pk"):
        assert stored.answer_id is not None
        files.setdefault(stored.answer_id, []).append(stored)
    controls = _Controls()
    action = reverse("audits:checklist", args=[audit.pk])  # + "<item>/answer/"
    groups: dict[int | None, dict[str, Any]] = {}
    for item in shown:
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
        entry["radios"], entry["score_options"] = controls.render(item.pk, entry["values"])
        entry["id"] = str(item.pk)
        entry["action"] = f"{action}{item.pk}/answer/"
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
    return ordered, pages


def _page(
    request: AuthenticatedHttpRequest,
    audit: Audit,
    *,
    posted: dict[int, dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    progress = services.progress(audit)
    group = _choose_group(_group_filter(source.get("tp")), progress)
    page = parse_id(source.get("page")) or 1
    groups, pages = _entries(audit, group, page, posted or {})
    page = min(page, pages)
    conduct = audit.is_open and can(request.user, audit, "conduct")
    return render(
        request,
        "audits/checklist/page.html",
        {
            "audit": audit,
            "groups": groups,
            "progress": progress,
            "group": group,
            "page": page,
            "pages": pages,
            "previous": page - 1 if page > 1 else None,
            "next": page + 1 if page < pages else None,
            "conduct": conduct,
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
        back = _group_filter(request.POST.get("tp"))
        url = reverse("audits:checklist", args=[audit.pk])
        if back is not None:
            url += f"?tp={back}&page={parse_id(request.POST.get('page')) or 1}"
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
