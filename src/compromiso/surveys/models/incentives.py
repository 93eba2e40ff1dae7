"""Incentive schemes tied to satisfaction targets, and their yearly results."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization, Unit
from compromiso.surveys.models.waves import Wave


class BonusMetric(models.TextChoices):
    NET_SCORE = "net_score", _("Net satisfaction score (points)")
    TOP_BOX = "top_box", _("% satisfied")


class IncentiveScheme(TimeStampedModel):
    """A staff bonus tied to the increase of user satisfaction (Chile's Ley 20.342, Ley 20.431):
    a baseline, a yearly target path and the share of the bonus each degree of achievement
    earns."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    scope_unit = models.ForeignKey(
        Unit,
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for the whole organisation (national)."),
    )
    metric = models.CharField(
        _("metric"), max_length=10, choices=BonusMetric.choices, default=BonusMetric.NET_SCORE
    )
    baseline_wave = models.ForeignKey(
        Wave, verbose_name=_("baseline wave"), on_delete=models.PROTECT, related_name="+"
    )
    baseline_value = models.DecimalField(_("baseline"), max_digits=6, decimal_places=2)
    baseline_n = models.PositiveIntegerField(default=0)
    # [{"year": 2026, "increase": "1.5"}, ...]: the increase each year over the previous target.
    target_path = models.JSONField(_("target path"), default=list)
    # [{"achievement": 100, "share": 100}, {"achievement": 75, "share": 50}, ...]
    tranches = models.JSONField(_("tranches"), default=list)
    eligibility = models.TextField(
        _("eligibility rules"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)]
    )

    class Meta:
        verbose_name = _("incentive scheme")
        verbose_name_plural = _("incentive schemes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class IncentiveResult(models.Model):
    """One year's result of a scheme: immutable once recorded, with the data it used."""

    scheme = models.ForeignKey(IncentiveScheme, on_delete=models.PROTECT, related_name="results")
    year = models.PositiveSmallIntegerField()
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="+")
    data_sha256 = models.CharField(max_length=64, blank=True)
    data_description = models.CharField(max_length=300, blank=True)
    value = models.DecimalField(max_digits=6, decimal_places=2)
    margin = models.DecimalField(max_digits=6, decimal_places=2)
    n = models.PositiveIntegerField()
    target = models.DecimalField(max_digits=6, decimal_places=2)
    achievement = models.DecimalField(max_digits=7, decimal_places=1)
    share = models.DecimalField(max_digits=5, decimal_places=1)
    detectable = models.BooleanField()
    responses_needed = models.PositiveIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year"], name="incentive_result_once")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.year}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("incentive results are immutable")
        super().save(*args, **kwargs)
