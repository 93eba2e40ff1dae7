"""Infrastructure tasks shared by every app."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str], html_body: str = "") -> None:
    """Send one e-mail. Every e-mail leaves through a task, so a slow SMTP server never holds up
    a page and a failed delivery can be retried by the worker."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
