"""Mystery shopping (research note §B.3): trained observers pose as ordinary users and record
whether the attention protocols are applied. A round is an `Audit` of kind "mystery" with its
settings (`MysteryRound`): the scenario scripts it plays, who observes, when the touch points
are open to visits and how many visits each gets. Its visits are drawn by a reproducible,
stratified random schedule (`audits/mystery_schedule.py`); each visit done stores the protocol
observations (servicemodel's `ProtocolCheck`, method "mystery") and the scenario's own items."""

import random

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models._fields import long_text
from compromiso.audits.models.engagement import Audit
from compromiso.catalog.models import Channel, ChannelKind, Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization, validate_weekmask
from compromiso.servicemodel.models import ProtocolCheck, StepOutcome

MAX_MINUTES = 600  # a wait or an attention longer than ten hours is a typing slip
MAX_VISITS_PER_STRATUM = 50
LAST_HOUR = 23  # an hour slot starts at 0..23 and ends at 1..24


def new_seed() -> int:
    """A fresh seed for a round's schedule: six digits anyone can copy to draw it again."""
    return random.SystemRandom().randint(100000, 999999)


class MysteryScenario(TimeStampedModel):
    """A script a mystery shopper plays on one service through one kind of channel (or one
    channel): who they pretend to be, what they ask and do, and what should happen."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    channel_kind = models.CharField(_("channel kind"), max_length=12, choices=ChannelKind.choices)
    channel = models.ForeignKey(
        Channel,
        verbose_name=_("only on the channel"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    script = long_text(_("script (what the shopper asks and does)"), 5000, blank=False)
    persona = long_text(_("persona (who the shopper plays)"), 2000)
    expected_outcome = long_text(_("expected outcome"), 2000, blank=False)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("mystery shopping scenario")
        verbose_name_plural = _("mystery shopping scenarios")
        ordering = ["title", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title"],
                name="mystery_scenario_title_once",
                violation_error_message=_("Another scenario has this title."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def fits(self, touch_point: TouchPoint) -> bool:
        """Can it be played at this touch point (its channel kind, and channel if named)?"""
        if self.channel_id is not None:
            return self.channel_id == touch_point.channel_id
        return self.channel_kind == touch_point.channel.kind


class Allocation(models.TextChoices):
    EQUAL = "equal", _("The same number of visits at every touch point")
    PROPORTIONAL = (
        "proportional",
        _("In proportion to each touch point's cases in the previous period (at least one)"),
    )


class MysteryRound(models.Model):
    """The settings of a mystery-shopping round: its scenarios, its observers (people who may
    conduct the audit), the opening hours visits are drawn in, and how many visits each
    touch point gets. `seed` draws the same schedule again."""

    audit = models.OneToOneField(Audit, on_delete=models.CASCADE, related_name="mystery")
    scenarios = models.ManyToManyField(
        MysteryScenario, verbose_name=_("scenarios"), blank=True, related_name="rounds"
    )
    observers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("observers"), blank=True, related_name="+"
    )
    weekdays = models.CharField(
        _("visit on"),
        max_length=7,
        default="1111100",
        validators=[validate_weekmask],
        help_text=_("Monday to Sunday, 1 for a day with visits."),
    )
    morning_from = models.PositiveSmallIntegerField(
        _("from (hour)"), default=9, validators=[MaxValueValidator(LAST_HOUR)]
    )
    morning_to = models.PositiveSmallIntegerField(
        _("to (hour)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    afternoon_from = models.PositiveSmallIntegerField(
        _("and from (hour)"), null=True, blank=True, validators=[MaxValueValidator(LAST_HOUR)]
    )
    afternoon_to = models.PositiveSmallIntegerField(
        _("to (hour)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    visits_per_stratum = models.PositiveSmallIntegerField(
        _("visits per touch point"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_VISITS_PER_STRATUM)],
    )
    allocation = models.CharField(
        _("visits by touch point"),
        max_length=12,
        choices=Allocation.choices,
        default=Allocation.EQUAL,
    )
    seed = models.PositiveIntegerField(
        _("seed"), default=new_seed, validators=[MaxValueValidator(2**31 - 1)]
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("mystery shopping round")
        verbose_name_plural = _("mystery shopping rounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(morning_to__gt=models.F("morning_from")),
                name="mystery_morning_in_order",
                violation_error_message=_("The visiting hours end before they start."),
            ),
            models.CheckConstraint(
                condition=Q(afternoon_from__isnull=True, afternoon_to__isnull=True)
                | Q(afternoon_to__gt=models.F("afternoon_from")),
                name="mystery_afternoon_in_order",
                violation_error_message=_("The visiting hours end before they start."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.audit)

    @property
    def slots(self) -> tuple[int, ...]:
        """The hours a visit may start at: one slot per hour of the visiting hours."""
        hours = list(range(self.morning_from, self.morning_to))
        if self.afternoon_from is not None and self.afternoon_to is not None:
            hours += range(self.afternoon_from, self.afternoon_to)
        return tuple(sorted(set(hours)))


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Visited")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


class MysteryVisit(models.Model):
    """One visit of the schedule: a touch point, the scenario played there, when, by whom; once
    done, what was seen (the protocol observations in `checks`, the scenario's items in
    `answers`), how long the shopper waited and was attended."""

    round = models.ForeignKey(MysteryRound, on_delete=models.CASCADE, related_name="visits")
    number = models.PositiveIntegerField(_("number"))
    touch_point = models.ForeignKey(
        TouchPoint, verbose_name=_("touch point"), on_delete=models.PROTECT, related_name="+"
    )
    scenario = models.ForeignKey(
        MysteryScenario, verbose_name=_("scenario"), on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("scheduled for"))
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("observer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("state"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    wait_minutes = models.PositiveSmallIntegerField(
        _("minutes waiting"), null=True, blank=True, validators=[MaxValueValidator(MAX_MINUTES)]
    )
    service_minutes = models.PositiveSmallIntegerField(
        _("minutes being attended"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_MINUTES)],
    )
    notes = long_text(_("notes"), 2000)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    checks = models.ManyToManyField(ProtocolCheck, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mystery shopping visit")
        verbose_name_plural = _("mystery shopping visits")
        ordering = ["round", "scheduled_at", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="mystery_visit_number_once")
        ]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.touch_point}"


class ScenarioItem(models.TextChoices):
    """The items every visit answers about its scenario, besides the protocol steps."""

    OUTCOME = "outcome", _("Was the expected outcome achieved?")
    INFORMATION = "information", _("Was the information given correct and complete?")


class MysteryAnswer(models.Model):
    """A visit's answer to one scenario item: met, not met or not applicable."""

    visit = models.ForeignKey(MysteryVisit, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(_("item"), max_length=12, choices=ScenarioItem.choices)
    outcome = models.CharField(_("result"), max_length=8, choices=StepOutcome.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("mystery shopping answer")
        verbose_name_plural = _("mystery shopping answers")
        ordering = ["visit", "item"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "item"], name="mystery_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} · {self.get_outcome_display()}"
