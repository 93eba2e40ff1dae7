"""Reminders before the legal deadline and escalation after it.

Each case is claimed with a conditional UPDATE (…WHERE reminded_at IS NULL) before anything is
sent, so two workers or a re-run never send the same reminder twice.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from compromiso.cases.models import Case, CaseEvent, EventKind
from compromiso.core.actors import SYSTEM
from compromiso.core.audit import log_action
from compromiso.core.permissions import Role
from compromiso.organizations.models import Membership, User, organization_time


def run(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {"reminded": remind(now), "escalated": escalate(now)}


def remind(now: dt.datetime) -> int:
    """Open, assigned cases past the configured share of their term get one reminder."""
    share = settings.CASES_REMINDER_SHARE
    sent = 0
    candidates = (
        Case.objects.open()
        .filter(assignee__isnull=False, reminded_at__isnull=True, due_at__gt=now)
        .select_related("organization", "assignee")
    )
    for case in candidates.iterator():
        assert case.due_at is not None
        elapsed = (now - case.received_at) / (case.due_at - case.received_at)
        if elapsed < share:
            continue
        if not Case.objects.filter(pk=case.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue  # another run claimed it
        assert case.assignee is not None
        _mail(case, [case.assignee], escalated=False)
        CaseEvent.objects.create(case=case, kind=EventKind.REMINDER, comment=str(case.assignee))
        sent += 1
    return sent


def unit_heads(case: Case) -> list[User]:
    """Unit heads whose unit covers the case's unit (or administrators when it has none)."""
    memberships = Membership.objects.filter(
        organization_id=case.organization_id, user__is_active=True
    ).select_related("user", "unit")
    heads = []
    for membership in memberships:
        if case.unit is None:
            if membership.role == Role.ADMINISTRATOR:
                heads.append(membership.user)
        elif membership.role == Role.UNIT_HEAD and (
            membership.unit is None or case.unit.path.startswith(membership.unit.path)
        ):
            heads.append(membership.user)
    return list({user.pk: user for user in heads}.values())


def escalate(now: dt.datetime) -> int:
    """Overdue open cases are escalated once to the unit heads responsible for them."""
    sent = 0
    overdue = (
        Case.objects.overdue(now)
        .filter(escalated_at__isnull=True)
        .select_related("organization", "unit", "assignee")
    )
    for case in overdue.iterator():
        if not Case.objects.filter(pk=case.pk, escalated_at__isnull=True).update(escalated_at=now):
            continue
        heads = unit_heads(case)
        if heads:
            _mail(case, heads, escalated=True)
        CaseEvent.objects.create(
            case=case, kind=EventKind.ESCALATED, comment=", ".join(str(u) for u in heads)
        )
        log_action(case, "cases.case.escalated", by=SYSTEM, data={"to": [u.pk for u in heads]})
        sent += 1
    return sent


def _mail(case: Case, people: Iterable[User], *, escalated: bool) -> None:
    recipients = [person.email for person in people if person.email]
    if not recipients:
        return
    with (
        translation.override(case.organization.language or settings.LANGUAGE_CODE),
        organization_time(case.organization),
    ):
        context = {"case": case, "escalated": escalated, "site_url": settings.SITE_URL.rstrip("/")}
        subject = render_to_string("cases/email/reminder_subject.txt", context).strip()
        body = render_to_string("cases/email/reminder_body.txt", context)
    send_mail(subject, body, None, recipients)
