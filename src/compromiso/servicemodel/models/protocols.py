"""Attention protocols: the minimum way of attending users at a touch point, as a sequence of
steps with an observable behaviour and the standard it must meet, and what changes on each
channel. A protocol applies to every touch point of its channel kind, and a touch point can add
or exclude a protocol (`ProtocolOverride`). Each step is a checklist item for audits and
mystery shopping."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import ChannelKind, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import Organization

MAX_STEPS = 30


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("In force")
    RETIRED = "retired", _("Retired")


class ProtocolQuerySet(models.QuerySet["Protocol"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "ProtocolQuerySet":
        """Protocols are the whole organisation's: every member sees them."""
        return scope_for(user, perm).filter(self, organization_wide_if_touched=True)

    def active(self) -> "ProtocolQuerySet":
        return self.filter(status=ProtocolStatus.ACTIVE)


class Protocol(TimeStampedModel):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(
        _("purpose"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    channel_kind = models.CharField(
        _("applies to channels of kind"),
        max_length=12,
        choices=ChannelKind.choices,
        blank=True,
        help_text=_("Empty: it applies only to the touch points it is added to."),
    )
    status = models.CharField(
        _("state"), max_length=10, choices=ProtocolStatus.choices, default=ProtocolStatus.DRAFT
    )
    is_public = models.BooleanField(
        _("shown to the public"),
        default=True,
        help_text=_("Users can read it on the organisation's promise page."),
    )

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        verbose_name = _("attention protocol")
        verbose_name_plural = _("attention protocols")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="protocol_name_once",
                violation_error_message=_("Another protocol has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProtocolStep(models.Model):
    """A step of the protocol: what the employee visibly does and the standard it must meet."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    behaviour = models.CharField(_("observable behaviour"), max_length=300)
    standard = models.TextField(
        _("standard it must meet"),
        blank=True,
        max_length=1000,
        validators=[MaxLengthValidator(1000)],
    )

    class Meta:
        verbose_name = _("protocol step")
        verbose_name_plural = _("protocol steps")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.behaviour


class StepVariant(models.Model):
    """How a step is done on one channel kind (a greeting at the counter, on the phone…)."""

    step = models.ForeignKey(ProtocolStep, on_delete=models.CASCADE, related_name="variants")
    channel_kind = models.CharField(_("channel"), max_length=12, choices=ChannelKind.choices)
    text = models.CharField(_("on this channel"), max_length=500)

    class Meta:
        verbose_name = _("channel variant")
        verbose_name_plural = _("channel variants")
        ordering = ["channel_kind"]
        constraints = [
            models.UniqueConstraint(fields=["step", "channel_kind"], name="step_variant_once")
        ]

    def __str__(self) -> str:
        return self.text


class ProtocolOverride(models.Model):
    """A touch point adds a protocol (`applies`) or excludes one its channel kind would bring."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="overrides")
    touch_point = models.ForeignKey(TouchPoint, on_delete=models.CASCADE, related_name="+")
    applies = models.BooleanField(_("applies"), default=True)

    class Meta:
        verbose_name = _("protocol of a touch point")
        verbose_name_plural = _("protocols of touch points")
        constraints = [
            models.UniqueConstraint(
                fields=["protocol", "touch_point"], name="protocol_override_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.protocol} · {self.touch_point}"


class CheckMethod(models.TextChoices):
    SUPERVISION = "supervision", _("Supervisor observation")
    SELF = "self", _("Self-assessment")
    AUDIT = "audit", _("Audit")
    MYSTERY = "mystery", _("Mystery shopping")


class StepOutcome(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NOT_APPLICABLE = "na", _("Not applicable")


class ProtocolCheckQuerySet(models.QuerySet["ProtocolCheck"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "ProtocolCheckQuerySet":
        """Observations of touch points of units in the user's scope."""
        return scope_for(user, perm).filter(self, path_field="touch_point__unit__path")


class ProtocolCheck(TimeStampedModel):
    """One observation of a protocol at a touch point: every step of it met, not met or not
    applicable. Supervisors, the staff themselves, audits and mystery shoppers record them; the
    share of applicable steps met is the protocol's compliance (`servicemodel/compliance.py`)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.ForeignKey(
        TouchPoint, verbose_name=_("touch point"), on_delete=models.PROTECT, related_name="+"
    )
    protocol = models.ForeignKey(
        Protocol, verbose_name=_("protocol"), on_delete=models.PROTECT, related_name="checks"
    )
    observed_on = models.DateField(_("observed on"))
    method = models.CharField(_("method"), max_length=12, choices=CheckMethod.choices)
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("observer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(
        _("note"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)]
    )

    objects = ProtocolCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("protocol observation")
        verbose_name_plural = _("protocol observations")
        ordering = ["-observed_on", "-pk"]
        indexes = [models.Index(fields=["organization", "observed_on"])]

    def __str__(self) -> str:
        return f"{self.protocol} · {self.touch_point} · {self.observed_on}"


class StepResult(models.Model):
    """What was observed of one step: met, not met or not applicable, with a comment."""

    check_of = models.ForeignKey(ProtocolCheck, on_delete=models.CASCADE, related_name="results")
    step = models.ForeignKey(ProtocolStep, on_delete=models.PROTECT, related_name="results")
    outcome = models.CharField(_("result"), max_length=8, choices=StepOutcome.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("step result")
        verbose_name_plural = _("step results")
        ordering = ["step__order", "step__pk"]
        constraints = [
            models.UniqueConstraint(fields=["check_of", "step"], name="step_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.step} · {self.get_outcome_display()}"
