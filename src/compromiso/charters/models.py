"""Service charters: the organisation's public promise (services, rights, commitments with
indicators and targets, redress) in versions, and the measurements that show whether each
commitment was kept."""

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models import CaseKind
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.charters.periods import add_years
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import JurisdictionProfile, Organization, Unit
from compromiso.servicemodel.models import CheckMethod, Protocol

# The README and seed 001: a charter is valid for one to three years.
MIN_VALIDITY_YEARS, MAX_VALIDITY_YEARS = 1, 3


def validate_validity(valid_from: dt.date, valid_to: dt.date) -> None:
    """A charter's validity ends after it starts and lasts one to three years: from 1 January
    it ends on 31 December at the earliest and on 1 January three years later at the latest."""
    if valid_to <= valid_from:
        raise ValidationError({"valid_to": _("The validity must end after it starts.")})
    shortest = add_years(valid_from, MIN_VALIDITY_YEARS) - dt.timedelta(days=1)
    if valid_to < shortest:
        message = _(
            "A charter is valid for at least one year: end its validity on %(date)s or later."
        )
        raise ValidationError(
            {"valid_to": message % {"date": date_format(shortest, "DATE_FORMAT")}}
        )
    if valid_to > add_years(valid_from, MAX_VALIDITY_YEARS):
        raise ValidationError(
            {"valid_to": _("A charter is valid for at most 3 years from its start.")}
        )


class CharterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")
    SUPERSEDED = "superseded", _("Superseded")


EDITABLE_STATUSES = (CharterStatus.DRAFT, CharterStatus.IN_REVIEW)
# Versions whose commitments are measured: the ones the public was promised.
MEASURED_STATUSES = (CharterStatus.PUBLISHED, CharterStatus.EXPIRED, CharterStatus.SUPERSEDED)


class SectionKind(models.TextChoices):
    """The union of UNE 93200, RD 951/2005 practice, Llei 19/2014 art. 59 and Argentina's
    Decreto 229/2000 (research/charters_audits.md §A.5). Services and commitments are not
    sections: they are rows of their own."""

    IDENTITY = "identity", _("Identity, purpose and management model")
    MANAGERS = "managers", _("Responsible managers")
    ACCESS = "access", _("Access conditions")
    FEES = "fees", _("Fees and public prices")
    LAW = "law", _("Applicable law")
    RIGHTS = "rights", _("Users' rights and duties")
    PARTICIPATION = "participation", _("User participation")
    COMPLAINTS = "complaints", _("Complaint and suggestion channels")
    REDRESS = "redress", _("Redress when a commitment is not met")
    EQUALITY = "equality", _("Equality and accessibility measures")
    MANAGEMENT_SYSTEMS = "management_systems", _("Management systems held")
    COMMUNICATION = "communication", _("Communication of the charter")
    COMPLEMENTARY = (
        "complementary",
        _("Complementary information: centres, opening hours, addresses, unit responsible"),
    )


class CharterQuerySet(models.QuerySet["Charter"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "CharterQuerySet":
        return scope_for(user, perm).filter(self, path_field="unit__path")

    def published(self) -> "CharterQuerySet":
        return self.filter(status=CharterStatus.PUBLISHED)


class Charter(TimeStampedModel):
    """One version of a charter. Versions of the same charter share a `lineage`; a published
    version is never edited: renewing makes a new draft."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for a charter of the whole organisation."),
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("state"), max_length=12, choices=CharterStatus.choices, default=CharterStatus.DRAFT
    )
    profile = models.CharField(
        _("jurisdiction profile"), max_length=20, choices=JurisdictionProfile.choices
    )
    language = models.CharField(_("language of the text"), max_length=8, choices=settings.LANGUAGES)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"))
    services = models.ManyToManyField(
        Service, verbose_name=_("services covered"), blank=True, related_name="+"
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
    review_reminded_at = models.DateTimeField(null=True, blank=True)

    objects = CharterQuerySet.as_manager()

    class Meta:
        verbose_name = _("service charter")
        verbose_name_plural = _("service charters")
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="charter_version_once"),
            models.CheckConstraint(
                condition=Q(valid_to__gt=models.F("valid_from")),
                name="charter_validity_ordered",
                violation_error_message=_("The validity must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def clean(self) -> None:
        super().clean()
        if self.valid_from is not None and self.valid_to is not None:
            validate_validity(self.valid_from, self.valid_to)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES


class Section(models.Model):
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=SectionKind.choices)
    body = models.TextField(blank=True, max_length=20000, validators=[MaxLengthValidator(20000)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["charter", "kind"], name="charter_section_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class IndicatorSource(models.TextChoices):
    """Where an indicator's value comes from. Every source but manual entry reads data the
    system already holds, so published figures are never typed twice."""

    CASES_ON_TIME = "cases_on_time", _("% of cases answered within the legal deadline")
    CASES_WITHIN_DAYS = "cases_within_days", _("% of cases answered within N business days")
    CASES_MEDIAN_DAYS = "cases_median_days", _("Median business days to answer a case")
    CASES_ACKNOWLEDGED = "cases_acknowledged", _("% of cases acknowledged on time")
    CASES_RECEIVED = "cases_received", _("Number of cases received")
    CASES_HANDLING = "cases_handling", _("Requesters' average rating of the handling (1–5)")
    SURVEY_NET_SCORE = "survey_net_score", _("Net satisfaction score of the service (surveys)")
    SURVEY_SATISFIED = "survey_satisfied", _("% of users satisfied with the service (surveys)")
    PROTOCOL_COMPLIANCE = (
        "protocol_compliance",
        _("% of attention protocol steps observed as met"),
    )
    TRAINING_COVERAGE = (
        "training_coverage",
        _("% of contact staff trained in the protocols of their touch point"),
    )
    # -- attention (figures)
    ATTENTION_WITHIN = (
        "attention_within",
        _("% of visitors served within N minutes"),
    )
    ATTENTION_MEAN_WAIT = "attention_mean_wait", _("Average wait in minutes")
    ATTENTION_MEDIAN_WAIT = "attention_median_wait", _("Median wait in minutes")
    ATTENTION_COMPLAINTS = (
        "attention_complaints_per_1000",
        _("Complaints per 1,000 attentions"),
    )
    CALLS_WITHIN = "calls_within", _("% of calls answered within N seconds")
    MANUAL = "manual", _("Manual entry with evidence and approval")


PERCENT_SOURCES = (
    IndicatorSource.SURVEY_SATISFIED,
    IndicatorSource.CASES_ON_TIME,
    IndicatorSource.CASES_WITHIN_DAYS,
    IndicatorSource.CASES_ACKNOWLEDGED,
    IndicatorSource.PROTOCOL_COMPLIANCE,
    IndicatorSource.TRAINING_COVERAGE,
    IndicatorSource.ATTENTION_WITHIN,
    IndicatorSource.CALLS_WITHIN,
)


class Comparator(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class Periodicity(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "CommitmentQuerySet":
        return scope_for(user, perm).filter(
            self, organization_field="charter__organization", path_field="charter__unit__path"
        )


class Commitment(models.Model):
    """A promise on a service, with the indicator that measures it. The `lineage` carries a
    commitment across the charter's versions, so its trend continues after a renewal."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="commitments")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    order = models.PositiveSmallIntegerField(default=0)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    touch_point = models.ForeignKey(
        TouchPoint,
        verbose_name=_("touch point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.CharField(_("commitment"), max_length=500)
    is_minimum_standard = models.BooleanField(_("minimum service standard"), default=False)
    is_guarantee = models.BooleanField(_("guarantee (redress when breached)"), default=False)
    redress_policy = models.CharField(_("redress when breached"), max_length=500, blank=True)
    indicator = models.CharField(_("indicator"), max_length=300)
    source = models.CharField(_("data source"), max_length=32, choices=IndicatorSource.choices)
    case_kind = models.CharField(
        _("cases of kind"),
        max_length=24,
        choices=CaseKind.choices,
        blank=True,
        help_text=_("Leave empty to count every kind."),
    )
    protocol = models.ForeignKey(
        Protocol,
        verbose_name=_("attention protocol"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty to count every protocol in force."),
    )
    check_method = models.CharField(
        _("observed by"),
        max_length=12,
        choices=CheckMethod.choices,
        blank=True,
        help_text=_("Leave empty to count every way of observing (e.g. only mystery shopping)."),
    )
    threshold_days = models.PositiveSmallIntegerField(
        _("N business days"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    threshold_minutes = models.PositiveSmallIntegerField(
        _("N minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_(
            "Visitors called within N minutes of joining the queue, of those called plus those "
            "who left uncalled after waiting longer than N."
        ),
    )
    threshold_seconds = models.PositiveSmallIntegerField(
        _("N seconds"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_(
            "Calls answered within N seconds ÷ (answered + abandoned − abandoned within the "
            "short-abandon limit), from the contact centre's intervals with this threshold; "
            "from the calls logged one by one when there are none."
        ),
    )
    comparator = models.CharField(
        _("comparator"), max_length=3, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    target = models.DecimalField(
        _("target"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    periodicity = models.CharField(
        _("periodicity"), max_length=10, choices=Periodicity.choices, default=Periodicity.MONTHLY
    )
    note = models.CharField(_("clarification for the public"), max_length=500, blank=True)
    unit = models.CharField(
        _("unit of a manual indicator"),
        max_length=30,
        blank=True,
        help_text=_("What the value counts, shown beside it: percent, minutes, calls…"),
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def unit_symbol(self) -> str:
        if self.source in PERCENT_SOURCES:
            return "%"
        if self.source == IndicatorSource.CASES_MEDIAN_DAYS:
            return str(_("business days"))
        if self.source == IndicatorSource.CASES_HANDLING:
            return "/5"
        if self.source in (
            IndicatorSource.ATTENTION_MEAN_WAIT,
            IndicatorSource.ATTENTION_MEDIAN_WAIT,
        ):
            return str(_("minutes"))
        if self.source == IndicatorSource.ATTENTION_COMPLAINTS:
            return str(_("per 1,000 attentions"))
        if self.source == IndicatorSource.SURVEY_NET_SCORE:
            return str(_("points"))
        if self.source == IndicatorSource.MANUAL:
            return self.unit
        return ""


class Compliance(models.TextChoices):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NO_DATA = "no_data", _("No data")
    PENDING = "pending", _("Awaiting approval")


class Measurement(models.Model):
    """An indicator's value for one period. Computed ones are replaced on recomputation
    (idempotent); manual ones carry their evidence and count once approved."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="measurements"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    n = models.PositiveIntegerField(default=0)
    compliance = models.CharField(max_length=8, choices=Compliance.choices)
    computed_at = models.DateTimeField()
    is_manual = models.BooleanField(default=False)
    evidence = models.TextField(blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    breach_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_start"], name="measurement_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} {self.period_start}"

    @property
    def achievement(self) -> Decimal | None:
        """Degree of achievement against the target, in % (capped at 999)."""
        commitment = self.commitment
        if self.value is None:
            return None
        if commitment.comparator == Comparator.AT_LEAST:
            if commitment.target == 0:
                return Decimal(100)
            ratio = self.value / commitment.target
        else:
            if self.value == 0:
                return Decimal(100)
            ratio = commitment.target / self.value
        return min(Decimal(999), (ratio * 100).quantize(Decimal("1")))
