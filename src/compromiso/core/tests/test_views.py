"""Log-in, password reset by e-mail (through a task), the language switch, the admin's door."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from compromiso.core.forms import PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_CLIENT

pytestmark = pytest.mark.django_db


def test_password_reset_sends_a_working_link_by_email(client, viewer):
    response = client.post(reverse("password_reset"), {"email": viewer.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {
            "new_password1": "a much longer passphrase 42",
            "new_password2": "a much longer passphrase 42",
        },
    )
    assert done.status_code == 302
    viewer.refresh_from_db()
    assert viewer.check_password("a much longer passphrase 42")


def test_password_reset_does_not_reveal_unknown_addresses(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_is_throttled_per_address_with_the_same_neutral_page(client, viewer):
    pages = [client.post(reverse("password_reset"), {"email": viewer.email}) for _ in range(4)]

    assert [page.status_code for page in pages] == [302] * 4
    assert {page["Location"] for page in pages} == {reverse("password_reset_done")}
    assert len(mail.outbox) == PASSWORD_RESETS_PER_ADDRESS


def test_password_reset_is_throttled_per_client_address(client, viewer):
    for n in range(PASSWORD_RESETS_PER_CLIENT):
        client.post(reverse("password_reset"), {"email": f"someone{n}@example.org"})

    page = client.post(reverse("password_reset"), {"email": viewer.email})
    elsewhere = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("password_reset"), {"email": viewer.email}
    )

    assert page["Location"] == reverse("password_reset_done")
    assert elsewhere["Location"] == reverse("password_reset_done")
    assert [message.to for message in mail.outbox] == [[viewer.email]]  # only from elsewhere


def test_login_pages_use_our_layout_not_the_admins(client):
    for name in ("login", "password_reset"):
        html = client.get(reverse(name)).content.decode()
        assert 'id="main"' in html
        assert "django-admin" not in html


def test_repeated_failed_logins_lock_the_account(client, viewer, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": viewer.username, "password": "wrong"})

    locked = client.post(
        reverse("login"), {"username": viewer.username, "password": "correct horse battery staple"}
    )

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_interface_speaks_spanish_by_default_and_switches_language(client):
    spanish = client.get(reverse("portal:home"))
    client.post(reverse("set_language"), {"language": "ca", "next": "/"})
    catalan = client.get(reverse("portal:home"))

    assert '<html lang="es">' in spanish.content.decode()
    assert '<html lang="ca">' in catalan.content.decode()


def test_django_admin_is_for_superusers_only(client, admin_user):
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)

    assert client.get("/admin/").status_code == 302

    admin_user.is_superuser = True
    admin_user.save()
    assert client.get("/admin/").status_code == 200


def test_pages_send_a_content_security_policy(client):
    response = client.get(reverse("login"))

    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("language", "text"),
    [("es", "Iniciar sesión"), ("ca", "Inicia la sessió"), ("en", "Log in")],
)
def test_the_login_page_is_translated(client, settings, language, text):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    html = client.get(reverse("login")).content.decode()

    assert f'<html lang="{language}">' in html
    assert text in html


def test_empty_choices_speak_the_users_language(client, quality_manager):
    client.force_login(quality_manager)

    html = client.get(reverse("catalog:touch_points")).content.decode()

    assert "- Seleccione una opción -" in html
    assert "Select an option" not in html
