"""Background work for audits: take ids, load, call one function."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from compromiso.organizations.models import organization_time


@task()
def remind_requests() -> int:
    """Claim the information requests due within two business days or late and enqueue their
    reminders (at most one a day per request). Run daily by `audit_reminders`."""
    from compromiso.audits.services.requests import remind_due_requests
    from compromiso.core.actors import SYSTEM

    return remind_due_requests(by=SYSTEM)


@task()
def send_request_reminder(*, request_id: int) -> int:
    """E-mail whoever answers an information request that it is due soon or late."""
    from compromiso.audits.models import InformationRequest
    from compromiso.audits.services.requests import due_state, reminder_recipients

    request = (
        InformationRequest.objects.select_related(
            "audit__organization", "audit__unit", "owner", "owner_unit"
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return 0
    recipients = sorted({p.email for p in reminder_recipients(request) if p.email})
    if not recipients:
        return 0
    organization = request.audit.organization
    today = organization.today()
    state = due_state(request, today, organization.business_calendar())
    with (
        translation.override(organization.language or settings.LANGUAGE_CODE),
        organization_time(organization),
    ):
        context = {
            "request": request,
            "audit": request.audit,
            "state": state,
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("audits/requests/email/reminder_subject.txt", context).strip()
        body = render_to_string("audits/requests/email/reminder_body.txt", context)
    send_mail(subject, body, None, recipients)
    return len(recipients)
