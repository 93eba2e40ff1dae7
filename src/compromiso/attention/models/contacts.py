"""Contacts on the other channels: phone calls, web chats, e-mails and self-service sessions,
one row each (typed by an agent or imported), and the interval figures a contact centre's
telephony exports (calls offered, answered, abandoned, answer times), per ISO 18295-1."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models.directory import Procedure
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization


class ContactKind(models.TextChoices):
    PHONE = "phone", _("Phone call")
    CHAT = "chat", _("Web chat")
    EMAIL = "email", _("E-mail")
    SELF_SERVICE = "self_service", _("Self-service")


class ContactOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    ANSWERED = "answered", _("Answered, not resolved")
    REFERRED = "referred", _("Referred to a branch or another body")
    ABANDONED = "abandoned", _("Abandoned before an answer")


class ContactSource(models.TextChoices):
    AGENT = "agent", _("Entered by an agent")
    IMPORT = "import", _("Imported")
    KIOSK = "kiosk", _("Recorded by a self-service module")


class Contact(TimeStampedModel):
    """One contact on a channel other than a branch queue."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=14, choices=ContactKind.choices)
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    touch_point = models.ForeignKey(
        TouchPoint,
        verbose_name=_("touch point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    wait_seconds = models.PositiveIntegerField(_("seconds to answer"), null=True, blank=True)
    handle_seconds = models.PositiveIntegerField(_("handling seconds"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ContactOutcome.choices)
    first_contact_resolution = models.BooleanField(_("resolved at the first contact"), null=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(
        max_length=8, choices=ContactSource.choices, default=ContactSource.AGENT
    )
    external_id = models.CharField(max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["organization", "kind", "started_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="contact_external_id_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


class ContactInterval(models.Model):
    """A contact centre's figures for one line over one interval (e.g. 30 minutes), as its
    telephony reports them. `answered_within` counts calls answered within `threshold_seconds`;
    `short_abandoned` counts calls abandoned before the short-abandon limit (not offered to
    staff in every service-level convention)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.ForeignKey(
        TouchPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    line = models.CharField(_("line or skill"), max_length=120, blank=True)
    starts_at = models.DateTimeField(db_index=True)
    minutes = models.PositiveSmallIntegerField(default=30)
    threshold_seconds = models.PositiveSmallIntegerField(default=20)
    offered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_within = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    abandoned_within = models.PositiveIntegerField(default=0)  # abandoned before the threshold
    short_abandoned = models.PositiveIntegerField(default=0)
    answer_seconds = models.PositiveBigIntegerField(default=0)  # total time to answer
    handle_seconds = models.PositiveBigIntegerField(default=0)  # total talk + wrap-up time
    resolved_first_contact = models.PositiveIntegerField(null=True, blank=True)
    import_job = models.ForeignKey(
        "attention.ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "line", "starts_at"], name="contact_interval_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.line} {self.starts_at:%Y-%m-%d %H:%M}"
