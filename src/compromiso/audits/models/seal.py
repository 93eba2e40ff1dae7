"""The quality seal (seed 002): a self-assessment of the organisation against a seal framework,
element by element, with evidence; the certification bodies that assess it from outside; the
certificate they grant, with its cycle (initial assessment, yearly surveillance reviews, renewal)
and the reviews that keep it, each with the verification matrix frozen when it was recorded.

The rating scale is the one commonly used for Customer Service Excellence-like seals (compliance
plus, full, partial, non-compliance); it is fixed here and documented as common practice, not
verified against any standard's text."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from compromiso.audits.models._fields import long_text
from compromiso.audits.models.fieldwork import Evidence
from compromiso.audits.models.programme import Framework, FrameworkNode
from compromiso.catalog.models import Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization

CYCLE_YEARS = 3
"""A certificate is valid for three years, with a surveillance review every year in between."""


class Rating(models.TextChoices):
    """How far an element is met (common practice of CSE-like seals; not verified)."""

    COMPLIANCE_PLUS = "plus", _("Compliance plus")
    FULL = "full", _("Full compliance")
    PARTIAL = "partial", _("Partial compliance")
    NON_COMPLIANCE = "non", _("Non-compliance")
    NOT_RATED = "not_rated", _("Not rated")


MET_RATINGS = frozenset({Rating.COMPLIANCE_PLUS, Rating.FULL})


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class SelfAssessment(TimeStampedModel):
    """The organisation's own assessment against a seal framework, for one certification cycle:
    the cycle's dates are the window the verification matrix looks for evidence in."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("criteria framework"),
        on_delete=models.PROTECT,
        related_name="self_assessments",
    )
    title = models.CharField(_("title"), max_length=200)
    started = models.DateField(_("started"))
    cycle_start = models.DateField(_("cycle from"))
    cycle_end = models.DateField(_("cycle to"))
    status = models.CharField(
        _("state"),
        max_length=10,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
    )
    summary = long_text(_("summary"), 4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-started", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cycle_end__gte=models.F("cycle_start")),
                name="self_assessment_cycle_in_order",
                violation_error_message=_("The cycle ends before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


class ElementRating(models.Model):
    """How far one element is met, why, and what shows it. Without a touch point it is the
    element's rating for the whole organisation (the one readiness counts); with one, the
    element as seen at that touch point."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    node = models.ForeignKey(FrameworkNode, on_delete=models.PROTECT, related_name="+")
    touch_point = models.ForeignKey(
        TouchPoint,
        verbose_name=_("touch point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.CharField(
        _("rating"), max_length=10, choices=Rating.choices, default=Rating.NOT_RATED
    )
    note = long_text(_("why this rating"), 4000)
    evidence = models.ManyToManyField(
        Evidence, verbose_name=_("evidence"), blank=True, related_name="+"
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("element rating")
        verbose_name_plural = _("element ratings")
        ordering = ["assessment", "node__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "node"],
                condition=models.Q(touch_point__isnull=True),
                name="element_rating_once",
            ),
            models.UniqueConstraint(
                fields=["assessment", "node", "touch_point"],
                condition=models.Q(touch_point__isnull=False),
                name="element_rating_once_per_touch_point",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node.ref}: {self.get_rating_display()}"


class CertificationBody(TimeStampedModel):
    """An independent body that assesses and certifies (recorded by each organisation)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    accreditation = models.CharField(
        _("accreditation"),
        max_length=300,
        blank=True,
        help_text=_("Who accredits the body to certify, and the accreditation number."),
    )
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("certification body")
        verbose_name_plural = _("certification bodies")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="certification_body_name_once",
                violation_error_message=_("A certification body with this name exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CertificateStatus(models.TextChoices):
    PENDING = "pending", _("Not granted yet")
    ACTIVE = "active", _("Granted")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", pgettext_lazy("certificate", "Withdrawn")


class PublicState(models.TextChoices):
    """What the public verify page says of a certificate."""

    VALID = "valid", pgettext_lazy("certificate", "Valid")
    EXPIRED = "expired", pgettext_lazy("certificate", "Expired")
    SUSPENDED = "suspended", _("Suspended")
    WITHDRAWN = "withdrawn", pgettext_lazy("certificate", "Withdrawn")
    PENDING = "pending", _("Not granted yet")


class Certificate(TimeStampedModel):
    """The seal granted by a certification body, over a scope of services and touch points.
    `number` is the public code anyone can verify on the public seal page; `cycle_start` is the
    day of the last grant or renewal, from which the yearly surveillance reviews fall due."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    framework = models.ForeignKey(
        Framework, verbose_name=_("criteria framework"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.ForeignKey(
        CertificationBody,
        verbose_name=_("certification body"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    number = models.CharField(_("certificate number"), max_length=40, blank=True)
    scope = long_text(_("scope"), 4000, blank=False)
    touch_points = models.ManyToManyField(
        TouchPoint, verbose_name=_("touch points"), blank=True, related_name="+"
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("state"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.PENDING,
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    cycle_start = models.DateField(_("current cycle from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    status_reason = long_text(_("reason"), 2000)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    matrix = models.JSONField(default=dict, blank=True)  # frozen at the last grant or renewal
    matrix_sha256 = models.CharField(max_length=64, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                condition=~models.Q(number=""),
                name="certificate_number_once",
                violation_error_message=_("Another certificate has this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(issued_on__isnull=True)
                | models.Q(valid_until__gte=models.F("issued_on")),
                name="certificate_validity_in_order",
                violation_error_message=_("The certificate expires before it is issued."),
            ),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Certificate in preparation"))

    @property
    def is_granted(self) -> bool:
        return self.issued_on is not None and self.status != CertificateStatus.PENDING

    def public_state(self, today: dt.date) -> str:
        """Valid, expired, suspended, withdrawn — or pending before it is granted."""
        if self.status == CertificateStatus.WITHDRAWN:
            return PublicState.WITHDRAWN
        if not self.is_granted:
            return PublicState.PENDING
        if self.valid_until is not None and today > self.valid_until:
            return PublicState.EXPIRED
        if self.status == CertificateStatus.SUSPENDED:
            return PublicState.SUSPENDED
        return PublicState.VALID

    def is_valid_on(self, today: dt.date) -> bool:
        return self.public_state(today) == PublicState.VALID


class ReviewKind(models.TextChoices):
    INITIAL = "initial", _("Initial assessment")
    SURVEILLANCE = "surveillance", _("Surveillance review")
    RENEWAL = "renewal", _("Renewal assessment")


class ReviewResult(models.TextChoices):
    CONFIRMED = "confirmed", _("Conformity confirmed")
    CONDITIONS = "conditions", _("Confirmed with partial compliances to close")
    NOT_CONFIRMED = "not_confirmed", _("Conformity not confirmed")


POSITIVE_RESULTS = frozenset({ReviewResult.CONFIRMED, ReviewResult.CONDITIONS})


class CertificateReview(models.Model):
    """An external assessment by the certification body: the initial one, a yearly surveillance
    review or the renewal. The verification matrix as it stood when the review was recorded is
    frozen here with its SHA-256, so later data never change what the body saw."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=12, choices=ReviewKind.choices)
    date = models.DateField(_("date of the assessment"))
    result = models.CharField(_("result"), max_length=14, choices=ReviewResult.choices)
    assessor = models.CharField(_("lead assessor"), max_length=200)
    notes = long_text(_("the body's conclusions"), 5000)
    ratings = models.JSONField(default=dict, blank=True)  # element reference → Rating value
    matrix = models.JSONField(default=dict, blank=True)
    matrix_sha256 = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("certification review")
        verbose_name_plural = _("certification reviews")
        ordering = ["certificate", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def is_positive(self) -> bool:
        return self.result in POSITIVE_RESULTS
