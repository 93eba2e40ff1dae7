"""Training: the catalogue of programmes and workshops, sessions with their trainer and
attendance, the competence each person earns (and when it lapses), and the train-the-trainers
cascade: a certified trainer certifies new trainers, so certifications form a tree whose roots
were certified by an external body.

Dates: a competence counts from `achieved_on` (included) until `expires_on` (excluded: on that
day it has lapsed); with no `expires_on` it never lapses. A trainer certification counts from
`certified_on` (included) until `revoked_on` (excluded)."""

import calendar
import datetime as dt

from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import Organization, Unit
from compromiso.servicemodel.models.people import StaffMember
from compromiso.servicemodel.models.protocols import Protocol

MAX_VALIDITY_MONTHS = 120
MAX_REASON = 500


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, on the month's last day when it has no such day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ProgrammeKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    PROGRAMME = "programme", _("Programme")


class TrainingProgramme(TimeStampedModel):
    """A programme or workshop of the organisation's catalogue."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.SlugField(
        _("standard key"),
        max_length=40,
        blank=True,
        help_text=_("Set on the standard programmes, so installing them twice adds nothing."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=ProgrammeKind.choices, default=ProgrammeKind.WORKSHOP
    )
    description = models.TextField(
        _("description"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    hours = models.PositiveSmallIntegerField(
        _("hours"), null=True, blank=True, validators=[MaxValueValidator(1000)]
    )
    covers_protocols = models.ManyToManyField(
        Protocol,
        verbose_name=_("trains in the protocols"),
        blank=True,
        related_name="+",
        help_text=_("Completing it makes a person trained in these attention protocols."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_VALIDITY_MONTHS)],
        help_text=_("After this the person needs a refresher. Empty: it never lapses."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="trainingprogramme_name_once",
                violation_error_message=_("Another programme has this name."),
            ),
            models.UniqueConstraint(
                fields=["organization", "key"],
                condition=~Q(key=""),
                name="trainingprogramme_key_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def expiry(self, achieved_on: dt.date) -> dt.date | None:
        """The first day a competence achieved on `achieved_on` no longer counts."""
        if self.validity_months is None:
            return None
        return add_months(achieved_on, self.validity_months)


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingSessionQuerySet(models.QuerySet["TrainingSession"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "TrainingSessionQuerySet":
        """Sessions of units in the user's scope."""
        return scope_for(user, perm).filter(self, path_field="unit__path")


class TrainingSession(TimeStampedModel):
    """One edition of a programme for the staff of a unit, given by a certified trainer of the
    organisation or by an external provider."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        TrainingProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainer = models.ForeignKey(
        StaffMember,
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_trainer = models.CharField(
        _("external provider"),
        max_length=200,
        blank=True,
        help_text=_("When the session is given by someone outside the organisation."),
    )
    status = models.CharField(
        _("state"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="trainingsession_ends_after_start",
                violation_error_message=_("A session cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.starts_on:%Y-%m-%d}"

    @property
    def last_day(self) -> dt.date:
        """The day the session ends: when its competences are achieved."""
        return self.ends_on or self.starts_on


class Attendance(models.Model):
    """A person enrolled in a session, and their results."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    staff_member = models.ForeignKey(
        StaffMember, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    attended = models.BooleanField(_("attended"), default=False)
    completed = models.BooleanField(_("completed"), default=False)
    score = models.PositiveSmallIntegerField(
        _("assessment score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    passed = models.BooleanField(_("passed"), default=False)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["staff_member__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "staff_member"],
                name="attendance_once",
                violation_error_message=_("This person is already enrolled in the session."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100),
                name="attendance_score_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member_id} · {self.session_id}"

    @property
    def earns_competence(self) -> bool:
        return self.attended and self.completed and self.passed


class Competence(models.Model):
    """A person trained in a programme: written when a session's results are recorded."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="competences"
    )
    programme = models.ForeignKey(TrainingProgramme, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        TrainingSession, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    achieved_on = models.DateField(_("achieved on"))
    expires_on = models.DateField(_("lapses on"), null=True, blank=True)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["-achieved_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "staff_member"], name="competence_once_per_session"
            ),
        ]
        indexes = [models.Index(fields=["organization", "achieved_on"])]

    def __str__(self) -> str:
        return f"{self.staff_member_id} · {self.programme_id} · {self.achieved_on}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.achieved_on <= day and (self.expires_on is None or day < self.expires_on)


class TrainerCertification(TimeStampedModel):
    """A person certified to train others in a programme: by a certified trainer of the
    organisation (`certified_by`, the cascade) or, at a root, by an external body."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    staff_member = models.ForeignKey(
        StaffMember,
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        related_name="trainer_certifications",
    )
    programme = models.ForeignKey(
        TrainingProgramme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    certified_by = models.ForeignKey(
        "self",
        verbose_name=_("certified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    external_body = models.CharField(_("external certifying body"), max_length=200, blank=True)
    certified_on = models.DateField(_("certified on"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("reason for revoking"), max_length=MAX_REASON, blank=True
    )

    class Meta:
        verbose_name = _("trainer certification")
        verbose_name_plural = _("trainer certifications")
        ordering = ["certified_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_member", "programme"],
                condition=Q(revoked_on__isnull=True),
                name="trainercertification_active_once",
                violation_error_message=_("This person is already a trainer for the programme."),
            ),
            models.CheckConstraint(
                condition=Q(certified_by__isnull=False) | ~Q(external_body=""),
                name="trainercertification_has_source",
                violation_error_message=_("Say who certified the trainer."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff_member} · {self.programme}"

    def is_valid_on(self, day: dt.date) -> bool:
        return self.certified_on <= day and (self.revoked_on is None or day < self.revoked_on)
