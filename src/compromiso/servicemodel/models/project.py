"""The quality project that deploys the service model (seed 002): its structure (sponsor,
leader, formal teams and their members), its milestones (design, deployment per unit,
measurement, certification) and the communication plan (`CommunicationPlan` in the glossary):
the internal and external messages, to whom, by which channel, when and who sends them, and
what was actually sent. One project per organisation."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models.people import StaffMember

TEXT_MAX = 5000
NOTE_MAX = 2000


def _person(user: object, name: str) -> str:
    if user is not None:
        full = user.get_full_name() or user.get_username()  # type: ignore[attr-defined]
        return str(full)
    return name


class QualityProject(TimeStampedModel):
    """The organisation's project to deploy its service model and have it certified."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name of the project"), max_length=200)
    objective = models.TextField(
        _("objective"), blank=True, max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sponsor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sponsor_name = models.CharField(
        _("sponsor (name)"),
        max_length=200,
        blank=True,
        help_text=_("When the sponsor has no user account."),
    )
    sponsor_position = models.CharField(_("sponsor's position"), max_length=200, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("project leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    leader_name = models.CharField(
        _("project leader (name)"),
        max_length=200,
        blank=True,
        help_text=_("When the leader has no user account."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("quality project")
        verbose_name_plural = _("quality projects")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="qualityproject_one_per_org"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="qualityproject_ends_after_start",
                violation_error_message=_("The project cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def sponsor_label(self) -> str:
        return _person(self.sponsor, self.sponsor_name)

    @property
    def leader_label(self) -> str:
        return _person(self.leader, self.leader_name)


class TeamKind(models.TextChoices):
    STEERING = "steering", _("Steering committee")
    QUALITY = "quality", _("Quality team")
    IMPROVEMENT = "improvement", _("Improvement team")
    TRAINERS = "trainers", _("Trainers")
    OTHER = "other", _("Other team")


class ProjectTeam(models.Model):
    """A formal team of the project."""

    project = models.ForeignKey(QualityProject, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=TeamKind.choices)
    purpose = models.TextField(
        _("purpose"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)]
    )

    class Meta:
        verbose_name = _("project team")
        verbose_name_plural = _("project teams")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class TeamRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")


class TeamMember(models.Model):
    """A person in a team: someone of the staff list, a user, or both."""

    team = models.ForeignKey(ProjectTeam, on_delete=models.CASCADE, related_name="members")
    staff_member = models.ForeignKey(
        StaffMember,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    role = models.CharField(
        _("role in the team"), max_length=12, choices=TeamRole.choices, default=TeamRole.MEMBER
    )

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_member__isnull=False) | Q(user__isnull=False),
                name="teammember_someone",
                violation_error_message=_("Choose a staff member or a user."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.staff_member is not None:
            return self.staff_member.name
        return _person(self.user, "")


class MilestoneKind(models.TextChoices):
    DESIGN = "design", _("Design")
    DEPLOYMENT = "deployment", _("Deployment")
    MEASUREMENT = "measurement", _("Measurement")
    CERTIFICATION = "certification", _("Certification")
    OTHER = "other", _("Other")


class Milestone(models.Model):
    """A dated step of the project; a deployment is per unit (none: the whole organisation)."""

    project = models.ForeignKey(QualityProject, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(_("kind"), max_length=16, choices=MilestoneKind.choices)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For a deployment in one unit; empty for the whole organisation."),
    )
    planned_on = models.DateField(_("planned for"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    note = models.TextField(
        _("note"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)]
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_late(self, today: dt.date) -> bool:
        """Planned before `today` (the organisation's date) and not done yet."""
        return self.done_on is None and self.planned_on < today

    def days_late(self) -> int | None:
        """Done after the planned date: by how many days (None when not done or on time)."""
        if self.done_on is None or self.done_on <= self.planned_on:
            return None
        return (self.done_on - self.planned_on).days


class Direction(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class MessageAudience(models.TextChoices):
    ALL_STAFF = "all_staff", _("All staff")
    CONTACT_STAFF = "contact_staff", _("Contact staff")
    MANAGERS = "managers", _("Middle managers")
    USERS = "users", _("Users and citizens")
    MEDIA = "media", _("Media")
    ORGANISATIONS = "organisations", _("Other organisations")
    OTHER = "other", _("Other audience")


class MessageChannel(models.TextChoices):
    INTRANET = "intranet", _("Intranet")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")
    POSTER = "poster", _("Poster at offices")
    WEB = "web", _("Web")
    SOCIAL = "social", _("Social media")
    PRESS = "press", _("Press")


class MessageStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class CommunicationItem(TimeStampedModel):
    """A message of the communication plan, and once sent, what was actually sent."""

    project = models.ForeignKey(
        QualityProject, on_delete=models.CASCADE, related_name="communications"
    )
    title = models.CharField(_("message"), max_length=200)
    text = models.TextField(
        _("text"), blank=True, max_length=TEXT_MAX, validators=[MaxLengthValidator(TEXT_MAX)]
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=MessageAudience.choices)
    audience_detail = models.CharField(
        _("audience in detail"),
        max_length=200,
        blank=True,
        help_text=_("E.g. the staff of the Arica branch."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=MessageChannel.choices)
    planned_on = models.DateField(_("planned for"))
    milestone = models.ForeignKey(
        Milestone,
        verbose_name=_("milestone"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="communications",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("state"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PLANNED
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    sent_text = models.TextField(
        _("text as sent"),
        blank=True,
        max_length=TEXT_MAX,
        validators=[MaxLengthValidator(TEXT_MAX)],
        help_text=_("Only when it differs from the planned text."),
    )
    reach = models.PositiveIntegerField(
        _("reach"), null=True, blank=True, help_text=_("E.g. the number of recipients.")
    )
    sent_note = models.CharField(_("note on the sending"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("message of the communication plan")
        verbose_name_plural = _("communication plan")
        ordering = ["planned_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_on__isnull=False),
                name="communication_sent_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def on(self) -> dt.date:
        """The date that places it: when it was sent, or when it is planned."""
        return self.sent_on or self.planned_on

    def is_late(self, today: dt.date) -> bool:
        """Still planned for a day before `today` (the organisation's date)."""
        return self.status == MessageStatus.PLANNED and self.planned_on < today
