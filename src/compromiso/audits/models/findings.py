"""What the audit found (ISO 19011 §6.4.8–6.7): the grading scale, findings with their criterion,
evidence, touch point and the audited side's diverging opinion, the report (§6.5.1) and the
follow-up that confirms the remedies."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models._fields import long_text
from compromiso.audits.models.engagement import Audit
from compromiso.audits.models.fieldwork import ChecklistItem, Evidence
from compromiso.catalog.models import TouchPoint
from compromiso.charters.models import Commitment
from compromiso.core.models import TimeStampedModel
from compromiso.improvement.models import ImprovementAction
from compromiso.organizations.models import Organization


class GradeKind(models.TextChoices):
    NONCONFORMITY = "nonconformity", _("Nonconformity")
    OBSERVATION = "observation", _("Observation")
    IMPROVEMENT = "improvement", _("Opportunity for improvement")
    GOOD_PRACTICE = "good_practice", _("Good practice")


class Grade(models.Model):
    """A level of the organisation's finding scale (configurable; ISO 19011 §6.4.8). Shipped:
    major and minor nonconformity, observation, opportunity for improvement, good practice."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=20)
    label = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=14, choices=GradeKind.choices)
    severity = models.PositiveSmallIntegerField(
        _("severity"), default=0, help_text=_("Higher is more serious; 0 for no problem.")
    )
    action_within_days = models.PositiveSmallIntegerField(
        _("corrective plan within (days)"), null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("finding grade")
        verbose_name_plural = _("finding grades")
        ordering = ["organization", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="finding_grade_code_once")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_nonconformity(self) -> bool:
        return self.kind == GradeKind.NONCONFORMITY


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted by the audited side")
    DISPUTED = "disputed", _("Disputed")
    IN_ACTION = "in_action", _("Being remedied")
    VERIFIED = "verified", _("Remedy verified")
    CLOSED = "closed", _("Closed")


class Finding(TimeStampedModel):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    number = models.PositiveIntegerField(_("number"))
    grade = models.ForeignKey(Grade, verbose_name=_("grade"), on_delete=models.PROTECT)
    statement = long_text(_("finding"), 4000, blank=False)
    criterion = long_text(_("criterion"), 1000)
    checklist_item = models.ForeignKey(
        ChecklistItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="findings"
    )
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.ForeignKey(
        TouchPoint,
        verbose_name=_("touch point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence = models.ManyToManyField(
        Evidence, verbose_name=_("evidence"), blank=True, related_name="findings"
    )
    status = models.CharField(
        _("state"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    response = long_text(_("answer of the audited side"))
    diverging_opinion = long_text(_("diverging opinion"))
    divergence_resolved = models.BooleanField(_("divergence resolved"), default=False)
    divergence_note = long_text(_("how the divergence was resolved"), 2000)
    divergence_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    divergence_resolved_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    root_cause = long_text(_("root cause"), 2000)
    action = models.ForeignKey(
        ImprovementAction,
        verbose_name=_("improvement action"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_findings",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["audit", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="finding_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.statement[:60]}"


class Report(models.Model):
    """The audit report (ISO 19011 §6.5.1): what the audit record does not already hold."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="report")
    summary = long_text(_("summary"))
    participants = long_text(_("participants of the audited side"), 2000)
    degree_met = long_text(_("degree to which the criteria are met"), 4000)
    areas_not_covered = long_text(_("areas not covered"), 4000)
    obstacles = long_text(_("obstacles met"), 2000)
    conclusions = long_text(_("conclusions"), 8000)
    confidentiality = long_text(_("confidentiality"), 2000)
    distribution = long_text(_("distribution"), 1000)
    version = models.PositiveIntegerField(default=1)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The issued version, frozen: what the report said when it was issued (audits/report/), and
    # the SHA-256 of its canonical JSON.
    content = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit report")
        verbose_name_plural = _("audit reports")

    def __str__(self) -> str:
        return str(self.audit)


class FollowUpKind(models.TextChoices):
    DESK_REVIEW = "desk_review", _("Review of documents")
    FOLLOW_UP_AUDIT = "follow_up_audit", _("Follow-up audit")
    NEXT_AUDIT = "next_audit", _("In the next audit")


class FollowUpResult(models.TextChoices):
    EFFECTIVE = "effective", _("Remedies effective")
    PARTIAL = "partial", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


class FollowUp(models.Model):
    """ISO 19011 §6.7: checking the corrections and the effect of the corrective actions."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("how"), max_length=16, choices=FollowUpKind.choices)
    scheduled_on = models.DateField(_("planned for"))
    performed_on = models.DateField(_("done on"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=14, choices=FollowUpResult.choices, blank=True
    )
    notes = long_text(_("notes"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up_audit = models.ForeignKey(
        Audit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["audit", "scheduled_on", "pk"]

    def __str__(self) -> str:
        return f"{self.audit} {self.get_kind_display()}"
