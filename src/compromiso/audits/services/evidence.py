"""Every change of an audit's evidence: a snapshot of live data taken (and never edited), a
file, an observation or an interview note recorded, and the review (draft → in review →
approved or rejected, by someone of the team other than whoever took it), with an expiry date
after which the evidence no longer counts as valid.

Evidence is added and reviewed by whoever conducts the audit (`compromiso.audits.access`), while
the audit is open."""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compromiso.audits import snapshots
from compromiso.audits.access import can
from compromiso.audits.models import (
    Audit,
    AuditFile,
    ChecklistItem,
    Evidence,
    EvidenceKind,
    ReviewStatus,
)
from compromiso.cases import files
from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.ids import parse_id

MAX_FILES_PER_EVIDENCE = 10
NOTE_KINDS = (EvidenceKind.FILE, EvidenceKind.OBSERVATION, EvidenceKind.INTERVIEW)
EDITABLE_FIELDS = ("title", "description", "touch_point", "commitment", "checklist_item")


class EvidenceError(DomainError):
    pass


def require_conduct(audit: Audit, by: Actor) -> None:
    """Only someone conducting the audit, and only while it is open."""
    if not can(by, audit, "conduct"):
        raise PermissionDenied(_("You do not have permission to do this."))
    if not audit.is_open:
        raise EvidenceError(_("This audit is closed: its evidence can no longer change."))


def is_expired(evidence: Evidence, today: dt.date) -> bool:
    return evidence.expires_on is not None and evidence.expires_on < today


def is_valid(evidence: Evidence, today: dt.date) -> bool:
    """Approved and not past its expiry date: the evidence a conclusion may rest on."""
    return evidence.review_status == ReviewStatus.APPROVED and not is_expired(evidence, today)


def valid_evidence(audit: Audit, today: dt.date | None = None) -> QuerySet[Evidence]:
    today = today or audit.organization.today()
    return audit.evidence.filter(review_status=ReviewStatus.APPROVED).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today)
    )


def verify(evidence: Evidence) -> bool | None:
    """Whether a snapshot's stored payload still has the fingerprint taken with it (None for
    evidence that is not a snapshot)."""
    if evidence.kind != EvidenceKind.SNAPSHOT:
        return None
    return snapshots.fingerprint(evidence.payload) == evidence.fingerprint


def _item(audit: Audit, value: Any) -> ChecklistItem | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, ChecklistItem) else parse_id(value)
    item = audit.checklist.filter(pk=pk).first() if pk is not None else None
    if item is None:
        raise ValidationError({"checklist_item": _("Choose an item of this audit's checklist.")})
    return item


def _expiry(value: dt.date | None, taken: dt.date) -> dt.date | None:
    if value is not None and value < taken:
        raise ValidationError(
            {"expires_on": _("The expiry date is before the evidence was taken.")}
        )
    return value


@transaction.atomic
def take_snapshot(
    audit: Audit,
    kind: str,
    *,
    by: Actor,
    checklist_item: Any = None,
    expires_on: dt.date | None = None,
    **params: Any,
) -> Evidence:
    """Freeze what the system knows now (see `compromiso.audits.snapshots`) as evidence of the
    audit, with the moment and the SHA-256 fingerprint of its canonical JSON."""
    require_conduct(audit, by)
    item = _item(audit, checklist_item)
    with translation.override(audit.organization.language):
        snapshot = snapshots.build(audit, kind, params)
    payload = snapshots.frozen(snapshot.payload)
    now = timezone.now()
    evidence = Evidence(
        audit=audit,
        kind=EvidenceKind.SNAPSHOT,
        snapshot_kind=kind,
        title=snapshot.title[:200],
        payload=payload,
        fingerprint=snapshots.fingerprint(payload),
        taken_at=now,
        taken_by=user_of(by),
        commitment=snapshot.commitment or (item.commitment if item else None),
        touch_point=snapshot.touch_point or (item.touch_point if item else None),
        sample=snapshot.sample,
        checklist_item=item,
        expires_on=_expiry(expires_on, audit.organization.local(now).date()),
    )
    evidence.full_clean()
    evidence.save()
    log_action(
        audit,
        "audits.evidence.snapshot_taken",
        by=by,
        data={"evidence": evidence.pk, "kind": kind, "fingerprint": evidence.fingerprint},
    )
    return evidence


def _reference[M: Model](rows: QuerySet[M], value: Any, field: str, message: str) -> M | None:
    if value in (None, ""):
        return None
    pk = value.pk if hasattr(value, "pk") else parse_id(value)
    found = rows.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError({field: message})
    return found


def _set_fields(evidence: Evidence, fields: Mapping[str, Any]) -> None:
    audit = evidence.audit
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise TypeError(name)
        if name == "touch_point":
            value = _reference(
                snapshots.touch_points_in_scope(audit),
                value,
                name,
                _("Choose a touch point in the audit's scope."),
            )
        elif name == "commitment":
            value = _reference(
                snapshots.commitments_in_scope(audit),
                value,
                name,
                _("Choose a commitment of the charters this audit covers."),
            )
        elif name == "checklist_item":
            value = _item(audit, value)
        elif isinstance(value, str):
            value = value.strip()
        setattr(evidence, name, value)
    if evidence.checklist_item is not None:
        evidence.touch_point = evidence.touch_point or evidence.checklist_item.touch_point
        evidence.commitment = evidence.commitment or evidence.checklist_item.commitment


def _store_file(evidence: Evidence, upload: Any, by: Actor) -> AuditFile:
    """Keep an uploaded file with the evidence after checking its real type and size."""
    name = upload.name or ""
    size = upload.size
    if size is None or size > files.MAX_BYTES:
        raise ValidationError({"uploads": _("“%(name)s” is larger than 10 MB.") % {"name": name}})
    if size == 0:
        raise ValidationError({"uploads": _("“%(name)s” is empty.") % {"name": name}})
    try:
        found = files.sniff(upload.file if hasattr(upload, "file") else upload)
    except files.ArchiveTooLargeError as refused:
        raise ValidationError(
            {
                "uploads": _("“%(name)s” is not accepted: %(reason)s.")
                % {"name": name, "reason": refused}
            }
        ) from None
    if found is None:
        raise ValidationError(
            {
                "uploads": _(
                    "“%(name)s” is not an accepted type (PDF, images, text, Office or "
                    "OpenDocument files)."
                )
                % {"name": name}
            }
        )
    content_type, extension = found
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = AuditFile(
        audit=evidence.audit,
        evidence=evidence,
        name=files.safe_filename(name, extension),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=user_of(by),
    )
    stored.file.save(stored.name, upload, save=False)
    stored.save()
    return stored


def _store_files(evidence: Evidence, uploads: Iterable[Any], by: Actor) -> list[AuditFile]:
    uploads = list(uploads)
    if evidence.files.count() + len(uploads) > MAX_FILES_PER_EVIDENCE:
        raise ValidationError(
            {
                "uploads": _("At most %(count)d files per piece of evidence.")
                % {"count": MAX_FILES_PER_EVIDENCE}
            }
        )
    return [_store_file(evidence, upload, by) for upload in uploads]


@transaction.atomic
def record_evidence(
    audit: Audit,
    kind: str,
    *,
    by: Actor,
    uploads: Iterable[Any] = (),
    expires_on: dt.date | None = None,
    **fields: Any,
) -> Evidence:
    """A document or file, an observation or an interview note, as a draft. A file needs at
    least one upload; an observation or interview needs its text."""
    require_conduct(audit, by)
    if kind not in NOTE_KINDS:
        raise ValidationError({"kind": _("Snapshots are taken from the data, not typed.")})
    uploads = list(uploads)
    now = timezone.now()
    evidence = Evidence(audit=audit, kind=kind, taken_at=now, taken_by=user_of(by))
    _set_fields(evidence, fields)
    evidence.expires_on = _expiry(expires_on, audit.organization.local(now).date())
    if kind == EvidenceKind.FILE and not uploads:
        raise ValidationError({"uploads": _("Choose the file to keep as evidence.")})
    if kind != EvidenceKind.FILE and not evidence.description:
        raise ValidationError({"description": _("Write what was observed or said.")})
    evidence.full_clean()
    evidence.save()
    stored = _store_files(evidence, uploads, by)
    log_action(
        audit,
        "audits.evidence.recorded",
        by=by,
        data={"evidence": evidence.pk, "kind": kind, "files": [f.pk for f in stored]},
    )
    return evidence


def _editable(evidence: Evidence) -> None:
    if evidence.kind == EvidenceKind.SNAPSHOT:
        raise EvidenceError(_("A snapshot is never edited: take a new one."), code="snapshot")
    if evidence.review_status not in (ReviewStatus.DRAFT, ReviewStatus.REJECTED):
        raise EvidenceError(
            _("Only evidence in draft or rejected can be changed."), code="not_editable"
        )


@transaction.atomic
def update_evidence(
    evidence: Evidence,
    *,
    by: Actor,
    uploads: Iterable[Any] = (),
    expires_on: dt.date | None = None,
    **fields: Any,
) -> Evidence:
    """Change a file, observation or interview note in draft (or rejected: it goes back to
    draft) and add files to it."""
    audit = evidence.audit
    require_conduct(audit, by)
    _editable(evidence)
    _set_fields(evidence, fields)
    evidence.expires_on = _expiry(expires_on, audit.organization.local(evidence.taken_at).date())
    if evidence.kind != EvidenceKind.FILE and not evidence.description:
        raise ValidationError({"description": _("Write what was observed or said.")})
    evidence.review_status = ReviewStatus.DRAFT
    evidence.full_clean()
    evidence.save()
    stored = _store_files(evidence, uploads, by)
    log_action(
        audit,
        "audits.evidence.updated",
        by=by,
        data={"evidence": evidence.pk, "fields": sorted(fields), "files": [f.pk for f in stored]},
    )
    return evidence


@transaction.atomic
def submit_evidence(evidence: Evidence, *, by: Actor) -> Evidence:
    """Ask the team to review a draft (or a rejected piece, once corrected)."""
    require_conduct(evidence.audit, by)
    if evidence.review_status not in (ReviewStatus.DRAFT, ReviewStatus.REJECTED):
        raise EvidenceError(_("Only a draft can be sent for review."), code="not_draft")
    return _move(evidence, ReviewStatus.IN_REVIEW, by=by)


def _move(evidence: Evidence, to: str, *, by: Actor, note: str = "") -> Evidence:
    data = {"evidence": evidence.pk, "from": evidence.review_status, "to": to}
    evidence.review_status = to
    fields = ["review_status"]
    if to in (ReviewStatus.APPROVED, ReviewStatus.REJECTED):
        evidence.reviewed_by = user_of(by)
        evidence.reviewed_at = timezone.now()
        evidence.review_note = note
        fields += ["reviewed_by", "reviewed_at", "review_note", "expires_on"]
    evidence.save(update_fields=fields)
    log_action(evidence.audit, f"audits.evidence.{to}", by=by, data=data)
    return evidence


def _taker(evidence: Evidence, by: Actor) -> bool:
    return (
        not isinstance(by, SystemActor)
        and evidence.taken_by_id is not None
        and evidence.taken_by_id == by.pk
    )


@transaction.atomic
def review_evidence(
    evidence: Evidence,
    *,
    by: Actor,
    approve: bool,
    note: str = "",
    expires_on: dt.date | None = None,
) -> Evidence:
    """Approve (someone other than whoever took it) or reject (with the reason) evidence in
    review; the reviewer may set until when it is valid."""
    audit = evidence.audit
    require_conduct(audit, by)
    if evidence.review_status != ReviewStatus.IN_REVIEW:
        raise EvidenceError(_("Only evidence in review can be approved or rejected."))
    note = note.strip()
    if len(note) > 1000:
        raise ValidationError({"note": _("At most 1,000 characters.")})
    if approve and _taker(evidence, by):
        raise EvidenceError(
            _("Someone other than the person who took the evidence must approve it."),
            code="own_evidence",
        )
    if not approve and not note:
        raise ValidationError({"note": _("Say why the evidence is rejected.")})
    if expires_on is not None:
        evidence.expires_on = _expiry(
            expires_on, audit.organization.local(evidence.taken_at).date()
        )
    return _move(
        evidence, ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED, by=by, note=note
    )


def can_review(evidence: Evidence, user: Actor) -> bool:
    """Whether `user` may approve this evidence now (the page offers the button)."""
    return (
        evidence.review_status == ReviewStatus.IN_REVIEW
        and evidence.audit.is_open
        and can(user, evidence.audit, "conduct")
        and not _taker(evidence, user)
    )


def log_download(stored: AuditFile, *, by: Actor) -> None:
    """Who downloaded which file of the audit (reading is recorded, nothing changes)."""
    log_action(stored.audit, "audits.evidence.file_downloaded", by=by, data={"file": stored.pk})
