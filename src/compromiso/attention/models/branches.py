"""A branch: an in-person touch point that runs a queue, with its opening hours, its queues (one
per service or group of services, some for quick transactions) and its desks, and who sits at
which desk when."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import Organization


def _display_key() -> str:
    return secrets.token_urlsafe(16)


class BranchQuerySet(models.QuerySet["Branch"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "BranchQuerySet":
        """Branches whose touch point's unit is in the user's scope."""
        return scope_for(user, perm).filter(self, path_field="touch_point__unit__path")

    def active(self) -> "BranchQuerySet":
        return self.filter(is_active=True, touch_point__is_active=True)


class Branch(TimeStampedModel):
    """The attention settings of one touch point (usually an office of the in-person channel):
    whether it has an OIRS desk, how many calls make a no-show, the wait its service level counts
    and the secret key of its public display."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    touch_point = models.OneToOneField(
        TouchPoint,
        verbose_name=_("touch point"),
        on_delete=models.PROTECT,
        related_name="branch",
    )
    code = models.SlugField(
        _("short name"),
        max_length=40,
        help_text=_("Used in public addresses, e.g. /o/agency/offices/centro/."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    has_oirs_desk = models.BooleanField(
        _("has a desk for complaints and suggestions (OIRS)"), default=False
    )
    no_show_after_calls = models.PositiveSmallIntegerField(
        _("no-show after this many calls"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    service_level_minutes = models.PositiveSmallIntegerField(
        _("service level: served within (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
    )
    accepts_web_queue = models.BooleanField(
        _("visitors may join the queue from the web"), default=True
    )
    accepts_appointments = models.BooleanField(_("takes appointments"), default=True)
    check_in_opens_minutes = models.PositiveSmallIntegerField(
        _("appointment check-in opens (minutes before the time)"),
        default=60,
        validators=[MaxValueValidator(240)],
    )
    check_in_closes_minutes = models.PositiveSmallIntegerField(
        _("appointment check-in closes (minutes after the slot ends)"),
        default=15,
        validators=[MaxValueValidator(240)],
    )
    no_show_after_minutes = models.PositiveSmallIntegerField(
        _("an appointment not checked in is a no-show (minutes after the slot ends)"),
        default=30,
        validators=[MaxValueValidator(1440)],
    )
    display_key = models.CharField(max_length=32, default=_display_key, editable=False, unique=True)
    # Bumped on every change a display or board shows; displays wait for it to move.
    version = models.PositiveBigIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BranchQuerySet.as_manager()

    def check_in_window(
        self, starts_at: dt.datetime, ends_at: dt.datetime
    ) -> tuple[dt.datetime, dt.datetime]:
        """When an appointment of this branch at starts_at–ends_at may check in."""
        return (
            starts_at - dt.timedelta(minutes=self.check_in_opens_minutes),
            ends_at + dt.timedelta(minutes=self.check_in_closes_minutes),
        )

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["touch_point__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="branch_code_unique_per_organization",
                violation_error_message=_(
                    "Another branch of this organisation has this short name."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(no_show_after_minutes__gte=models.F("check_in_closes_minutes")),
                name="branch_no_show_after_check_in_closes",
                violation_error_message=_(
                    "An appointment can only be a no-show once its check-in has closed."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.touch_point.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period of a branch on a weekday (two rows for a split day). A branch with no
    rows keeps the organisation's office hours on its business days."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday", "opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="opening_hours_close_after_open",
                violation_error_message=_("The closing time must come after the opening time."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"


class Queue(TimeStampedModel):
    """A line in a branch for one or more services. Tickets take its letter (A001…); a quick
    transaction queue is for short procedures; desks serve a chosen set of queues."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="queues")
    name = models.CharField(_("name"), max_length=120)
    letter = models.CharField(
        _("ticket letter"),
        max_length=2,
        help_text=_("Tickets of this queue are numbered with it: A001, A002…"),
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), related_name="+", blank=True
    )
    is_quick = models.BooleanField(_("quick transactions"), default=False)
    target_wait_minutes = models.PositiveSmallIntegerField(
        _("target wait (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
        help_text=_("Leave empty to use the branch's service level."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # The day's ticket counter: the last number given and the local day it counts.
    last_number = models.PositiveIntegerField(default=0, editable=False)
    last_number_day = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "letter"],
                name="queue_letter_unique_per_branch",
                violation_error_message=_("Another queue of this branch uses this letter."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter} · {self.name}"

    @property
    def service_level_minutes(self) -> int:
        return self.target_wait_minutes or self.branch.service_level_minutes


class Desk(TimeStampedModel):
    """A counter or window where staff serve, and the queues it calls from."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="desks")
    name = models.CharField(
        _("name"), max_length=60, help_text=_("As the display shows it: Desk 3")
    )
    queues = models.ManyToManyField(Queue, verbose_name=_("queues it serves"), related_name="desks")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name"],
                name="desk_name_unique_per_branch",
                violation_error_message=_("Another desk of this branch has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class DeskSession(models.Model):
    """A member of staff signed in at a desk, from when to when (open while `ended_at` is
    empty): who is at which desk now, and the time available to serve."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="sessions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["desk"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_session_per_desk",
                violation_error_message=_("Someone is already signed in at this desk."),
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_desk_per_user",
                violation_error_message=_("You are already signed in at another desk."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desk} · {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> float:
        end = self.ended_at or timezone.now()
        return max((end - self.started_at) / dt.timedelta(minutes=1), 0.0)
