"""Appointments: the slots a branch offers per queue (from its opening hours and the business
calendar), and the bookings citizens make on the portal without an account."""

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models.branches import Branch, Queue
from compromiso.attention.models.directory import Procedure
from compromiso.attention.models.visits import CODE_ALPHABET, Visit
from compromiso.catalog.models import Service
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization

__all__ = ["CODE_ALPHABET", "Appointment", "AppointmentStatus", "SlotPlan"]


class SlotPlan(TimeStampedModel):
    """How a queue takes appointments: slots of `slot_minutes` within the branch's opening
    hours on its business days, `capacity` people per slot, bookable `horizon_days` ahead."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="slot_plans")
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.CASCADE, related_name="+"
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("minutes per slot"), default=15, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("people per slot"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("bookable days ahead"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    valid_from = models.DateField(_("from"), default=dt.date.today)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("appointment plan")
        verbose_name_plural = _("appointment plans")

    def __str__(self) -> str:
        return f"{self.branch} · {self.queue}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    NO_SHOW = "no_show", _("Did not come")


class Appointment(TimeStampedModel):
    """A booking for a slot. The confirmation `code` and the secret in the e-mailed link let the
    citizen change or cancel it without an account."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="appointments"
    )
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="+"
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
    starts_at = models.DateTimeField(_("time"), db_index=True)
    ends_at = models.DateTimeField()
    code = models.CharField(_("confirmation code"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    changes = models.PositiveSmallIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    visit = models.OneToOneField(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointment"
    )

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["branch", "queue", "starts_at", "status"])]

    def __str__(self) -> str:
        return f"{self.code} · {self.starts_at:%Y-%m-%d %H:%M}"
