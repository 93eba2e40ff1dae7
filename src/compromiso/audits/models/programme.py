"""Why and when to audit (seed 000; ISO 19011 §5): the audit programme of an organisation, the
proposals that show the need for an audit with links to what shows it, and the criteria
frameworks audits and the seal are judged against."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models._fields import days, long_text, money
from compromiso.cases.models import RootCause
from compromiso.catalog.models import Service, TouchPoint
from compromiso.charters.models import Commitment
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import Organization, Unit
from compromiso.surveys.models import Question, Wave


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    IN_EXECUTION = "in_execution", _("In execution")
    CLOSED = "closed", _("Closed")


class ProgrammeQuerySet(models.QuerySet["AuditProgramme"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "ProgrammeQuerySet":
        return scope_for(user, perm).filter(self, organization_wide_if_touched=True)


class AuditProgramme(TimeStampedModel):
    """ISO 19011 §5: the audits of a period, their objectives, extent, risks and resources, its
    approval and the review of the programme itself (§5.6–5.7)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    objectives = long_text(_("objectives"))
    extent = long_text(_("extent (number of audits, units, places, duration)"))
    risks = long_text(_("risks and opportunities"))
    resources = long_text(_("resources"))
    budget_amount = money(_("budget"))
    person_days = days(_("person-days planned"))
    cycle_months = models.PositiveSmallIntegerField(
        _("audit each service every (months)"),
        default=24,
        help_text=_("The programme proposes the next audit of each service after this period."),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("programme manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("state"), max_length=14, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    review_notes = long_text(_("review of the programme"))
    reviewed_at = models.DateTimeField(null=True, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        ordering = ["-period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="audit_programme_period_in_order",
                violation_error_message=_("The programme ends before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class NeedReason(models.TextChoices):
    """Seed 000's reasons for auditing a service."""

    NEEDED_SERVICES = "needed", _("Are the services that are needed provided?")
    FUNDED_SERVICES = "funded", _("Are the services that are funded provided?")
    EQUITY = "equity", _("Is the service delivered equitably?")
    FUNDS_AT_RISK = "funds_at_risk", _("Are public funds at risk?")
    USERS_INTERESTS = "users_interests", _("Are users' interests protected?")
    COMMUNITY = "community", _("A problem in the community")
    ADVOCACY = "advocacy", _("Advocacy for a service")


class ServiceKind(models.TextChoices):
    FUNDED = "funded", _("Publicly funded, for a target population")
    REGULATED = "regulated", _("Publicly regulated, for the general public")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted into the programme")
    REJECTED = "rejected", _("Rejected")


class ProposalQuerySet(models.QuerySet["AuditProposal"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "ProposalQuerySet":
        return scope_for(user, perm).filter(self, organization_wide_if_touched=True)


class AuditProposal(TimeStampedModel):
    """The evidence that an audit is needed, what it would cover, who backs it and what it would
    cost (seed 000: "why" and "when")."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        AuditProgramme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=200)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)  # NeedReason values
    need = long_text(_("evidence of the need"))
    services = models.ManyToManyField(
        Service, verbose_name=_("services audited"), blank=True, related_name="+"
    )
    service_kind = models.CharField(
        _("kind of service"), max_length=10, choices=ServiceKind.choices, blank=True
    )
    supporters = long_text(_("who supports it"), 2000)
    budget_amount = money(_("budget"))
    person_days = days(_("person-days"))
    status = models.CharField(
        _("state"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = long_text(_("decision"), 2000)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit proposal")
        verbose_name_plural = _("audit proposals")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class SignalKind(models.TextChoices):
    """What in the live data shows the need."""

    BREACHED_COMMITMENT = "commitment", _("A breached commitment")
    COMPLAINT_CAUSE = "complaint_cause", _("A rising complaint cause")
    SURVEY_SEGMENT = "survey_segment", _("A survey segment that scores low")
    EQUITY_GAP = "equity_gap", _("An equity gap between offices or user groups")
    OTHER = "other", _("Other")


class NeedSignal(models.Model):
    """A link from a proposal to what shows the need, with the figures seen when it was linked."""

    proposal = models.ForeignKey(AuditProposal, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(_("what shows it"), max_length=16, choices=SignalKind.choices)
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wave = models.ForeignKey(
        Wave, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    segment = models.CharField(_("segment"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.ForeignKey(
        TouchPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = long_text(_("note"), 2000)
    figures = models.JSONField(default=dict, blank=True)  # what was seen when it was linked
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign of need")
        verbose_name_plural = _("signs of need")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="commitment", commitment__isnull=False)
                    | models.Q(kind="complaint_cause", root_cause__isnull=False)
                    | models.Q(kind="survey_segment", wave__isnull=False)
                    | models.Q(kind__in=["equity_gap", "other"])
                ),
                name="need_signal_links_its_object",
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class FrameworkKind(models.TextChoices):
    SEAL = "seal", _("Quality seal")
    AUDIT = "audit", _("Audit criteria")
    LEGAL = "legal", _("Legal requirements")


class Framework(TimeStampedModel):
    """A set of criteria to audit or self-assess against, as a tree of nodes. Shipped frameworks
    are copied into an organisation (`organization` set) so that it can edit and version them."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=FrameworkKind.choices)
    version = models.CharField(_("version"), max_length=40, blank=True)
    description = long_text(_("description"))
    licence_note = long_text(_("licence"), 1000)

    class Meta:
        verbose_name = _("criteria framework")
        verbose_name_plural = _("criteria frameworks")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="framework_code_once",
                violation_error_message=_("Another framework has this code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkNode(models.Model):
    """A criterion, sub-criterion or element. Assessable nodes are rated; the others group."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    ref = models.CharField(_("reference"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    text = long_text(_("text"), 4000)
    assessable = models.BooleanField(_("assessed"), default=False)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["framework", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "ref"],
                name="framework_node_ref_once",
                violation_error_message=_(
                    "Another criterion of this framework has this reference."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"
