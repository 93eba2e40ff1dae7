"""Routing rules and canned answers."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models.case import CaseKind
from compromiso.catalog.models import Service
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization, Unit


class AssignmentRule(TimeStampedModel):
    """Route new cases: the first active rule that matches (kind, service, unit) gives the case
    to its unit and to its officers in turn (round-robin)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=10)
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices, blank=True)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("cases of unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_unit = models.ForeignKey(
        Unit,
        verbose_name=_("send to unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers, in turn"), blank=True, related_name="+"
    )
    next_index = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"#{self.position}"


class CannedAnswer(TimeStampedModel):
    """A reusable answer with placeholders: {code}, {name}, {service}, {due}, {officer}."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=10000, validators=[MaxLengthValidator(10000)])
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title
