"""Background work for surveys: take ids, load, call one function."""

from django.tasks import task


@task()
def import_responses(*, job_id: int) -> None:
    """Run an import whose columns were mapped."""
    from compromiso.surveys.imports import run_import
    from compromiso.surveys.models import ImportJob, ImportStatus

    job = ImportJob.objects.select_related("wave__questionnaire").filter(pk=job_id).first()
    if job is None or job.status != ImportStatus.UPLOADED:
        return
    run_import(job)


@task()
def send_invitation(*, invitation_id: int, reminder: bool = False) -> None:
    """E-mail a personal survey link (or its one reminder)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import timezone, translation

    from compromiso.organizations.models import organization_time
    from compromiso.surveys.models import Invitation

    invitation = (
        Invitation.objects.select_related("wave__organization", "wave__questionnaire", "service")
        .filter(pk=invitation_id, used_at__isnull=True)
        .exclude(email="")
        .first()
    )
    if invitation is None:
        return
    organization = invitation.wave.organization
    with (
        translation.override(organization.language or settings.LANGUAGE_CODE),
        organization_time(organization),
    ):
        context = {
            "invitation": invitation,
            "reminder": reminder,
            "site_url": settings.SITE_URL.rstrip("/"),
        }
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        body = render_to_string("surveys/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
    if not reminder:
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
