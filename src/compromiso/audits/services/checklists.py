"""The audit's checklist: generated from the scope (`audits/checklist_builder.py`), items the
auditor adds, and the answers given on a phone at the counter.

Generating again after the scope changed adds the new items, refreshes the texts of the
unanswered ones and removes the unanswered ones that left the scope; an answered item (or one
with evidence) is never removed.

An answer is saved idempotently: each submission carries the id its device generated
(`client_id`); a submission already applied changes nothing and gets the answer back, so a phone
that lost the reply can resend safely. Each submission also carries the revision the device last
saw; when someone else changed the answer since, it is refused (`StaleAnswer`, a 409 on the
page) with the current answer, and the person chooses which to keep."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.audits.access import can
from compromiso.audits.checklist_builder import build_checklist
from compromiso.audits.models import (
    OPEN_AUDIT_STATUSES,
    Answer,
    AnswerResult,
    AnswerSubmission,
    Audit,
    ChecklistItem,
    ItemSource,
)
from compromiso.audits.services.files import check_uploads, store_file
from compromiso.catalog.models import TouchPoint
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError

MAX_ITEMS = 10_000
FREE_ORDER = 1_000_000  # free items come after the generated ones
RESULTS = (
    AnswerResult.CONFORM,
    AnswerResult.PARTIAL,
    AnswerResult.NONCONFORM,
    AnswerResult.NOT_APPLICABLE,
)
MAX_SCORE = 5
REFRESHED = ("section", "text", "guidance", "commitment", "protocol_step", "framework_node")


class ChecklistError(DomainError):
    pass


class StaleAnswer(ChecklistError):  # noqa: N818 (reads as the domain says it)
    """The answer changed since the device last saw it."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(
            _("Someone changed this answer since you opened it. Choose which one to keep."),
            code="stale",
        )
        self.answer = answer


def _require(audit: Audit, by: Actor) -> None:
    if not can(by, audit, "conduct"):
        raise PermissionDenied(_("You do not have permission to do this."))
    if audit.status not in OPEN_AUDIT_STATUSES:
        raise ChecklistError(_("This audit is closed."), code="closed")


@dataclass(frozen=True)
class Generated:
    added: int
    removed: int
    kept_out_of_scope: int  # answered items no longer in scope, kept


def _is_answered(item: ChecklistItem) -> bool:
    answer = getattr(item, "answer", None)
    return answer is not None and answer.result != AnswerResult.NOT_ASSESSED


@transaction.atomic
def generate_checklist(audit: Audit, *, by: Actor) -> Generated:
    """Make the checklist match the audit's scope (see the module's rule)."""
    _require(audit, by)
    audit = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=audit.pk)
    )
    specs = list({spec.key: spec for spec in build_checklist(audit)}.values())
    if len(specs) > MAX_ITEMS:
        raise ChecklistError(
            _("The scope calls for more than %(count)d items: narrow it.") % {"count": MAX_ITEMS}
        )
    existing = {
        item.key: item
        for item in ChecklistItem.objects.filter(audit=audit)
        .select_related("answer")
        .prefetch_related("evidence")
    }
    wanted = {spec.key for spec in specs}
    created: list[ChecklistItem] = []
    refreshed: list[ChecklistItem] = []
    for order, spec in enumerate(specs, start=1):
        item = existing.get(spec.key)
        if item is None:
            created.append(
                ChecklistItem(
                    audit=audit,
                    key=spec.key,
                    order=order,
                    source=spec.source,
                    section=spec.section,
                    text=spec.text,
                    guidance=spec.guidance,
                    commitment=spec.commitment,
                    touch_point=spec.touch_point,
                    protocol_step=spec.protocol_step,
                    framework_node=spec.framework_node,
                )
            )
            continue
        item.order = order
        if not _is_answered(item):
            for name in REFRESHED:
                setattr(item, name, getattr(spec, name))
        refreshed.append(item)
    ChecklistItem.objects.bulk_create(created)
    ChecklistItem.objects.bulk_update(refreshed, ["order", *REFRESHED])
    removed: list[str] = []
    kept = 0
    for key, item in existing.items():
        if key in wanted or item.source == ItemSource.FREE:
            continue
        if _is_answered(item) or item.evidence.exists():
            kept += 1
        else:
            item.delete()
            removed.append(key)
    result = Generated(added=len(created), removed=len(removed), kept_out_of_scope=kept)
    log_action(
        audit,
        "audits.checklist.generated",
        by=by,
        data={
            "added": result.added,
            "removed": removed[:500],  # the keys say what each one checked
            "kept": kept,
            "total": len(specs),
        },
    )
    return result


@transaction.atomic
def add_checklist_item(
    audit: Audit,
    *,
    by: Actor,
    text: str,
    section: str = "",
    guidance: str = "",
    touch_point: TouchPoint | None = None,
) -> ChecklistItem:
    """An item the auditor adds by hand, at a touch point in scope or for the whole audit."""
    _require(audit, by)
    if audit.checklist.count() >= MAX_ITEMS:
        raise ChecklistError(_("A checklist has at most %(count)d items.") % {"count": MAX_ITEMS})
    if touch_point is not None and not audit.touch_points.filter(pk=touch_point.pk).exists():
        raise ValidationError({"touch_point": _("Choose a touch point in the audit's scope.")})
    last = audit.checklist.filter(source=ItemSource.FREE).count()
    item = ChecklistItem(
        audit=audit,
        key=f"free:{uuid.uuid4().hex}",
        order=FREE_ORDER + last + 1,
        source=ItemSource.FREE,
        section=(section or "").strip() or _("Added by the auditor"),
        text=(text or "").strip(),
        guidance=(guidance or "").strip(),
        touch_point=touch_point,
    )
    item.full_clean(exclude=["audit"])
    item.save()
    log_action(item, "audits.checklist.item_added", by=by, data={"audit": audit.pk})
    return item


@dataclass(frozen=True)
class Saved:
    answer: Answer
    duplicate: bool  # this submission had been applied already: nothing changed


def _clean_answer(result: str, score: int | None, notes: str) -> str:
    if result not in RESULTS:
        raise ValidationError({"result": _("Choose a result.")})
    if score is not None and not 0 <= score <= MAX_SCORE:
        raise ValidationError({"score": _("The score is from 0 to 5.")})
    notes = (notes or "").strip()
    if len(notes) > 5000:
        raise ValidationError({"notes": _("At most 5,000 characters.")})
    return notes


@transaction.atomic
def save_answer(
    item: ChecklistItem,
    *,
    by: Actor,
    result: str,
    client_id: uuid.UUID,
    revision: int,
    score: int | None = None,
    notes: str = "",
    uploads: Sequence[Any] = (),
) -> Saved:
    """Save the answer to an item (see the module's rule on `client_id` and `revision`;
    `revision` is 0 when the device saw no answer yet)."""
    _require(item.audit, by)
    # Lock the item: two submissions for it at once (two phones, or one resent) are settled one
    # after the other, the second seeing what the first did.
    ChecklistItem.objects.select_for_update().filter(pk=item.pk).first()
    done = AnswerSubmission.objects.select_related("answer").filter(client_id=client_id).first()
    if done is not None:
        if done.answer.item_id != item.pk:
            raise ValidationError({"client_id": _("This submission belongs to another item.")})
        return Saved(done.answer, duplicate=True)
    notes = _clean_answer(result, score, notes)
    uploads = list(uploads)
    answer = Answer.objects.filter(item=item).first()
    current = answer.revision if answer is not None else 0
    if revision != current:
        if answer is None:
            raise ValidationError({"revision": _("This answer is not known.")})
        raise StaleAnswer(answer)
    check_uploads(uploads, already=answer.files.count() if answer else 0)
    before = (answer.result, answer.score, answer.notes) if answer else None
    if answer is None:
        answer = Answer(item=item, revision=1)
    else:
        answer.revision += 1
    answer.result = result
    answer.score = score
    answer.notes = notes
    answer.answered_by = user_of(by)
    answer.answered_at = timezone.now()
    answer.client_id = client_id
    answer.full_clean(exclude=["item", "answered_by"])
    answer.save()
    try:
        with transaction.atomic():
            AnswerSubmission.objects.create(
                answer=answer,
                client_id=client_id,
                revision=answer.revision,
                result=result,
                submitted_by=user_of(by),
            )
    except IntegrityError:
        # Only a submission of another item racing this one can get here: refuse it whole.
        raise ChecklistError(_("This answer is being saved already."), code="busy") from None
    stored = [store_file(item.audit, upload, by=by, answer=answer) for upload in uploads]
    log_action(
        answer,
        "audits.answer.saved",
        by=by,
        data={
            "item": item.pk,
            "revision": answer.revision,
            "before": list(before) if before else None,
            "result": result,
            "score": score,
            "files": [f.pk for f in stored],
        },
    )
    return Saved(answer, duplicate=False)


def progress(audit: Audit) -> list[dict[str, Any]]:
    """Answered ÷ total items per touch point (items for the whole audit under None), in the
    checklist's order, counted in one query. An item counts as answered once it has a result
    other than "not assessed"."""
    answered = Q(answer__isnull=False) & ~Q(answer__result=AnswerResult.NOT_ASSESSED)
    counts = (
        ChecklistItem.objects.filter(audit=audit)
        .values("touch_point_id")
        .annotate(total=Count("pk"), answered=Count("pk", filter=answered), first=Min("order"))
        .order_by("first", "touch_point_id")
    )
    rows = list(counts)
    points = TouchPoint.objects.in_bulk([r["touch_point_id"] for r in rows if r["touch_point_id"]])
    result = []
    for row in rows:
        point = points.get(row["touch_point_id"]) if row["touch_point_id"] else None
        total, done = row["total"], row["answered"]
        result.append(
            {
                "touch_point": point,
                "answered": done,
                "total": total,
                "percent": round(100 * done / total) if total else 0,
            }
        )
    # The items of the whole audit come last, as on the page.
    return [r for r in result if r["touch_point"]] + [r for r in result if not r["touch_point"]]
