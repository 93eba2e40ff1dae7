"""What cases are about: the organisation's categories and its root-cause coding."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization


class Category(TimeStampedModel):
    """What a case is about, from the organisation's own taxonomy: categories and, one level
    down, subcategories."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subcategories",
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["parent__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "parent", "name"],
                name="case_category_unique_name",
                violation_error_message=_("A category with this name already exists here."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class RootCause(TimeStampedModel):
    """Why it happened, coded when a case closes (ISO 10002 §8.2): the outer loop of learning."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="root_cause_unique_code",
                violation_error_message=_("A cause with this code already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
