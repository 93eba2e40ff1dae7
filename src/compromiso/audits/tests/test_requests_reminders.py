"""Reminders of information requests: to whoever answers, when due within two business days or
late, at most once a day per request, counted."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from compromiso.audits import services
from compromiso.audits.models import AuditStatus, InformationRequest
from compromiso.core.actors import SYSTEM

pytestmark = pytest.mark.usefixtures("in_english")

# Wednesday 8 July 2026, noon in Santiago.
WEDNESDAY = dt.datetime(2026, 7, 8, 16, 0, tzinfo=dt.UTC)
THURSDAY = WEDNESDAY + dt.timedelta(days=1)


@pytest.fixture
def requests_(field_audit, team_auditor, branch, officer, unit_head):
    def add(text, due, **extra):
        extra.setdefault("owner_unit", branch)
        return services.add_request(field_audit, by=team_auditor, text=text, due_date=due, **extra)

    soon = add("Vence el viernes", dt.date(2026, 7, 10))  # 2 business days ahead
    later = add("Vence en tres días hábiles", dt.date(2026, 7, 13))  # Mon 13: 3 ahead
    late = add("Venció", dt.date(2026, 7, 1))
    answered = add("Respondida", dt.date(2026, 7, 9))
    services.answer_request(answered, by=unit_head, text="Listo.")
    to_officer = add("A la oficial", dt.date(2026, 7, 9), owner=officer, owner_unit=None)
    return {"soon": soon, "later": later, "late": late, "answered": answered, "officer": to_officer}


def run(at, capture):
    with time_machine.travel(at, tick=False), capture(execute=True):
        return services.remind_due_requests(by=SYSTEM)


def test_due_soon_and_late_requests_are_reminded_once_a_day(
    requests_, mailoutbox, django_capture_on_commit_callbacks, unit_head, officer
):
    assert run(WEDNESDAY, django_capture_on_commit_callbacks) == 3
    by_request = {r.text: r.reminders_sent for r in InformationRequest.objects.all()}
    assert by_request == {
        "Vence el viernes": 1,
        "Vence en tres días hábiles": 0,
        "Venció": 1,
        "Respondida": 0,
        "A la oficial": 1,
    }
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [unit_head.email, unit_head.email, officer.email]
    )
    late = next(mail for mail in mailoutbox if "Venció" in mail.body)
    # In the organisation's language, Spanish.
    assert "está vencida" in late.subject
    assert "Lleva 5 días hábiles de retraso." in late.body  # Thu 2, Fri 3, Mon 6, Tue 7, Wed 8
    assert (
        f"/staff/audits/{requests_['late'].audit_id}/requests/{requests_['late'].pk}/" in late.body
    )

    # The same day again: nothing.
    assert run(WEDNESDAY + dt.timedelta(hours=5), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 3

    # The next day: again, counted; the one due Monday is now within two business days.
    assert run(THURSDAY, django_capture_on_commit_callbacks) == 4
    requests_["soon"].refresh_from_db()
    assert requests_["soon"].reminders_sent == 2
    assert len(mailoutbox) == 7


def test_the_day_is_the_organisations(requests_, django_capture_on_commit_callbacks):
    # 02:00 UTC on Thursday is still Wednesday 22:00 in Santiago: the same day as noon.
    assert run(WEDNESDAY, django_capture_on_commit_callbacks) == 3
    assert (
        run(dt.datetime(2026, 7, 9, 2, 0, tzinfo=dt.UTC), django_capture_on_commit_callbacks) == 0
    )


def test_closed_audits_send_no_reminders(
    field_audit, requests_, django_capture_on_commit_callbacks
):
    field_audit.status = AuditStatus.CLOSED
    field_audit.save()
    assert run(WEDNESDAY, django_capture_on_commit_callbacks) == 0


def test_only_the_system_runs_the_reminders(requests_, team_auditor):
    with pytest.raises(PermissionDenied):
        services.remind_due_requests(by=team_auditor)


def test_the_daily_command(requests_, mailoutbox, django_capture_on_commit_callbacks, capsys):
    with (
        time_machine.travel(WEDNESDAY, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("audit_reminders")
    assert "reminded=3" in capsys.readouterr().out
    assert len(mailoutbox) == 3
