"""Reminders before an action's due date and escalation when it is overdue. Each action is
claimed with a conditional UPDATE first, so a re-run or a second worker never sends twice."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compromiso.core.audit import log_action
from compromiso.core.permissions import Role
from compromiso.improvement.models import OPEN_ACTION_STATUSES, ActionEvent, ImprovementAction
from compromiso.organizations.models import Membership, User

REMIND_DAYS_BEFORE = 7


def run(today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    now = timezone.now()
    reminded = escalated = 0
    soon = ImprovementAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        responsible__isnull=False,
        reminded_at__isnull=True,
        due_date__gte=today,
        due_date__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
    ).select_related("responsible", "organization")
    for action in soon:
        if ImprovementAction.objects.filter(pk=action.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            assert action.responsible is not None
            _mail(action, [action.responsible], overdue=False)
            reminded += 1
    late = ImprovementAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES, escalated_at__isnull=True, due_date__lt=today
    ).select_related("owner_unit", "organization")
    for action in late:
        if ImprovementAction.objects.filter(pk=action.pk, escalated_at__isnull=True).update(
            escalated_at=now
        ):
            heads = _heads(action)
            _mail(action, heads, overdue=True)
            ActionEvent.objects.create(
                action=action,
                comment=_("Overdue: escalated to %(people)s")
                % {"people": ", ".join(str(h) for h in heads) or "—"},
            )
            log_action(action, "improvement.action.escalated", by=None)
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}


def _heads(action: ImprovementAction) -> list[User]:
    memberships = Membership.objects.filter(
        organization_id=action.organization_id,
        role__in=[Role.UNIT_HEAD, Role.QUALITY_MANAGER],
        user__is_active=True,
    ).select_related("user", "unit")
    return list(
        {
            m.user.pk: m.user
            for m in memberships
            if m.unit is None or action.owner_unit.path.startswith(m.unit.path)
        }.values()
    )


def _mail(action: ImprovementAction, people: list[User], *, overdue: bool) -> None:
    recipients = [person.email for person in people if person.email]
    if not recipients:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("improvement:detail", args=[action.pk])
    with translation.override(action.organization.language or settings.LANGUAGE_CODE):
        if overdue:
            subject = _("Overdue improvement action: %(title)s") % {"title": action.title}
        else:
            subject = _("Improvement action due soon: %(title)s") % {"title": action.title}
        body = _("“%(title)s” is due on %(due)s.") % {
            "title": action.title,
            "due": action.due_date.isoformat(),
        }
    send_mail(subject, f"{body}\n\n{link}\n", None, recipients)
