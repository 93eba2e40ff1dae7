"""Cases: complaints, suggestions, inquiries, compliments and information requests (OIRS,
ISO 10002), their legal deadline policies and the event log every state change writes."""

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.calendar import DeadlineUnit
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, scope_for
from compromiso.organizations.models import Organization, Unit


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


class DeadlinePolicy(TimeStampedModel):
    """How long the organisation has to answer one kind of request, and on what legal basis."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="deadline_policies",
    )
    kind = models.CharField(_("request kind"), max_length=24, choices=CaseKind.choices)
    unit = models.CharField(
        _("counted in"),
        max_length=16,
        choices=[
            (DeadlineUnit.BUSINESS_DAYS.value, _("business days")),
            (DeadlineUnit.CALENDAR_DAYS.value, _("calendar days")),
            (DeadlineUnit.MONTHS.value, _("months")),
            (DeadlineUnit.HOURS.value, _("business hours")),
        ],
        default=DeadlineUnit.BUSINESS_DAYS.value,
    )
    amount = models.PositiveSmallIntegerField(
        _("term"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    extension = models.PositiveSmallIntegerField(
        _("maximum extension"), default=0, validators=[MaxValueValidator(1000)]
    )
    extension_unit = models.CharField(
        _("extension counted in"),
        max_length=16,
        blank=True,
        help_text=_("Empty: the same unit as the term."),
        choices=[
            (DeadlineUnit.BUSINESS_DAYS.value, _("business days")),
            (DeadlineUnit.CALENDAR_DAYS.value, _("calendar days")),
            (DeadlineUnit.MONTHS.value, _("months")),
            (DeadlineUnit.HOURS.value, _("business hours")),
        ],
    )
    extension_requires_notice = models.BooleanField(
        _("the requester must be told of an extension"), default=False
    )
    legal_basis = models.TextField(
        _("legal basis"), max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    external_recourse = models.TextField(
        _("external recourse"),
        max_length=2000,
        blank=True,
        validators=[MaxLengthValidator(2000)],
        help_text=_("Where the requester can turn if they disagree with the answer."),
    )

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind"],
                name="deadline_policy_one_per_kind",
                violation_error_message=_("This kind of request already has a deadline policy."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount} {self.get_unit_display()}"


class Category(TimeStampedModel):
    """What a case is about, from the organisation's own taxonomy: categories and, one level
    down, subcategories."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subcategories",
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["parent__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "parent", "name"],
                name="case_category_unique_name",
                violation_error_message=_("A category with this name already exists here."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class RootCause(TimeStampedModel):
    """Why it happened, coded when a case closes (ISO 10002 §8.2): the outer loop of learning."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="root_cause_unique_code",
                violation_error_message=_("A cause with this code already exists."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TextSearchConfigField(models.CharField):  # type: ignore[type-arg]
    """The name of a PostgreSQL text-search configuration, stored as `regconfig` there (so an
    index can use it: a cast from text would not be immutable) and as text elsewhere."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return "regconfig"
        return super().db_type(connection)


class CaseQuerySet(models.QuerySet["Case"]):
    def visible_to(self, user: Any, perm: Perm = Perm.VIEW) -> "CaseQuerySet":
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


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("State change")
    NOTE = "note", _("Internal note")
    REPLY = "reply", _("Reply")
    PAUSED = "paused", _("Clock stopped")
    RESUMED = "resumed", _("Clock restarted")
    EXTENDED = "extended", _("Deadline extended")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Answer accepted")
    REJECTED = "rejected", _("Answer rejected")
    REDRESS = "redress", _("Redress")
    REMINDER = "reminder", _("Reminder")
    ESCALATED = "escalated", _("Escalated")


class CaseEvent(models.Model):
    """One entry of a case's timeline: who did what, when, and whether the requester sees it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EventKind.choices)
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    comment = models.TextField(
        _("comment"), max_length=20000, blank=True, validators=[MaxLengthValidator(20000)]
    )
    is_public = models.BooleanField(_("visible to the requester"), default=False)
    # Written by the requester (their message, the information asked for, their verdict), not
    # by the organisation: the tracking page says who wrote each entry.
    from_requester = models.BooleanField(_("from the requester"), default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.at:%Y-%m-%d %H:%M} {self.kind}"


class IntakeKey(models.Model):
    """A submission already turned into a case: a retried POST with the same key gets the same
    case back, never a second one (the API's Idempotency-Key; the web form's submission id)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="intake_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class PendingAcknowledgement(models.Model):
    """The tracking secret of a new case until its acknowledgement e-mail leaves. The secret is
    known only at intake and stored on the case only as an HMAC, so the e-mail task (whose row
    holds only the case's id) reads it from here: sealed with a key derived from SECRET_KEY (a
    database copy alone does not reveal it) and deleted as soon as the e-mail is sent, or by
    `case_maintenance` after two days when it never was."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    nonce = models.CharField(max_length=32)
    sealed = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.case_id}"

    @classmethod
    def seal(cls, case: Case, secret: str) -> "PendingAcknowledgement":
        nonce = secrets.token_hex(16)
        data = secret.encode()
        return cls(case=case, nonce=nonce, sealed=bytes(_xor(data, _pad(nonce, len(data)))).hex())

    def unseal(self) -> str:
        data = bytes.fromhex(self.sealed)
        return bytes(_xor(data, _pad(self.nonce, len(data)))).decode()


def _pad(nonce: str, length: int) -> bytes:
    from django.utils.crypto import salted_hmac

    return salted_hmac(
        "compromiso.cases.PendingAcknowledgement", nonce, algorithm="sha512"
    ).digest()[:length]


def _xor(data: bytes, pad: bytes) -> list[int]:
    return [a ^ b for a, b in zip(data, pad, strict=True)]


def _attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the uploaded name on disk: a random one, so names cannot collide or be guessed.
    return f"cases/{instance.case.organization_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file that came with a case or a reply, its type sniffed from its content."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    is_public = models.BooleanField(_("visible to the requester"), default=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class RedressKind(models.TextChoices):
    APOLOGY = "apology", _("Apology")
    REFUND = "refund", _("Refund")
    FEE_WAIVER = "fee_waiver", _("Fee waiver")
    PRIORITY = "priority", _("Priority attention")
    OTHER = "other", _("Other")


class Redress(models.Model):
    """Whether a service promise was broken and what the requester was given for it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="redresses")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="redresses"
    )
    breached = models.BooleanField(_("a commitment was breached"), default=True)
    # The charter guarantee that promised this redress (string reference: charters reads cases).
    commitment = models.ForeignKey(
        "charters.Commitment",
        verbose_name=_("guarantee breached"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redresses",
    )
    kind = models.CharField(_("redress"), max_length=12, choices=RedressKind.choices)
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("redress")
        verbose_name_plural = _("redress")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.get_kind_display()}"


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class HandlingRating(models.Model):
    """The requester's short survey after the answer: the outcome and the handling (ISO 10002
    §8.3), on a 1–5 scale."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="rating")
    outcome = models.PositiveSmallIntegerField(_("the outcome"), validators=SCORE)
    courtesy = models.PositiveSmallIntegerField(_("courtesy"), validators=SCORE)
    clarity = models.PositiveSmallIntegerField(_("clarity of the answer"), validators=SCORE)
    timeliness = models.PositiveSmallIntegerField(_("timeliness"), validators=SCORE)
    comment = models.TextField(
        _("comment"), max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handling rating")
        verbose_name_plural = _("handling ratings")

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.outcome}"

    @property
    def handling(self) -> float:
        return (self.courtesy + self.clarity + self.timeliness) / 3


class AssignmentRule(TimeStampedModel):
    """Route new cases: the first active rule that matches (kind, service, unit) gives the case
    to its unit and to its officers in turn (round-robin)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=10)
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices, blank=True)
    service = models.ForeignKey(
        Service, verbose_name=_("service"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("cases of unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_unit = models.ForeignKey(
        Unit,
        verbose_name=_("send to unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("officers, in turn"), blank=True, related_name="+"
    )
    next_index = models.PositiveIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"#{self.position}"


class CannedAnswer(TimeStampedModel):
    """A reusable answer with placeholders: {code}, {name}, {service}, {due}, {officer}."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=10000, validators=[MaxLengthValidator(10000)])
    kind = models.CharField(_("kind"), max_length=24, choices=CaseKind.choices, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned answer")
        verbose_name_plural = _("canned answers")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CaseDailyFact(models.Model):
    """Pre-aggregated figures: what happened to cases on one day, per combination of the
    dimensions analysts filter by. The analytics read these, never the whole case table."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=24)
    channel = models.ForeignKey(
        Channel, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    service = models.ForeignKey(
        Service, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    category = models.ForeignKey(
        Category, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    root_cause = models.ForeignKey(
        RootCause, null=True, on_delete=models.SET_NULL, db_constraint=False, related_name="+"
    )
    received = models.PositiveIntegerField(default=0)
    acknowledged = models.PositiveIntegerField(default=0)
    acknowledged_on_time = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    answered_on_time = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    handling_sum = models.FloatField(default=0)
    outcome_sum = models.FloatField(default=0)
    redress_count = models.PositiveIntegerField(default=0)
    redress_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    # Business days from receipt to answer: {"days": count}, for medians and percentiles.
    answer_days = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["organization", "day"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}"


class DirtyFactDay(models.Model):
    """A day whose facts must be rebuilt before they are read again (a case touching it
    changed). Cheap to write on every change; the analytics and a task clear them."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "day"], name="dirty_fact_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.day}"
