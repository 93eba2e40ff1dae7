"""A case's dates are the organisation's: the staff page, the e-mails and the daily facts of a
Madrid organisation show and count Madrid time, whatever the server's time zone (here, as in
production by default, America/Santiago)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from compromiso.cases import facts, reminders, services
from compromiso.cases.deadlines import Pause, due_at
from compromiso.cases.models import Case, CaseDailyFact, PendingAcknowledgement
from compromiso.cases.tasks import send_acknowledgement
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC
from compromiso.core.calendar import DeadlineUnit
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Monday 2 March 2026, 23:30 UTC: 00:30 on Tuesday 3 March in Madrid, 20:30 on Monday in Santiago.
NEAR_MIDNIGHT = dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


@pytest.fixture
def madrid(db):
    return OrganizationFactory(
        name="Ayuntamiento de Ejemplo", country="ES", subdivision="MD", time_zone="Europe/Madrid"
    )


@pytest.fixture
def office(madrid):
    return UnitFactory(organization=madrid, name="Oficina de atención", kind="branch")


@pytest.fixture
def madrid_officer(madrid, office):
    user = UserFactory(username="oficial", email="oficial@example.org")
    MembershipFactory(user=user, organization=madrid, unit=office, role=Role.CASE_OFFICER)
    return user


@pytest.fixture
def madrid_case(madrid, office):
    counter = ChannelFactory(organization=madrid, kind="in_person", name="Mostrador")
    service = ServiceFactory(organization=madrid, provider_unit=office, name="Padrón")
    with time_machine.travel(NEAR_MIDNIGHT, tick=False):
        case, _secret = services.receive_case(
            organization=madrid,
            kind="complaint",
            channel=counter,
            service=service,
            subject="Cola de dos horas",
            description="Esperé dos horas.",
            requester_name="Ana Pérez",
            requester_email="ana@example.org",
            by=PUBLIC,
        )
    return case


def test_the_deadline_ends_at_closing_time_where_the_organisation_is(madrid, madrid_case):
    due = madrid_case.due_at.astimezone(madrid.zone)

    assert due.time() == dt.time(17, 0)
    assert madrid.local(madrid_case.received_at).date() == dt.date(2026, 3, 3)


def test_the_staff_case_page_shows_the_organisations_time(client, madrid_officer, madrid_case):
    client.force_login(madrid_officer)

    page = client.get(reverse("cases:detail", args=[madrid_case.pk])).content.decode()

    assert "00:30" in page  # received, Madrid time
    assert "17:00" in page  # due, at closing time in Madrid
    assert "20:30" not in page  # the server's (Santiago's) time of receipt
    assert "12:00" not in page  # the server's time of the deadline (Madrid is on summer time)
    assert "2026-03-03T00:30:00+01:00" in page  # the timeline's machine-readable time


def test_the_acknowledgement_gives_the_organisations_due_date(settings, madrid, madrid_case):
    """A server whose zone is a day ahead of Madrid's (17:00 in Madrid is 06:00 the next day
    in Kiritimati) still writes Madrid's date."""
    settings.TIME_ZONE = "Pacific/Kiritimati"
    mail.outbox.clear()
    due = madrid.local(madrid_case.due_at).date()
    with translation.override("es"):
        madrid_day = date_format(due, "j F Y")
        server_day = date_format(due + dt.timedelta(days=1), "j F Y")

    PendingAcknowledgement.objects.filter(case=madrid_case).delete()  # sent on commit, not here
    PendingAcknowledgement.seal(madrid_case, "s3cret").save(force_insert=True)

    send_acknowledgement.call(case_id=madrid_case.pk)

    (message,) = mail.outbox
    assert madrid_day in message.body
    assert server_day not in message.body


def test_the_reminder_gives_the_deadline_in_the_organisations_time(madrid_officer, madrid_case):
    Case.objects.filter(pk=madrid_case.pk).update(assignee=madrid_officer)
    mail.outbox.clear()

    reminders.run(now=madrid_case.due_at - dt.timedelta(hours=2))

    (message,) = mail.outbox
    assert "17:00" in message.body
    assert "12:00" not in message.body


def test_a_case_counts_on_the_organisations_day(madrid, madrid_case):
    facts.refresh(madrid)

    received = CaseDailyFact.objects.filter(organization=madrid, received__gt=0)
    assert list(received.values_list("day", flat=True)) == [dt.date(2026, 3, 3)]


def test_requests_do_not_leave_a_time_zone_behind(client, madrid_officer, madrid_case):
    client.force_login(madrid_officer)
    client.get(reverse("cases:detail", args=[madrid_case.pk]))

    assert timezone.get_current_timezone_name() == "America/Santiago"


def test_a_pause_inside_one_local_day_stops_no_calendar_day(madrid):
    """Stopped from 00:30 to 23:00 on 3 March in Madrid: two dates in UTC, one in Madrid."""
    calendar = madrid.business_calendar()
    received = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    pause = Pause(start=NEAR_MIDNIGHT, end=dt.datetime(2026, 3, 3, 22, 0, tzinfo=UTC))

    plain = due_at(calendar, received, 10, DeadlineUnit.CALENDAR_DAYS)
    paused = due_at(calendar, received, 10, DeadlineUnit.CALENDAR_DAYS, pauses=[pause])

    assert paused == plain


def test_an_acknowledgement_task_run_again_after_a_crash_sends_no_second_email(madrid_case):
    """A worker killed after the send is restarted and runs the task again: the sent-marker (the
    pending row, deleted with the send) stops the second e-mail."""
    mail.outbox.clear()
    PendingAcknowledgement.objects.filter(case=madrid_case).delete()
    PendingAcknowledgement.seal(madrid_case, "s3cret").save(force_insert=True)

    send_acknowledgement.call(case_id=madrid_case.pk)
    send_acknowledgement.call(case_id=madrid_case.pk)

    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert message.extra_headers["Message-ID"].startswith(f"<ack.{madrid_case.pk}.")
    assert not PendingAcknowledgement.objects.filter(case=madrid_case).exists()
