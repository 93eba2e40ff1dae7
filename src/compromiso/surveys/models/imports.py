"""Bulk imports of responses from a file."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.core.models import TimeStampedModel
from compromiso.surveys.models.waves import Wave


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded: map the columns")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed: nothing was imported")


class ImportJob(TimeStampedModel):
    """An import of responses from a CSV or XLSX file: the column mapping, the progress, and the
    report of every rejected row and why. Valid rows go in together or not at all."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to="survey-imports/")
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    # [[row number, reason], ...]
    rejected = models.JSONField(default=list)
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
