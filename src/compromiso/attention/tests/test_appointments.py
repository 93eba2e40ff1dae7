"""Booking, changing, cancelling, checking in, reminders and no-shows, as the services do them."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection

from compromiso.attention import services
from compromiso.attention.models import (
    Appointment,
    AppointmentStatus,
    Queue,
    Rank,
    SlotPlan,
    VisitSource,
)
from compromiso.attention.services import appointments as booking
from compromiso.core.actors import PUBLIC, SYSTEM
from compromiso.core.errors import DomainError

pytestmark = pytest.mark.django_db
SCL = ZoneInfo("America/Santiago")
MONDAY_9 = dt.datetime(2024, 6, 3, 9, tzinfo=SCL)
BEFORE = dt.datetime(2024, 6, 1, 10, tzinfo=SCL)


@pytest.fixture
def plan(office, general_queue, organization):
    organization.office_opens_at, organization.office_closes_at = dt.time(9), dt.time(11)
    organization.save()
    return SlotPlan.objects.create(
        branch=office,
        queue=general_queue,
        slot_minutes=30,
        capacity=1,
        horizon_days=30,
        valid_from=dt.date(2024, 1, 1),
    )


def book(queue, starts_at=MONDAY_9, now=BEFORE, **kw):
    kw.setdefault("name", "Ana Pérez")
    kw.setdefault("email", "ana@example.org")
    return booking.book(queue, starts_at, by=kw.pop("by", PUBLIC), now=now, **kw)


def test_booking_gives_a_code_a_key_and_a_confirmation_email(
    plan, general_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment, key = book(general_queue, language="es")
    assert len(appointment.code) == 8
    assert set(appointment.code) <= set(booking.CODE_ALPHABET)
    assert appointment.ends_at - appointment.starts_at == dt.timedelta(minutes=30)
    assert booking.verify_key(appointment, key)
    assert not booking.verify_key(appointment, "WRONG" + key[5:])
    assert key not in appointment.secret_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert appointment.code in message.subject
    assert "Cita reservada" in message.subject
    assert f"/appointments/{appointment.code}/?key={key}" in message.body
    assert "Lunes 3 junio 2024, 09:00" in message.body  # local time


def test_the_last_place_cannot_be_taken_twice(plan, general_queue):
    book(general_queue)
    with pytest.raises(DomainError) as refused:
        book(general_queue, name="Otra")
    assert refused.value.code == "slot_full"
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_at_once_cannot_take_the_last_place(plan, general_queue):
    if connection.vendor == "sqlite":  # an in-memory test database refuses a second writer
        pytest.skip("run on PostgreSQL, where two requests really run at once")
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(name: str) -> None:
        start.wait()
        try:
            book(Queue.objects.get(pk=general_queue.pk), name=name)
            outcomes.append("booked")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("Ana", "Luis")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["booked", "slot_full"]
    assert Appointment.objects.filter(status="booked").count() == 1


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (dt.datetime(2024, 5, 31, 9, tzinfo=SCL), "no_such_slot"),  # in the past
        (dt.datetime(2024, 6, 3, 11, tzinfo=SCL), "no_such_slot"),  # after closing
        (dt.datetime(2024, 6, 3, 9, 10, tzinfo=SCL), "no_such_slot"),  # not a slot start
        (dt.datetime(2024, 6, 1, 9, tzinfo=SCL), "no_such_slot"),  # Saturday
        (dt.datetime(2024, 8, 5, 9, tzinfo=SCL), "no_such_slot"),  # beyond the horizon
    ],
)
def test_hostile_times_are_refused(plan, general_queue, starts_at, code):
    with pytest.raises(DomainError) as refused:
        book(general_queue, starts_at=starts_at)
    assert refused.value.code == code
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": "x" * 10_000}, "invalid_name"),
        ({"name": "   "}, "invalid_name"),
        ({"email": "not-an-email"}, "invalid_email"),
        ({"email": "", "phone": ""}, "no_contact"),
        ({"phone": "9" * 41}, "invalid_phone"),
    ],
)
def test_hostile_contact_details_are_refused(plan, general_queue, fields, code):
    with pytest.raises(DomainError) as refused:
        book(general_queue, **fields)
    assert refused.value.code == code
    assert not Appointment.objects.exists()


def test_a_queue_without_a_plan_takes_no_booking(plan, quick_queue):
    with pytest.raises(DomainError):
        book(quick_queue)


def test_change_moves_the_booking_and_frees_the_old_place(plan, general_queue):
    appointment, _key = book(general_queue)
    later = MONDAY_9 + dt.timedelta(minutes=60)
    booking.change(appointment, later, by=PUBLIC, now=BEFORE)
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.changes) == (later, 1)
    other, _ = book(general_queue, name="Luis")  # the 09:00 place is free again
    assert other.starts_at == MONDAY_9
    with pytest.raises(DomainError) as refused:
        booking.change(appointment, MONDAY_9, by=PUBLIC, now=BEFORE)
    assert refused.value.code == "slot_full"


def test_cancel_frees_the_place_and_cannot_be_undone(
    plan, general_queue, django_capture_on_commit_callbacks
):
    appointment, _key = book(general_queue)
    with django_capture_on_commit_callbacks(execute=True):
        booking.cancel(appointment, by=PUBLIC, now=BEFORE)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_at
    with django_capture_on_commit_callbacks(execute=True):
        book(general_queue, name="Luis")
    with pytest.raises(DomainError):
        booking.cancel(appointment, by=PUBLIC, now=BEFORE)
    with pytest.raises(DomainError):
        booking.change(appointment, MONDAY_9 + dt.timedelta(minutes=30), by=PUBLIC, now=BEFORE)
    assert [m.subject.split(":")[0] for m in mail.outbox][-2:] == [
        "Cita cancelada",
        "Cita reservada",
    ]


@pytest.mark.parametrize(
    ("minutes", "allowed"),
    [(-61, False), (-60, True), (0, True), (30 + 15, True), (30 + 16, False)],
)
def test_check_in_window(plan, general_queue, minutes, allowed):
    appointment, _key = book(general_queue)
    now = MONDAY_9 + dt.timedelta(minutes=minutes)
    if allowed:
        visit = booking.check_in(appointment, by=PUBLIC, now=now)
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.CHECKED_IN
        assert appointment.visit == visit
        assert (visit.rank, visit.source) == (Rank.APPOINTMENT, VisitSource.APPOINTMENT)
    else:
        with pytest.raises(DomainError) as refused:
            booking.check_in(appointment, by=PUBLIC, now=now)
        assert refused.value.code in ("too_early", "too_late")
        assert appointment.visit is None


def test_checked_in_appointment_is_called_before_walk_ins(
    plan, general_queue, desk_one, officer, office
):
    appointment, _key = book(general_queue)
    walk_ins = [
        services.issue_ticket(general_queue, by=PUBLIC, at=MONDAY_9 - dt.timedelta(minutes=m))
        for m in (20, 10)
    ]
    visit = booking.check_in(appointment, by=officer, now=MONDAY_9)
    services.sit_at(desk_one, by=officer)
    assert services.call_next(desk_one, by=officer) == visit
    assert services.call_next(desk_one, by=officer) == walk_ins[0]
    with pytest.raises(DomainError):
        booking.check_in(appointment, by=officer, now=MONDAY_9)


def test_reminders_are_sent_once_in_the_booking_language(
    plan, general_queue, django_capture_on_commit_callbacks
):
    book(general_queue, language="es")
    book(general_queue, starts_at=MONDAY_9 + dt.timedelta(minutes=30), language="ca")
    book(general_queue, starts_at=MONDAY_9 + dt.timedelta(minutes=60), email="", phone="+56 9")
    far, _ = booking.book(
        general_queue,
        MONDAY_9 + dt.timedelta(days=1),
        by=PUBLIC,
        now=BEFORE,
        name="L",
        email="l@example.org",
    )
    mail.outbox.clear()
    now = dt.datetime(2024, 6, 2, 9, 45, tzinfo=SCL)  # within 24 h: 09:00, 09:30 (not 10:00)
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.send_reminders(now=now) == 2
    assert {m.to[0] for m in mail.outbox} == {"ana@example.org"}
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects[0].startswith("Recordatori")
    assert subjects[1].startswith("Recordatorio")
    assert booking.send_reminders(now=now) == 0
    assert len(mail.outbox) == 2
    far.refresh_from_db()
    assert far.reminded_at is None


def test_no_shows_are_marked_after_the_grace_time(plan, general_queue):
    first, _ = book(general_queue)
    second, _ = book(general_queue, starts_at=MONDAY_9 + dt.timedelta(minutes=30))
    # 09:00–09:30 ended 31 minutes ago; 09:30–10:00 ended 1 minute ago.
    assert booking.mark_no_shows(now=dt.datetime(2024, 6, 3, 10, 1, tzinfo=SCL)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("no_show", "booked")


def test_commands_run_the_reminders_and_no_shows(plan, general_queue, capsys):
    call_command("appointment_reminders")
    call_command("appointment_no_shows")
    out = capsys.readouterr().out
    assert "reminded=0" in out
    assert "no_shows=0" in out


def test_staff_booking_and_check_in_need_the_right_role(
    plan, general_queue, officer, viewer, other_organization
):
    with pytest.raises(PermissionDenied):
        book(general_queue, by=viewer)
    appointment, _ = book(general_queue, by=officer, email="", phone="+56 9 1234 5678")
    with pytest.raises(PermissionDenied):
        booking.check_in(appointment, by=viewer, now=MONDAY_9)
    with pytest.raises(PermissionDenied):
        booking.mark_no_show(appointment, by=viewer, now=MONDAY_9)
    booking.mark_no_show(appointment, by=officer, now=MONDAY_9 + dt.timedelta(minutes=1))
    appointment.refresh_from_db()
    assert appointment.status == "no_show"
    assert SYSTEM  # the jobs act as the system


def test_each_branch_sets_its_check_in_window_and_no_show_time(
    plan, general_queue, officer, office
):
    """Sucursal Arica: check-in from 10 minutes before the slot to 5 minutes after it ends; a
    no-show 45 minutes after it ends."""
    office.check_in_opens_minutes = 10
    office.check_in_closes_minutes = 5
    office.no_show_after_minutes = 45
    office.save()
    early, _ = book(general_queue)  # 09:00–09:30
    late, _ = book(general_queue, starts_at=MONDAY_9 + dt.timedelta(minutes=30))  # 09:30–10:00

    with pytest.raises(DomainError, match="08:50"):
        booking.check_in(early, by=officer, now=MONDAY_9 - dt.timedelta(minutes=11))
    with pytest.raises(DomainError, match="10:05"):
        booking.check_in(late, by=officer, now=MONDAY_9 + dt.timedelta(minutes=66))
    assert booking.check_in(early, by=officer, now=MONDAY_9 - dt.timedelta(minutes=10))

    # 10:00 + 45 min: not yet at 10:44, a no-show at 10:46.
    assert booking.mark_no_shows(now=MONDAY_9 + dt.timedelta(minutes=104)) == 0
    assert booking.mark_no_shows(now=MONDAY_9 + dt.timedelta(minutes=106)) == 1
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == ("checked_in", "no_show")
