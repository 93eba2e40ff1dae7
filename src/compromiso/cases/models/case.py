"""The case: a complaint, suggestion, inquiry, compliment or information request (OIRS, ISO
10002), its kinds, states and lifecycle rules, and the actions each state allows."""

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models.taxonomy import Category, RootCause
from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Organization, Unit

if TYPE_CHECKING:
    from compromiso.organizations.models import User


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    INQUIRY = "inquiry", _("Inquiry")
    COMPLIMENT = "compliment", _("Compliment")
    INFORMATION_REQUEST = "information_request", _("Request for public information")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the requester")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged into another case")
    DERIVED = "derived", _("Derived to another body")


# Which status may follow which. A reopened case goes back to "in progress". A simple request
# may be answered at once (an inquiry answered at the counter) without being assigned first.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset(
        {
            Status.ACKNOWLEDGED,
            Status.ASSIGNED,
            Status.ANSWERED,
            Status.WITHDRAWN,
            Status.MERGED,
            Status.DERIVED,
        }
    ),
    Status.ACKNOWLEDGED: frozenset(
        {
            Status.ASSIGNED,
            Status.IN_PROGRESS,
            Status.ANSWERED,
            Status.WITHDRAWN,
            Status.MERGED,
            Status.DERIVED,
        }
    ),
    Status.ASSIGNED: frozenset(
        {
            Status.ASSIGNED,
            Status.IN_PROGRESS,
            Status.WAITING,
            Status.ANSWERED,
            Status.WITHDRAWN,
            Status.MERGED,
            Status.DERIVED,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.WAITING, Status.ANSWERED, Status.WITHDRAWN, Status.MERGED, Status.DERIVED}
    ),
    Status.WAITING: frozenset({Status.IN_PROGRESS, Status.WITHDRAWN}),
    Status.ANSWERED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
    Status.WITHDRAWN: frozenset(),
    Status.MERGED: frozenset(),
    Status.DERIVED: frozenset(),
}
OPEN_STATUSES = (
    Status.RECEIVED,
    Status.ACKNOWLEDGED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.WAITING,
)


class CaseAction(models.TextChoices):
    """What staff can do to a case; which of them a case allows depends on its state
    (`Case.allowed_actions`)."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ASSIGN = "assign", _("Assign")
    START = "start", _("Start work")
    REQUEST_INFORMATION = "request_information", _("Ask the requester for information")
    RESUME = "resume", _("Information received")
    EXTEND = "extend", _("Extend the deadline")
    ANSWER = "answer", _("Send the answer")
    CLOSE = "close", _("Close")
    MERGE = "merge", _("Merge into another case")
    DERIVE = "derive", _("Derive to another body")
    REOPEN = "reopen", _("Reopen")
    WITHDRAW = "withdraw", _("Withdrawn by the requester")
    NOTE = "note", _("Add an internal note")
    REPLY = "reply", _("Send a reply (no state change)")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ReplyChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


class TextSearchConfigField(models.CharField):  # type: ignore[type-arg]
    """The name of a PostgreSQL text-search configuration, stored as `regconfig` there (so an
    index can use it: a cast from text would not be immutable) and as text elsewhere."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "regconfig"
        return super().db_type(connection)


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: "User", perm: Perm = Perm.VIEW) -> "CaseQuerySet":
        """Cases owned by units in the user's scope (unassigned ones need organisation scope)."""
        return scope_for(user, perm).filter(self, path_field="unit__path")

    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now: dt.datetime) -> "CaseQuerySet":
        """Open cases whose legal deadline has passed."""
        return self.open().filter(due_at__lt=now)

    def due_soon(self, now: dt.datetime, within: dt.timedelta) -> "CaseQuerySet":
        """Open cases due between now and `within` from now."""
        return self.open().filter(due_at__gte=now, due_at__lt=now + within)


class Verdict(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted the answer")
    REJECTED = "rejected", _("Rejected the answer")


class Case(TimeStampedModel):
    """What a user said about the service, from intake to closure. Nothing is ever deleted."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    tracking_code = models.CharField(_("tracking code"), max_length=32, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices)
    status = models.CharField(
        _("state"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="cases"
    )
    touch_point = models.ForeignKey(
        TouchPoint,
        verbose_name=_("touch point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("owning unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    subject = models.CharField(_("subject"), max_length=200)
    # A TextField's max_length is not checked by model validation: the validator is.
    description = models.TextField(
        _("description"), max_length=20000, validators=[MaxLengthValidator(20000)]
    )
    # The requester. Personal data stays in these fields only, so it can be erased on request.
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    requester_name = models.CharField(_("name"), max_length=200, blank=True)
    requester_national_id = models.CharField(_("national ID"), max_length=20, blank=True)
    requester_email = models.EmailField(_("e-mail"), blank=True)
    requester_phone = models.CharField(_("phone"), max_length=40, blank=True)
    requester_address = models.CharField(_("postal address"), max_length=300, blank=True)
    reply_channel = models.CharField(
        _("preferred reply channel"),
        max_length=10,
        choices=ReplyChannel.choices,
        default=ReplyChannel.EMAIL,
    )
    # The legal clock, copied from the policy at intake so later policy edits don't move it.
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    deadline_amount = models.PositiveSmallIntegerField(_("term"))
    deadline_unit = models.CharField(_("counted in"), max_length=16)
    extension_allowed = models.PositiveSmallIntegerField(_("maximum extension"), default=0)
    extension_unit = models.CharField(max_length=16, blank=True)
    extension_requires_notice = models.BooleanField(default=False)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    extended = models.BooleanField(_("extended"), default=False)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    derived_to = models.CharField(_("derived to"), max_length=300, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    root_cause = models.ForeignKey(
        RootCause,
        verbose_name=_("root cause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    external_recourse = models.TextField(_("external recourse"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # The requester's verdict on the answer (ISO 10002 §7.8): a rejection reopens the case.
    verdict = models.CharField(
        _("requester's verdict"), max_length=8, choices=Verdict.choices, blank=True
    )
    verdict_at = models.DateTimeField(null=True, blank=True)
    # Idempotency marks for the reminder and escalation tasks.
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # The text-search configuration of the organisation's language at intake (cases/search.py).
    search_config = TextSearchConfigField(max_length=32, default="spanish", editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "status", "due_at"]),
            models.Index(fields=["organization", "-received_at", "-id"]),
            models.Index(fields=["organization", "answered_at"]),
            # The inbox's open and overdue pages, newest first, read only the open cases
            # (docs/performance.md).
            models.Index(
                fields=["organization", "-received_at", "-id"],
                condition=Q(status__in=OPEN_STATUSES),
                name="case_open_newest_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=True) | ~Q(requester_name=""),
                name="case_named_unless_anonymous",
                violation_error_message=_("Give the requester's name or mark the case anonymous."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} · {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def can_reopen(self, now: dt.datetime | None = None) -> bool:
        """An answered or closed case reopens only within the reopening window."""
        if self.status not in (Status.ANSWERED, Status.CLOSED):
            return False
        reference = self.closed_at or self.answered_at
        window = dt.timedelta(days=settings.CASES_REOPEN_DAYS)
        return reference is None or (now or timezone.now()) - reference <= window

    def allowed_actions(self, now: dt.datetime | None = None) -> list[str]:
        """The actions this case allows in its present state, in the order staff see them.
        Every door (page, API) and every service asks this one place."""
        status = self.status
        allowed = {
            CaseAction.ACKNOWLEDGE: self.can_become(Status.ACKNOWLEDGED),
            CaseAction.ASSIGN: self.is_open,
            # Work starts on an acknowledged or assigned case; a paused case resumes, a closed
            # one is reopened (with its reason, inside the window) — never "started".
            CaseAction.START: status in (Status.ACKNOWLEDGED, Status.ASSIGNED),
            CaseAction.REQUEST_INFORMATION: self.can_become(Status.WAITING),
            CaseAction.RESUME: status == Status.WAITING,
            CaseAction.EXTEND: self.is_open and not self.extended and self.extension_allowed > 0,
            CaseAction.ANSWER: self.can_become(Status.ANSWERED),
            CaseAction.CLOSE: self.can_become(Status.CLOSED),
            CaseAction.MERGE: self.can_become(Status.MERGED),
            CaseAction.DERIVE: self.can_become(Status.DERIVED),
            CaseAction.REOPEN: self.can_reopen(now),
            CaseAction.WITHDRAW: self.can_become(Status.WITHDRAWN),
            CaseAction.NOTE: self.is_open,
            CaseAction.REPLY: self.is_open,
        }
        return [str(action) for action, ok in allowed.items() if ok]
