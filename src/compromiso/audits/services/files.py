"""Files uploaded to an audit: checked for their real type (read from the first bytes, never
trusted from the name or the browser) and their size, fingerprinted with SHA-256, and kept under
a random name. They are downloaded only through a view that checks who asks."""

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compromiso.audits.models import Answer, Audit, AuditFile, Evidence, InformationRequest
from compromiso.cases import files
from compromiso.core.actors import Actor, user_of
from compromiso.core.audit import log_action

MAX_BYTES = files.MAX_BYTES
MAX_FILES_PER_UPLOAD = files.MAX_FILES
MAX_FILES_PER_ITEM = 20


def _refuse(message: str, name: str) -> ValidationError:
    return ValidationError({"files": message % {"name": name}})


def display_name(name: str) -> str:
    """The name as given, for messages: no folders, no control characters, at most 150."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:150] or "—"


def check_upload(upload: Any) -> tuple[str, str]:
    """The (content type, extension) of an acceptable upload; a ValidationError otherwise."""
    name = display_name(upload.name or "")
    size = upload.size
    if size is None or size > MAX_BYTES:
        raise _refuse(_("“%(name)s” is larger than 10 MB."), name)
    if size == 0:
        raise _refuse(_("“%(name)s” is empty."), name)
    stream = upload.file if hasattr(upload, "file") else upload
    try:
        found = files.sniff(stream)
    except files.ArchiveTooLargeError:
        found = None
    if found is None:
        raise _refuse(
            _(
                "“%(name)s” is not an accepted type (PDF, images, text, Office or OpenDocument "
                "files)."
            ),
            name,
        )
    return found


def check_uploads(uploads: list[Any], already: int = 0) -> None:
    """Check a batch before anything is stored, so that one bad file keeps none."""
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ValidationError(
            {"files": _("Attach at most %(count)d files.") % {"count": MAX_FILES_PER_UPLOAD}}
        )
    if already + len(uploads) > MAX_FILES_PER_ITEM:
        raise ValidationError({"files": _("This item already has too many files.")})
    for upload in uploads:
        check_upload(upload)


def store_file(
    audit: Audit,
    upload: Any,
    *,
    by: Actor,
    request: InformationRequest | None = None,
    answer: Answer | None = None,
    evidence: Evidence | None = None,
) -> AuditFile:
    """Store one checked file with what it belongs to. The caller has checked permission and
    runs inside its own transaction."""
    content_type, extension = check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = AuditFile(
        audit=audit,
        name=files.safe_filename(upload.name or "", extension),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=user_of(by),
        request=request,
        answer=answer,
        evidence=evidence,
    )
    stored.file.save(stored.name, upload, save=False)
    stored.save()
    log_action(
        audit,
        "audits.file.uploaded",
        by=by,
        data={"file": stored.pk, "sha256": stored.sha256, "size": stored.size},
    )
    return stored
