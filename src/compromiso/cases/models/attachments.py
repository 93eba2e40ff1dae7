"""Files stored with a case."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models.case import Case
from compromiso.cases.models.events import CaseEvent


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the uploaded name on disk: a random one, so names cannot collide or be guessed.
    return f"cases/{instance.case.organization_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file that came with a case or a reply, its type sniffed from its content."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(_("visible to the requester"), default=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename
