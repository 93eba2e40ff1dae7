"""The service model and quality policy: one text per organisation, in versions (draft →
approved → published, the published one superseded by the next), with its axes and values, the
promises it makes to users, and the staff's acknowledgements of the version in force."""

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization

MAX_AXES = 12
MAX_PROMISES = 20


class ModelStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded")


class ServiceModel(TimeStampedModel):
    """One version of the organisation's service model. Versions share a `lineage`; only a
    draft is edited: a new version starts as a copy of the published one."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("state"), max_length=12, choices=ModelStatus.choices, default=ModelStatus.DRAFT
    )
    project_name = models.CharField(_("name of the project"), max_length=200)
    slogans = models.TextField(
        _("slogans"),
        blank=True,
        max_length=1000,
        validators=[MaxLengthValidator(1000)],
        help_text=_("One per line."),
    )
    value_proposition = models.TextField(
        _("value proposition"),
        blank=True,
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
    )
    quality_policy = models.TextField(
        _("quality policy"),
        blank=True,
        max_length=20000,
        validators=[MaxLengthValidator(20000)],
    )
    tangible_arguments = models.TextField(
        _("tangible arguments"),
        blank=True,
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        help_text=_("What users can see and check."),
    )
    intangible_arguments = models.TextField(
        _("intangible arguments"),
        blank=True,
        max_length=5000,
        validators=[MaxLengthValidator(5000)],
        help_text=_("How users are treated and made to feel."),
    )
    approval_reference = models.CharField(
        _("act or resolution that approved it"), max_length=300, blank=True
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("in force from"), null=True, blank=True)

    class Meta:
        verbose_name = _("service model")
        verbose_name_plural = _("service models")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["lineage", "version"], name="servicemodel_version_once"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(status="published"),
                name="servicemodel_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_name} (v{self.version})"

    @property
    def is_editable(self) -> bool:
        return self.status == ModelStatus.DRAFT

    @property
    def slogan_list(self) -> list[str]:
        return [line.strip() for line in self.slogans.splitlines() if line.strip()]


class ModelAxis(models.Model):
    """An axis of the model and the value it stands for, in order."""

    service_model = models.ForeignKey(ServiceModel, on_delete=models.CASCADE, related_name="axes")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("axis"), max_length=200)
    description = models.TextField(
        _("value"),
        blank=True,
        max_length=2000,
        validators=[MaxLengthValidator(2000)],
    )

    class Meta:
        verbose_name = _("axis of the model")
        verbose_name_plural = _("axes of the model")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Promise(models.Model):
    """A promise the model makes to users, in order."""

    service_model = models.ForeignKey(
        ServiceModel, on_delete=models.CASCADE, related_name="promises"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("promise"), max_length=500)

    class Meta:
        verbose_name = _("promise to users")
        verbose_name_plural = _("promises to users")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text


class Acknowledgement(models.Model):
    """A staff member has read this version (who, when); once per person and version."""

    service_model = models.ForeignKey(
        ServiceModel, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("read on"))

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["service_model", "user"], name="servicemodel_acknowledged_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.service_model}"
