"""Reminders before an action's due date and escalation when it is overdue. Each action is
claimed with a conditional UPDATE first, so a re-run or a second worker never sends twice."""

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compromiso.core.actors import SYSTEM
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, Role, roles_with
from compromiso.improvement.models import OPEN_ACTION_STATUSES, ActionEvent, ImprovementAction
from compromiso.organizations.models import Membership, User

REMIND_DAYS_BEFORE = 7

# An overdue action escalates to the people who run improvement (not the administrator).
ESCALATED_TO = roles_with(Perm.MANAGE_IMPROVEMENT) - {Role.ADMINISTRATOR}


def run(today: dt.date | None = None) -> dict[str, int]:
    """Each action's day is its organisation's (`today` overrides it for every action)."""
    now = timezone.now()
    # Every organisation's today lies within a day of UTC's: the queries take that span, and
    # each action is then judged on its own organisation's day.
    earliest = today or now.date() - dt.timedelta(days=1)
    latest = today or now.date() + dt.timedelta(days=1)

    def today_of(action: ImprovementAction) -> dt.date:
        return today or action.organization.today()

    reminded = escalated = 0
    soon = ImprovementAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES,
        responsible__isnull=False,
        reminded_at__isnull=True,
        due_date__gte=earliest,
        due_date__lte=latest + dt.timedelta(days=REMIND_DAYS_BEFORE),
    ).select_related("responsible", "organization")
    for action in soon:
        day = today_of(action)
        if not day <= action.due_date <= day + dt.timedelta(days=REMIND_DAYS_BEFORE):
            continue
        if ImprovementAction.objects.filter(pk=action.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            assert action.responsible is not None
            _mail(action, [action.responsible], overdue=False)
            reminded += 1
    late = ImprovementAction.objects.filter(
        status__in=OPEN_ACTION_STATUSES, escalated_at__isnull=True, due_date__lt=latest
    ).select_related("owner_unit", "organization")
    for action in late:
        if action.due_date >= today_of(action):
            continue
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
            log_action(action, "improvement.action.escalated", by=SYSTEM)
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}


def _heads(action: ImprovementAction) -> list[User]:
    memberships = Membership.objects.filter(
        organization_id=action.organization_id,
        role__in=ESCALATED_TO,
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
