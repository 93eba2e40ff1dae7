"""Redress for a broken service promise."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models.case import Case
from compromiso.catalog.models import Service


class RedressKind(models.TextChoices):
    APOLOGY = "apology", _("Apology")
    REFUND = "refund", _("Refund")
    FEE_WAIVER = "fee_waiver", _("Fee waiver")
    PRIORITY = "priority", _("Priority attention")
    OTHER = "other", _("Other")


class Redress(models.Model):
    """Whether a service promise was broken and what the requester was given for it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="redresses")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="redresses"
    )
    breached = models.BooleanField(_("a commitment was breached"), default=True)
    # The charter guarantee that promised this redress (string reference: charters reads cases).
    commitment = models.ForeignKey(
        "charters.Commitment",
        verbose_name=_("guarantee breached"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redresses",
    )
    kind = models.CharField(_("redress"), max_length=12, choices=RedressKind.choices)
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("redress")
        verbose_name_plural = _("redress")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.get_kind_display()}"
