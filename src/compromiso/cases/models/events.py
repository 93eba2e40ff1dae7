"""The timeline: one event per thing that happened to a case."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models.case import Case, Status


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


class PendingAnswerNotice(models.Model):
    """An answer whose e-mail to the requester has not left yet: written with the answer, in its
    transaction, and deleted by the e-mail task in the transaction that sends it. It is the
    answer e-mail's sent-marker, one per answer, so a case answered again after reopening gets a
    second e-mail while a task run twice sends one."""

    event = models.OneToOneField(
        CaseEvent, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.event_id}"
