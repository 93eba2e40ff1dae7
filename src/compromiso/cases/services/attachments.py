"""Files stored with a case, checked for their real type and size."""

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compromiso.cases import files
from compromiso.cases.models import (
    Attachment,
    Case,
    CaseEvent,
)
from compromiso.cases.services.guards import is_person, person, require_handler
from compromiso.core.actors import Actor
from compromiso.core.audit import log_action

# --- Attachments ------------------------------------------------------------------------------


def add_attachment(
    case: Case,
    upload: Any,
    *,
    by: Actor,
    event: CaseEvent | None = None,
    public: bool = True,
    check_permission: bool = True,
) -> Attachment:
    """Store a file with the case after checking its real type and size."""
    if check_permission and is_person(by):
        require_handler(case, by)
    if case.attachments.count() >= files.MAX_FILES * 4:
        raise ValidationError({"files": _("This case already has too many attachments.")})
    size = upload.size
    if size is None or size > files.MAX_BYTES:
        raise ValidationError(
            {"files": _("“%(name)s” is larger than 10 MB.") % {"name": upload.name}}
        )
    if size == 0:
        raise ValidationError({"files": _("“%(name)s” is empty.") % {"name": upload.name}})
    try:
        found = files.sniff(upload.file if hasattr(upload, "file") else upload)
    except files.ArchiveTooLargeError as refused:
        raise ValidationError(
            {
                "files": _("“%(name)s” is not accepted: %(reason)s.")
                % {"name": upload.name, "reason": refused}
            }
        ) from None
    if found is None:
        raise ValidationError(
            {
                "files": _(
                    "“%(name)s” is not an accepted type (PDF, images, text, Office or "
                    "OpenDocument files)."
                )
                % {"name": upload.name}
            }
        )
    content_type, extension = found
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        case=case,
        event=event,
        filename=files.safe_filename(upload.name or "", extension),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        is_public=public,
        uploaded_by=person(by),
    )
    attachment.file.save(attachment.filename, upload, save=False)
    attachment.save()
    log_action(case, "cases.attachment.added", by=by, data={"attachment": attachment.pk})
    return attachment
