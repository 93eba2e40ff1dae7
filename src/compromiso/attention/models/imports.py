"""Files imported from other systems: a queue system's visit events, a contact centre's
contacts or interval figures. Columns are mapped on a page; every rejected row keeps its
reason."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models.branches import Branch
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization


class ImportKind(models.TextChoices):
    VISITS = "visits", _("Visits from a queue system")
    CONTACTS = "contacts", _("Contacts, one per row")
    INTERVALS = "intervals", _("Contact-centre figures per interval")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, columns to map")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(TimeStampedModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what"), max_length=10, choices=ImportKind.choices)
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(upload_to="attention-imports/")
    file_name = models.CharField(max_length=200)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list)  # [{"row": 12, "reason": "…"}]
    message = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name
