"""Background work for attention: take ids, load, call one function."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from compromiso.organizations.models import organization_time

MAIL_KINDS = ("booked", "changed", "cancelled", "reminder")


@task()
def send_appointment_mail(*, appointment_id: int, kind: str) -> None:
    """E-mail a booking's confirmation, change, cancellation or reminder in the language it was
    made in, with its change-and-cancel link (the link key is derived, never passed here)."""
    from compromiso.attention.models import Appointment
    from compromiso.attention.services.appointments import link_key

    appointment = (
        Appointment.objects.select_related("organization", "branch__touch_point", "queue")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None or not appointment.email or kind not in MAIL_KINDS:
        return
    organization = appointment.organization
    language = appointment.language or organization.language or settings.LANGUAGE_CODE
    with translation.override(language), organization_time(organization):
        path = reverse("portal:appointment", kwargs={"code": appointment.code})
        context = {
            "appointment": appointment,
            "kind": kind,
            "organization": organization,
            "manage_url": f"{settings.SITE_URL.rstrip('/')}{path}?key={link_key(appointment.code)}",
        }
        subject = render_to_string("attention/appointments/email/subject.txt", context)
        body = render_to_string("attention/appointments/email/body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [appointment.email])


@task()
def appointment_reminders() -> int:
    """Send the reminders due now (run every few minutes)."""
    from compromiso.attention.services.appointments import send_reminders

    return send_reminders()


@task()
def appointment_no_shows() -> int:
    """Mark the bookings nobody came to as no-shows."""
    from compromiso.attention.services.appointments import mark_no_shows

    return mark_no_shows()
