"""A visit to a branch (one ticket), the service transactions it holds (one per queue it passes
through: a transfer or a second service opens another), and the append-only events from which
every wait, service and visit time is computed (research §G: never typed)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models.branches import Branch, Desk, Queue
from compromiso.attention.models.directory import Procedure
from compromiso.catalog.models import Service
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization

# No 0/O, 1/I/L: a code read aloud or typed from a paper ticket.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def follow_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


class VisitSource(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    RECEPTION = "reception", _("Reception")
    APPOINTMENT = "appointment", _("Appointment check-in")
    WEB = "web", _("Joined from the web")
    IMPORT = "import", _("Imported from a queue system")


class PriorityGroup(models.TextChoices):
    NONE = "", _("No priority")
    OLDER = "older", _("Older person")
    DISABILITY = "disability", _("Person with a disability")
    PREGNANT = "pregnant", _("Pregnant woman or person with an infant")
    OTHER = "other", _("Other priority by law")


class Rank(models.IntegerChoices):
    """The order in which a queue is called: appointments checked in first, then priority
    groups, then everybody else; within a rank, by time in the queue."""

    APPOINTMENT = 0, _("Appointment")
    PRIORITY = 1, _("Priority")
    REGULAR = 2, _("Regular")


class VisitState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    ON_HOLD = "on_hold", _("On hold")
    FINISHED = "finished", _("Finished")
    NO_SHOW = "no_show", _("Did not come when called")
    LEFT = "left", _("Left before being served")


OPEN_VISIT_STATES = (
    VisitState.WAITING,
    VisitState.CALLED,
    VisitState.SERVING,
    VisitState.ON_HOLD,
)


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    PENDING = "pending", _("Pending documents or a later step")
    REFERRED = "referred", _("Referred elsewhere")
    NOT_RESOLVED = "not_resolved", _("Could not be resolved")
    TRANSFERRED = "transferred", _("Transferred")
    NO_SHOW = "no_show", _("No-show")
    LEFT = "left", _("Left before being served")


class VisitQuerySet(models.QuerySet["Visit"]):
    def open(self) -> "VisitQuerySet":
        return self.filter(state__in=OPEN_VISIT_STATES)

    def in_call_order(self) -> "VisitQuerySet":
        return self.order_by("rank", "queued_at", "pk")


class Visit(TimeStampedModel):
    """One ticket: a person (or a family) at a branch on one day, from the ticket to the last
    service. `queue`, `desk`, `state`, `rank` and `queued_at` describe where it is now; the
    events say how it got there."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="visits"
    )
    day = models.DateField(_("day"), help_text=_("In the organisation's time zone."))
    number = models.CharField(_("ticket"), max_length=8)
    code = models.CharField(max_length=12, unique=True, default=follow_code, editable=False)
    source = models.CharField(_("issued at"), max_length=12, choices=VisitSource.choices)
    priority_group = models.CharField(
        _("priority"), max_length=12, choices=PriorityGroup.choices, blank=True
    )
    rank = models.PositiveSmallIntegerField(choices=Rank.choices, default=Rank.REGULAR)
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="visits"
    )
    desk = models.ForeignKey(
        Desk,
        verbose_name=_("desk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=VisitState.choices, default=VisitState.WAITING
    )
    arrived_at = models.DateTimeField(_("arrived"), default=timezone.now)
    queued_at = models.DateTimeField(default=timezone.now)  # joined the current queue
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    calls = models.PositiveSmallIntegerField(default=0)  # calls of the current transaction
    language = models.CharField(max_length=8, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    external_id = models.CharField(max_length=80, blank=True)  # an imported system's visit key

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-arrived_at", "-pk"]
        indexes = [
            models.Index(fields=["queue", "state", "rank", "queued_at"]),
            models.Index(fields=["branch", "day"]),
            models.Index(fields=["organization", "day"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "day", "number"],
                name="visit_number_unique_per_branch_day",
            ),
            models.UniqueConstraint(
                fields=["branch", "external_id"],
                condition=~models.Q(external_id=""),
                name="visit_external_id_once_per_branch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.branch}"


class Transaction(models.Model):
    """The part of a visit spent in one queue: waiting, called, served at a desk. The times are
    written from the events by the services, in the same step as the event."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="transactions")
    queue = models.ForeignKey(Queue, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        Procedure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField()
    called_at = models.DateTimeField(null=True, blank=True)  # the first call
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(default=0)  # on hold while being served
    calls = models.PositiveSmallIntegerField(default=0)
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["queued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.visit} · {self.queue}"


class EventKind(models.TextChoices):
    ISSUED = "issued", _("Ticket issued")
    CHECKED_IN = "checked_in", _("Checked in with an appointment")
    CALLED = "called", _("Called")
    RECALLED = "recalled", _("Called again")
    STARTED = "started", _("Service started")
    HELD = "held", _("Put on hold")
    RESUMED = "resumed", _("Resumed")
    TRANSFERRED = "transferred", _("Transferred")
    SERVICE_ADDED = "service_added", _("Another service added")
    FINISHED = "finished", _("Finished")
    NO_SHOW = "no_show", _("No-show")
    LEFT = "left", _("Left before being served")


class VisitEvent(models.Model):
    """One state change of a visit, with its time: append-only."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="events")
    transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("what"), max_length=14, choices=EventKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    desk = models.ForeignKey(
        Desk, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.visit} {self.kind} {self.at:%H:%M:%S}"
