"""Shared kernel models: the audit log. No domain nouns live here."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_object(self, obj: models.Model) -> "AuditEntryQuerySet":
        """Entries about one object, newest first."""
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=str(obj.pk)).order_by(
            "-created_at", "-pk"
        )


class AuditEntry(models.Model):
    """One recorded change: who did what to which object, when, with the details."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=150, blank=True)
    # A plain id, not a foreign key: core must not depend on the organisations app.
    organization_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    action = models.CharField(_("action"), max_length=100)
    data: models.JSONField[Any] = models.JSONField(
        _("details"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )


class RateCounter(models.Model):
    """Hits on a rate-limited key in its current window, in the database so that the limit
    holds across every process and server (see core/ratelimit.py)."""

    key = models.CharField(max_length=200, unique=True)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class ScheduledRun(models.Model):
    """One periodic job at one due time, claimed by the scheduler that inserts this row first:
    the unique (job, due_at) makes every due time run at most once across every node."""

    class Outcome(models.TextChoices):
        ENQUEUED = "enqueued", _("enqueued")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        BASELINE = "baseline", _("first start, not run")

    job = models.CharField(max_length=60)
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=120, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ENQUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: models.Manager["ScheduledRun"] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "due_at"], name="core_scheduledrun_once"),
        ]
        indexes = [models.Index(fields=["due_at"])]

    def __str__(self) -> str:
        return f"{self.job} @ {self.due_at:%Y-%m-%d %H:%M}: {self.outcome}"
