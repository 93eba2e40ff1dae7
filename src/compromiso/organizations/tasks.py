"""Background work for organisations: take ids, load, call one function."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


@task()
def send_welcome_email(*, user_id: int) -> None:
    """Send a new staff member the link to set their password."""
    from compromiso.organizations.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        link = settings.SITE_URL.rstrip("/") + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        context = {"user": user, "link": link}
        subject = render_to_string("organizations/email/welcome_subject.txt", context).strip()
        body = render_to_string("organizations/email/welcome_body.txt", context)
    send_mail(subject, body, None, [user.email])
