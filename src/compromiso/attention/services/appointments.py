"""Appointments: book a free slot (on the portal without an account, or by staff for a caller),
change it, cancel it, check in on arrival (a ticket at the front of its queue), mark no-shows
and send reminders.

The citizen manages a booking with its confirmation `code` and a secret link key. The key is
derived from the code with the site's secret key (an HMAC, as password-reset links are), so the
confirmation and the reminder e-mails can both carry it without it ever being stored or passed
to a task; `secret_hash` keeps its SHA-256 HMAC, checked in constant time.

Two people cannot take the last place of a slot: a booking first writes to its queue's row (a
row lock on PostgreSQL, the write lock on SQLite), then counts the places taken and inserts, all
in one transaction."""

import datetime as dt
import hashlib
import hmac
import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.attention import slots as slot_math
from compromiso.attention.models import (
    CODE_ALPHABET,
    Appointment,
    AppointmentStatus,
    Procedure,
    Queue,
    Rank,
    SlotPlan,
    Visit,
    VisitSource,
)
from compromiso.attention.services.queue import issue_ticket
from compromiso.core.actors import SYSTEM, Actor, SystemActor
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require

CODE_LENGTH = 8
MAX_CHANGES = 5
REMIND_AHEAD = dt.timedelta(hours=24)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    """A code as typed (spaces, dashes, lower case) in its stored form."""
    return "".join(c for c in str(value).upper() if c in CODE_ALPHABET)[:12]


def link_key(code: str) -> str:
    """The secret of a booking's change-and-cancel links."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"attention.appointment:{code}".encode(), hashlib.sha256
    ).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:20])


def _hash(key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), key.encode(), hashlib.sha256).hexdigest()


def verify_key(appointment: Appointment, key: str) -> bool:
    return bool(appointment.secret_hash) and hmac.compare_digest(
        appointment.secret_hash, _hash(str(key).strip().upper()[:40])
    )


def _require(by: Actor, queue: Queue, perm: Perm = Perm.SERVE_VISITORS) -> None:
    if isinstance(by, SystemActor):
        return
    require(
        by,
        perm,
        organization_id=queue.branch.organization_id,
        unit_path=queue.branch.touch_point.unit.path,
    )


def _lock_queue(queue: Queue) -> None:
    """Serialise the bookings of one queue until the transaction ends."""
    Queue.objects.filter(pk=queue.pk).update(updated_at=F("updated_at"))
    Queue.objects.select_for_update().filter(pk=queue.pk).first()


def _slot_or_refuse(
    queue: Queue, starts_at: dt.datetime, *, now: dt.datetime, exclude: Appointment | None = None
) -> slot_math.Slot:
    slot = slot_math.find_slot(queue, starts_at, now=now, exclude=exclude)
    if slot is None:
        raise DomainError(
            _("This time is not offered for appointments. Choose one of the free times."),
            code="no_such_slot",
        )
    if slot.free <= 0:
        raise DomainError(
            _("Someone has just taken the last place at this time. Choose another time."),
            code="slot_full",
        )
    return slot


def _clean_contact(name: str, email: str, phone: str) -> tuple[str, str, str]:
    name, email, phone = " ".join(str(name).split()), str(email).strip(), str(phone).strip()
    if not name or len(name) > 200:
        raise DomainError(_("Give your name (up to 200 characters)."), code="invalid_name")
    if len(phone) > 40:
        raise DomainError(_("The phone number is too long."), code="invalid_phone")
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise DomainError(_("Enter a valid e-mail address."), code="invalid_email") from error
    if not email and not phone:
        raise DomainError(
            _("Give an e-mail address or a phone number so we can reach you."),
            code="no_contact",
        )
    return name, email, phone


def book(
    queue: Queue,
    starts_at: dt.datetime,
    *,
    by: Actor,
    name: str,
    email: str = "",
    phone: str = "",
    language: str = "",
    procedure: Procedure | None = None,
    now: dt.datetime | None = None,
) -> tuple[Appointment, str]:
    """Book a place at `starts_at` in `queue`; returns the booking and its link key. The public
    books with `PUBLIC`; staff booking for a caller need to serve visitors at the branch."""
    _require(by, queue)
    now = now or timezone.now()
    name, email, phone = _clean_contact(name, email, phone)
    branch = queue.branch
    if procedure is not None and procedure.organization_id != branch.organization_id:
        raise DomainError(_("Unknown procedure."), code="invalid")
    with transaction.atomic():
        _lock_queue(queue)
        slot = _slot_or_refuse(queue, starts_at, now=now)
        for _attempt in range(5):
            code = new_code()
            try:
                with transaction.atomic():
                    appointment = Appointment.objects.create(
                        organization_id=branch.organization_id,
                        branch=branch,
                        queue=queue,
                        service=queue.services.first(),
                        procedure=procedure,
                        starts_at=slot.starts_at,
                        ends_at=slot.ends_at,
                        code=code,
                        secret_hash=_hash(link_key(code)),
                        name=name,
                        email=email,
                        phone=phone,
                        language=language[:8],
                    )
                break
            except IntegrityError:  # the same random code twice: draw again
                continue
        else:
            raise DomainError(_("The booking could not be saved; please try again."), code="busy")
        log_action(appointment, "attention.appointment.booked", by=by, data={"code": code})
        _mail(appointment, "booked")
    return appointment, link_key(code)


def _expect_booked(appointment: Appointment, now: dt.datetime) -> None:
    if appointment.status != AppointmentStatus.BOOKED:
        raise DomainError(
            _("This appointment is %(status)s: it can no longer be changed.")
            % {"status": appointment.get_status_display().lower()},
            code="wrong_state",
        )
    if appointment.starts_at <= now:
        raise DomainError(
            _("This appointment has already started: it can no longer be changed."),
            code="started",
        )


def change(
    appointment: Appointment, starts_at: dt.datetime, *, by: Actor, now: dt.datetime | None = None
) -> Appointment:
    """Move a booking to another free slot of its queue."""
    _require(by, appointment.queue)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_queue(appointment.queue)
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _expect_booked(appointment, now)
        if appointment.changes >= MAX_CHANGES:
            raise DomainError(
                _("This appointment was changed too many times; cancel it and book again."),
                code="too_many_changes",
            )
        slot = _slot_or_refuse(appointment.queue, starts_at, now=now, exclude=appointment)
        before = appointment.starts_at
        appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
        appointment.changes += 1
        appointment.reminded_at = None
        appointment.save(
            update_fields=["starts_at", "ends_at", "changes", "reminded_at", "updated_at"]
        )
        log_action(
            appointment,
            "attention.appointment.changed",
            by=by,
            data={"from": before.isoformat(), "to": slot.starts_at.isoformat()},
        )
        _mail(appointment, "changed")
    return appointment


def cancel(appointment: Appointment, *, by: Actor, now: dt.datetime | None = None) -> Appointment:
    _require(by, appointment.queue)
    now = now or timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _expect_booked(appointment, now)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.save(update_fields=["status", "cancelled_at", "updated_at"])
        log_action(appointment, "attention.appointment.cancelled", by=by)
        _mail(appointment, "cancelled")
    return appointment


def check_in(appointment: Appointment, *, by: Actor, now: dt.datetime | None = None) -> Visit:
    """The person has arrived: issue their ticket at the front of the queue (from an hour before
    the slot until a quarter of an hour after it ends)."""
    _require(by, appointment.queue)
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("queue", "queue__branch", "branch__organization")
            .get(pk=appointment.pk)
        )
        if appointment.status == AppointmentStatus.CHECKED_IN:
            raise DomainError(_("This appointment is already checked in."), code="checked_in")
        if appointment.status != AppointmentStatus.BOOKED:
            raise DomainError(
                _("This appointment is %(status)s: it cannot be checked in.")
                % {"status": appointment.get_status_display().lower()},
                code="wrong_state",
            )
        zone = appointment.branch.organization.zone
        opens, closes = appointment.branch.check_in_window(
            appointment.starts_at, appointment.ends_at
        )
        if now < opens:
            raise DomainError(
                _("Too early: check-in opens at %(time)s.")
                % {"time": f"{opens.astimezone(zone):%H:%M}"},
                code="too_early",
            )
        if now > closes:
            raise DomainError(
                _(
                    "Too late: check-in closed at %(time)s. Take a ticket at the kiosk or ask at "
                    "reception."
                )
                % {"time": f"{closes.astimezone(zone):%H:%M}"},
                code="too_late",
            )
        visit = issue_ticket(
            appointment.queue,
            by=by,
            source=VisitSource.APPOINTMENT,
            rank=Rank.APPOINTMENT,
            service=appointment.service,
            procedure=appointment.procedure,
            at=now,
            language=appointment.language,
            phone=appointment.phone,
            email=appointment.email,
        )
        appointment.visit = visit
        appointment.status = AppointmentStatus.CHECKED_IN
        appointment.checked_in_at = now
        appointment.save(update_fields=["visit", "status", "checked_in_at", "updated_at"])
        log_action(appointment, "attention.appointment.checked_in", by=by, data={"visit": visit.pk})
    return visit


def mark_no_show(
    appointment: Appointment, *, by: Actor, now: dt.datetime | None = None
) -> Appointment:
    """Staff record that a booked person did not come (once the slot has started)."""
    _require(by, appointment.queue)
    now = now or timezone.now()
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status != AppointmentStatus.BOOKED:
            raise DomainError(
                _("Only a booked appointment can be marked as not come."), code="wrong_state"
            )
        if appointment.starts_at > now:
            raise DomainError(_("This appointment has not started yet."), code="not_started")
        appointment.status = AppointmentStatus.NO_SHOW
        appointment.save(update_fields=["status", "updated_at"])
        log_action(appointment, "attention.appointment.no_show", by=by)
    return appointment


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Every booking whose slot ended more than its branch's `no_show_after_minutes` ago without
    a check-in is a no-show."""
    now = now or timezone.now()
    count = 0
    for appointment in Appointment.objects.filter(
        status=AppointmentStatus.BOOKED, ends_at__lt=now
    ).select_related("branch"):
        grace = dt.timedelta(minutes=appointment.branch.no_show_after_minutes)
        if appointment.ends_at >= now - grace:
            continue
        with transaction.atomic():
            updated = Appointment.objects.filter(
                pk=appointment.pk, status=AppointmentStatus.BOOKED
            ).update(status=AppointmentStatus.NO_SHOW, updated_at=now)
            if updated:
                log_action(appointment, "attention.appointment.no_show", by=SYSTEM)
                count += 1
    return count


def send_reminders(*, now: dt.datetime | None = None) -> int:
    """E-mail once every booking starting within the next 24 hours."""
    now = now or timezone.now()
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMIND_AHEAD,
    ).exclude(email="")
    count = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = Appointment.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if claimed:
                count += 1
                transaction.on_commit(partial(_remind, pk))
    return count


def _remind(pk: int) -> None:
    from compromiso.attention.tasks import send_appointment_mail

    send_appointment_mail.enqueue(appointment_id=pk, kind="reminder")


def _mail(appointment: Appointment, kind: str) -> None:
    if not appointment.email:
        return
    from compromiso.attention.tasks import send_appointment_mail

    pk = appointment.pk
    transaction.on_commit(lambda: send_appointment_mail.enqueue(appointment_id=pk, kind=kind))


def find_by_code(code: str) -> Appointment | None:
    code = normalize_code(code)
    if len(code) != CODE_LENGTH:
        return None
    return (
        Appointment.objects.select_related("branch__touch_point", "branch__organization", "queue")
        .filter(code=code)
        .first()
    )


def save_slot_plan(plan: SlotPlan, *, by: Actor) -> SlotPlan:
    """Create or edit how a queue takes appointments."""
    if plan.queue.branch_id != plan.branch_id:
        raise DomainError(_("This queue belongs to another branch."), code="invalid")
    _require(by, plan.queue, Perm.MANAGE_ATTENTION)
    created = plan.pk is None
    with transaction.atomic():
        plan.full_clean()
        plan.save()
        log_action(
            plan,
            "attention.slot_plan.created" if created else "attention.slot_plan.changed",
            by=by,
            data={"queue": plan.queue_id, "minutes": plan.slot_minutes, "capacity": plan.capacity},
        )
    return plan


def deactivate_slot_plan(plan: SlotPlan, *, by: Actor) -> SlotPlan:
    """Stop offering new slots under this plan (bookings already made stay)."""
    _require(by, plan.queue, Perm.MANAGE_ATTENTION)
    with transaction.atomic():
        plan.is_active = False
        plan.save(update_fields=["is_active", "updated_at"])
        log_action(plan, "attention.slot_plan.deactivated", by=by)
    return plan
