"""Background work for charters: take ids, load, call one function."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from compromiso.core.permissions import Perm, roles_with
from compromiso.organizations.models import organization_time


@task()
def compute_measurements_task(*, organization_id: int) -> dict[str, int]:
    """Compute every indicator of the organisation's charters for the closed periods."""
    from compromiso.charters.services import compute_measurements
    from compromiso.organizations.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return {"written": 0, "breaches": 0}
    return compute_measurements(organization)


@task()
def notify_breach(*, measurement_id: int) -> None:
    """Tell the owner unit's heads and the quality managers that a commitment was breached."""
    from compromiso.charters.models import Measurement
    from compromiso.charters.services import breach_recipients

    measurement = (
        Measurement.objects.select_related(
            "commitment__charter__organization", "commitment__service"
        )
        .filter(pk=measurement_id)
        .first()
    )
    if measurement is None:
        return
    recipients = breach_recipients(measurement.commitment)
    if not recipients:
        return
    organization = measurement.commitment.charter.organization
    with (
        translation.override(organization.language or settings.LANGUAGE_CODE),
        organization_time(organization),
    ):
        context = {"measurement": measurement, "site_url": settings.SITE_URL.rstrip("/")}
        subject = render_to_string("charters/email/breach_subject.txt", context).strip()
        body = render_to_string("charters/email/breach_body.txt", context)
    send_mail(subject, body, None, recipients)


@task()
def send_review_reminder(*, charter_id: int) -> None:
    """Remind the quality managers that a charter is due for review."""
    from compromiso.charters.models import Charter
    from compromiso.charters.services import review_due
    from compromiso.organizations.models import Membership

    charter = Charter.objects.select_related("organization").filter(pk=charter_id).first()
    if charter is None:
        return
    recipients = sorted(
        set(
            Membership.objects.filter(
                organization_id=charter.organization_id,
                role__in=roles_with(Perm.APPROVE_CHARTERS),
                unit__isnull=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not recipients:
        return
    with (
        translation.override(charter.organization.language or settings.LANGUAGE_CODE),
        organization_time(charter.organization),
    ):
        context = {
            "charter": charter,
            "due": review_due(charter),
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("charters/email/review_subject.txt", context).strip()
        body = render_to_string("charters/email/review_body.txt", context)
    send_mail(subject, body, None, recipients)
