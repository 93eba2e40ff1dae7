"""An audit (ISO 19011 §5.5, §6): what it audits, against what, when and where, who audits it —
the kind of auditor, their self-check, independence and competence — the time-limited access an
external or peer auditor is granted to this audit only, and the agreement with the audited
organisation."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models._fields import days, long_text, money
from compromiso.audits.models.programme import AuditProgramme, AuditProposal, Framework
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import Charter
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization, Unit


class AuditKind(models.TextChoices):
    INTERNAL = "internal", _("Internal audit")
    SECOND_PARTY = "second_party", _("Second-party audit")
    THIRD_PARTY = "third_party", _("Third-party audit")
    CERTIFICATION = "certification", _("Certification assessment")
    SURVEILLANCE = "surveillance", _("Surveillance review")
    FOLLOW_UP = "follow_up", _("Follow-up audit")
    MYSTERY = "mystery", _("Mystery shopping round")


class AuditorKind(models.TextChoices):
    """Seed 000's kinds of auditor."""

    INTERNAL_TEAM = "internal_team", _("Internal team")
    REGULATOR = "regulator", _("Regulator or supervising agency")
    PROFESSIONAL_BODY = "professional_body", _("Professional body")
    ADVOCACY = "advocacy", _("Advocacy organisation")
    EXPERTS = "experts", _("Academics or experts")
    COMMISSION = "commission", _("Eminent persons or a commission")
    NETWORK_PEERS = "network_peers", _("Peer team from other organisations of the network")
    SPONSORS = "sponsors", _("Sponsors")


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    AGREED = "agreed", _("Agreed with the audited organisation")
    FIELDWORK = "fieldwork", _("Fieldwork")
    REPORTING = "reporting", _("Reporting")
    FOLLOW_UP = "follow_up", _("Remedies and follow-up")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_AUDIT_STATUSES = frozenset(
    {
        AuditStatus.PLANNED,
        AuditStatus.AGREED,
        AuditStatus.FIELDWORK,
        AuditStatus.REPORTING,
        AuditStatus.FOLLOW_UP,
    }
)


class ResultsDecision(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    SPONSORS = "sponsors", _("Share with sponsors")
    INTERNAL = "internal", _("Keep internal")


class Audit(TimeStampedModel):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        AuditProgramme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits",
    )
    proposal = models.ForeignKey(
        AuditProposal,
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audits",
    )
    follow_up_of = models.ForeignKey(
        "self",
        verbose_name=_("follow-up of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_up_audits",
    )
    reference = models.CharField(_("reference"), max_length=30)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(
        _("kind of audit"), max_length=14, choices=AuditKind.choices, default=AuditKind.INTERNAL
    )
    auditor_kind = models.CharField(
        _("kind of auditor"),
        max_length=18,
        choices=AuditorKind.choices,
        default=AuditorKind.INTERNAL_TEAM,
    )
    objectives = long_text(_("objectives"))
    scope = long_text(_("scope"))
    criteria = long_text(_("criteria"))
    methods = long_text(_("methods"), 2000)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("audited unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), blank=True, related_name="+"
    )
    charters = models.ManyToManyField(
        Charter, verbose_name=_("charters"), blank=True, related_name="+"
    )
    touch_points = models.ManyToManyField(
        TouchPoint, verbose_name=_("touch points in scope"), blank=True, related_name="+"
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("criteria framework"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_start = models.DateField(_("period audited from"))
    period_end = models.DateField(_("period audited to"))
    planned_start = models.DateField(_("fieldwork from"))
    planned_end = models.DateField(_("fieldwork to"))
    actual_start = models.DateField(_("started"), null=True, blank=True)
    actual_end = models.DateField(_("ended"), null=True, blank=True)
    places = long_text(_("places"), 2000)
    budget_amount = money(_("budget"))
    person_days_planned = days(_("person-days planned"))
    person_days_actual = days(_("person-days spent"))
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead auditor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("state"), max_length=10, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    results_decision = models.CharField(
        _("what is done with the results"),
        max_length=10,
        choices=ResultsDecision.choices,
        blank=True,
    )
    results_note = long_text(_("note on the results"), 2000)
    results_decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-planned_start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"],
                name="audit_reference_once",
                violation_error_message=_("Another audit has this reference."),
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start"))
                & models.Q(planned_end__gte=models.F("planned_start")),
                name="audit_dates_in_order",
                violation_error_message=_("An end date is before its start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_AUDIT_STATUSES


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Lead auditor")
    AUDITOR = "auditor", _("Auditor")
    EXPERT = "expert", _("Technical expert")
    OBSERVER = "observer", _("Observer")
    TRAINEE = "trainee", _("Auditor in training")


SELF_CHECK_QUESTIONS = (
    ("experience", _("Do I have the experience this audit needs?")),
    ("resources", _("Do I have the resources to do it?")),
    ("right_person", _("Am I the right person, or is it someone else's job?")),
    ("cooperation", _("Can I get the cooperation of the audited organisation?")),
    ("credibility", _("Would I be as credible as someone better known?")),
)
"""Seed 000's self-check for whoever considers auditing a service."""


class TeamMember(models.Model):
    """Someone on the audit team: a user (of this organisation, of another organisation of the
    network, or an outside auditor given an account), their role, self-check, independence and
    competence."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_teams"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=TeamRole.choices, default=TeamRole.AUDITOR
    )
    affiliation = models.CharField(_("organisation they come from"), max_length=200, blank=True)
    self_check = models.JSONField(default=dict, blank=True)  # question → {"answer", "note"}
    independent = models.BooleanField(_("declares independence"), null=True, blank=True)
    conflicts = long_text(_("conflicts of interest declared"), 2000)
    declared_at = models.DateTimeField(null=True, blank=True)
    competence = long_text(_("competence"), 2000)

    class Meta:
        verbose_name = _("audit team member")
        verbose_name_plural = _("audit team")
        ordering = ["audit", "role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "user"],
                name="audit_team_member_once",
                violation_error_message=_("This person is already on the team."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class AccessQuerySet(models.QuerySet["AuditAccess"]):
    def active(self, at: dt.datetime | None = None) -> "AccessQuerySet":
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True, valid_from__lte=at, valid_until__gt=at)


class AuditAccess(models.Model):
    """What the audited organisation grants an auditor who is not one of its members (an outside
    auditor or a peer from another organisation of the network): this audit only, for a time,
    logged, and revoked when the audit closes."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_accesses"
    )
    home_organization = models.ForeignKey(
        Organization,
        verbose_name=_("peer from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    valid_from = models.DateTimeField(_("from"))
    valid_until = models.DateTimeField(_("until"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(_("reason"), max_length=300, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit access")
        verbose_name_plural = _("audit accesses")
        ordering = ["-granted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gt=models.F("valid_from")),
                name="audit_access_window_in_order",
                violation_error_message=_("The access ends before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.audit}"


class Agreement(models.Model):
    """The negotiation with the audited organisation (ISO 19011 §6.2): scope, criteria, dates,
    access, what will be published, signed by both sides."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="agreement")
    scope = long_text(_("agreed scope"))
    criteria = long_text(_("agreed criteria"))
    dates = long_text(_("agreed dates"), 2000)
    access = long_text(_("access to people, places and records"))
    publication = long_text(_("what will be published"), 2000)
    version = models.PositiveIntegerField(default=1)
    auditor_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    auditor_signed_at = models.DateTimeField(null=True, blank=True)
    auditee_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    auditee_signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit agreement")
        verbose_name_plural = _("audit agreements")

    def __str__(self) -> str:
        return str(self.audit)

    @property
    def is_signed(self) -> bool:
        return self.auditor_signed_at is not None and self.auditee_signed_at is not None
