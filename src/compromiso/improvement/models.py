"""Improvement actions: what the organisation changes because of what it learned, linked to what
caused it, taken through plan-do-check-act, checked for effect, and published when it worked."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models import Case, Category, RootCause
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import Commitment
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models import Protocol, TrainingProgramme
from compromiso.surveys.models import Question, Wave


class ActionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    IN_PROGRESS = "in_progress", _("In progress")
    CHECKING = "checking", _("Checking the effect")
    EFFECTIVE = "effective", _("Effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.PROPOSED: frozenset({ActionStatus.APPROVED, ActionStatus.REJECTED}),
    ActionStatus.APPROVED: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.REJECTED}),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.CHECKING}),
    ActionStatus.CHECKING: frozenset({ActionStatus.EFFECTIVE, ActionStatus.NOT_EFFECTIVE}),
    ActionStatus.EFFECTIVE: frozenset({ActionStatus.CLOSED}),
    # Not effective: try again (back to work) or close and learn from it.
    ActionStatus.NOT_EFFECTIVE: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.CLOSED}),
    ActionStatus.CLOSED: frozenset(),
    ActionStatus.REJECTED: frozenset(),
}
OPEN_ACTION_STATUSES = (
    ActionStatus.PROPOSED,
    ActionStatus.APPROVED,
    ActionStatus.IN_PROGRESS,
    ActionStatus.CHECKING,
    ActionStatus.NOT_EFFECTIVE,
)
ENDED_ACTION_STATUSES = (ActionStatus.CLOSED, ActionStatus.REJECTED)


class Effort(models.TextChoices):
    SMALL = "small", _("Small (days)")
    MEDIUM = "medium", _("Medium (weeks)")
    LARGE = "large", _("Large (months)")


class MetricKind(models.TextChoices):
    CASE_CAUSE = "case_cause", _("Monthly complaints with this root cause")
    CASE_CATEGORY = "case_category", _("Monthly cases in this category")
    INDICATOR = "indicator", _("The indicator of a charter commitment")
    ATTRIBUTE = "attribute", _("The net score of a surveyed attribute")
    PROTOCOL = "protocol", _("Observed compliance with an attention protocol")
    TRAINING = "training", _("Contact staff trained in the protocols of their touch points")


# Metrics that are shares (part of a whole), compared with the interval of a difference.
SHARE_METRICS = (MetricKind.PROTOCOL, MetricKind.TRAINING)


class RemedyKind(models.TextChoices):
    """What the action changes: the service model's own levers have their own kinds, so a
    breached commitment or a complaint cause can propose a protocol change or training."""

    OTHER = "other", _("Another change")
    PROTOCOL = "protocol", _("A change to an attention protocol")
    TRAINING = "training", _("Training for the staff")


class ActionQuerySet(models.QuerySet["ImprovementAction"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "ActionQuerySet":
        return scope_for(user, perm).filter(self, path_field="owner_unit__path")

    def open(self) -> "ActionQuerySet":
        return self.filter(status__in=OPEN_ACTION_STATUSES)


class ImprovementAction(TimeStampedModel):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("what will be done"), max_length=10000, validators=[MaxLengthValidator(10000)]
    )
    owner_unit = models.ForeignKey(
        Unit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services concerned"), blank=True, related_name="+"
    )
    touch_points = models.ManyToManyField(
        TouchPoint, verbose_name=_("touch points concerned"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("state"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.PROPOSED
    )
    computed_priority = models.PositiveIntegerField(_("computed priority"), default=0)
    priority = models.PositiveIntegerField(
        _("priority"), default=0, validators=[MaxValueValidator(100000)]
    )
    priority_reason = models.CharField(
        _("why the priority was changed"), max_length=300, blank=True
    )
    effort = models.CharField(
        _("effort"), max_length=8, choices=Effort.choices, default=Effort.MEDIUM
    )
    due_date = models.DateField(_("due date"))
    remedy = models.CharField(
        _("kind of action"), max_length=10, choices=RemedyKind.choices, default=RemedyKind.OTHER
    )
    remedy_protocol = models.ForeignKey(
        Protocol,
        verbose_name=_("protocol to change"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    remedy_programme = models.ForeignKey(
        TrainingProgramme,
        verbose_name=_("training programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The effect check: which metric, its value before, and what was found after.
    metric = models.CharField(_("metric"), max_length=16, choices=MetricKind.choices, blank=True)
    metric_root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    metric_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    metric_commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    metric_question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    metric_protocol = models.ForeignKey(
        Protocol, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    baseline_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    after_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    baseline_count = models.PositiveIntegerField(null=True, blank=True)
    # For a share: the whole the count is part of (steps observed, contact staff).
    baseline_whole = models.PositiveIntegerField(null=True, blank=True)
    after_start = models.DateField(null=True, blank=True)
    after_end = models.DateField(null=True, blank=True)
    after_count = models.PositiveIntegerField(null=True, blank=True)
    after_whole = models.PositiveIntegerField(null=True, blank=True)
    evidence = models.TextField(
        _("evidence"), max_length=5000, blank=True, validators=[MaxLengthValidator(5000)]
    )
    rejection_reason = models.CharField(_("reason for rejecting"), max_length=500, blank=True)
    # Publication ("you said, we did").
    is_public = models.BooleanField(_("publish once effective"), default=False)
    public_summary = models.TextField(
        _("what changed, in plain words for the public"),
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["-priority", "due_date", "pk"]
        indexes = [models.Index(fields=["organization", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_date < (today or self.organization.today())


class OriginKind(models.TextChoices):
    CASE_CAUSE = "case_cause", _("Complaints with a root cause")
    CASE_CATEGORY = "case_category", _("Cases in a category")
    CASE = "case", _("A single case (e.g. a suggestion)")
    COMMITMENT = "commitment", _("A breached charter commitment")
    SURVEY_DRIVER = "survey_driver", _("A survey attribute that drives satisfaction")
    AUDIT_FINDING = "audit_finding", _("An audit finding")


class ActionOrigin(models.Model):
    """What caused an action: a real link to the object, never free text."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="origins")
    kind = models.CharField(_("origin"), max_length=16, choices=OriginKind.choices)
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="improvement_origins"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Cases behind a cause or category; periods not met behind a commitment; for a survey
    # driver, its share of the explained variance of overall satisfaction (in %).
    cases_count = models.PositiveIntegerField(_("cases behind it"), default=0)

    class Meta:
        verbose_name = _("origin")
        verbose_name_plural = _("origins")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="case_cause", root_cause__isnull=False)
                    | models.Q(kind="case_category", category__isnull=False)
                    | models.Q(kind="case", case__isnull=False)
                    | models.Q(kind="commitment", commitment__isnull=False)
                    | models.Q(kind="survey_driver", question__isnull=False, wave__isnull=False)
                    # The audits app, above this one, holds the link (Finding.action).
                    | models.Q(kind="audit_finding")
                ),
                name="action_origin_links_its_object",
            )
        ]

    def __str__(self) -> str:
        target = self.root_cause or self.category or self.case or self.commitment or self.question
        return f"{self.get_kind_display()}: {target}" if target else str(self.get_kind_display())


class ActionEvent(models.Model):
    """One step of an action's life: who moved it, when, from what to what, and why."""

    action = models.ForeignKey(ImprovementAction, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=16, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ActionStatus.choices, blank=True)
    comment = models.TextField(
        _("comment"), max_length=5000, blank=True, validators=[MaxLengthValidator(5000)]
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.to_status}"
