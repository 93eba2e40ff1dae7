"""Waves: a questionnaire put to the users of some services over a period, with its sample
design (strata)."""

import secrets
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compromiso.catalog.models import Audience, Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Organization, Unit, User
from compromiso.surveys.models.questionnaires import Questionnaire


class WaveKind(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CONTINUOUS = "continuous", _("Continuous")


class WaveStatus(models.TextChoices):
    # A wave's own words (a wave is "medición" in Spanish): not the case inbox's plural filters.
    DRAFT = "draft", pgettext_lazy("wave status", "Draft")
    OPEN = "open", pgettext_lazy("wave status", "Open")
    CLOSED = "closed", pgettext_lazy("wave status", "Closed")


def _token() -> str:
    return secrets.token_urlsafe(12)


class WaveQuerySet(models.QuerySet["Wave"]):
    def visible_to(self, user: User, perm: Perm = Perm.VIEW) -> "WaveQuerySet":
        """Waves of the organisations where the user holds the permission; the results inside
        are further limited to the services the user can see."""
        return scope_for(user, perm).filter(self, organization_wide_if_touched=True)


class Wave(TimeStampedModel):
    """One measurement of some services over a period."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=WaveKind.choices)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.EXTERNAL
    )
    services = models.ManyToManyField(Service, verbose_name=_("services"), related_name="+")
    # Internal waves: the units that use the services. They validate the attributes the provider
    # proposed before the wave opens, and their members are the ones invited.
    client_units = models.ManyToManyField(
        Unit, verbose_name=_("client units"), related_name="+", blank=True
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("compared with"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("state"), max_length=8, choices=WaveStatus.choices, default=WaveStatus.DRAFT
    )
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    margin = models.DecimalField(
        _("target margin of error"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0.005")), MaxValueValidator(Decimal("0.5"))],
    )
    min_publish = models.PositiveIntegerField(
        _("fewest responses to show a figure"), default=30, validators=[MinValueValidator(1)]
    )
    # A panel: the invited respondents' answers carry a pseudonymous key (a keyed hash of the
    # address, never the address) so that a follow-up wave can be compared person by person.
    panel = models.BooleanField(
        _("panel (compare the same invited respondents across waves)"), default=False
    )
    # Raking targets: the share (%) of the users of each channel and touch point, by id:
    # {"channel": {"3": 60.0, …}, "touch_point": {…}} (see surveys.figures.raked_total).
    weight_targets = models.JSONField(_("weighting targets"), default=dict, blank=True)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="wave_dates_ordered",
                violation_error_message=_("A wave must close after it opens."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class Stratum(models.Model):
    """A cell of the sample design: a service (optionally at one touch point) with the number of
    users it had in the period; the wave needs a minimum of responses in each."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="strata")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    touch_point = models.ForeignKey(
        TouchPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    population = models.PositiveIntegerField(_("users in the period"))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.service} {self.touch_point or ''}".strip()

    @property
    def label(self) -> str:
        """The service's name, and the touch point when the stratum has one."""
        return " · ".join(str(part) for part in (self.service.name, self.touch_point) if part)
