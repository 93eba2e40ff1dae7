"""Legal deadline policies: how long an organisation has to answer each kind of request."""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models.case import CaseKind
from compromiso.core.calendar import DeadlineUnit
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization


class DeadlinePolicy(TimeStampedModel):
    """How long the organisation has to answer one kind of request, and on what legal basis."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="deadline_policies",
    )
    kind = models.CharField(_("request kind"), max_length=24, choices=CaseKind.choices)
    unit = models.CharField(
        _("counted in"),
        max_length=16,
        choices=[
            (DeadlineUnit.BUSINESS_DAYS.value, _("business days")),
            (DeadlineUnit.CALENDAR_DAYS.value, _("calendar days")),
            (DeadlineUnit.MONTHS.value, _("months")),
            (DeadlineUnit.HOURS.value, _("business hours")),
        ],
        default=DeadlineUnit.BUSINESS_DAYS.value,
    )
    amount = models.PositiveSmallIntegerField(
        _("term"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    extension = models.PositiveSmallIntegerField(
        _("maximum extension"), default=0, validators=[MaxValueValidator(1000)]
    )
    extension_unit = models.CharField(
        _("extension counted in"),
        max_length=16,
        blank=True,
        help_text=_("Empty: the same unit as the term."),
        choices=[
            (DeadlineUnit.BUSINESS_DAYS.value, _("business days")),
            (DeadlineUnit.CALENDAR_DAYS.value, _("calendar days")),
            (DeadlineUnit.MONTHS.value, _("months")),
            (DeadlineUnit.HOURS.value, _("business hours")),
        ],
    )
    extension_requires_notice = models.BooleanField(
        _("the requester must be told of an extension"), default=False
    )
    legal_basis = models.TextField(
        _("legal basis"), max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    external_recourse = models.TextField(
        _("external recourse"),
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text=_("Where the requester can turn if they disagree with the answer."),
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                name="deadline_policy_one_per_kind",
                violation_error_message=_("This kind of request already has a deadline policy."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} {self.get_unit_display()}"
