"""The log-in and password pages are the site's own: its layout (header, language switch, styled
form) and its Spanish wording, never the Django admin's templates of the same name."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

pytestmark = pytest.mark.django_db

# page: (template, English title, Spanish title)
PAGES = {
    "login": ("login.html", "Log in", "Iniciar sesión"),
    "password_reset": (
        "password_reset_form.html",
        "Reset your password",
        "Restablecer su contraseña",
    ),
    "password_reset_done": ("password_reset_done.html", "Check your e-mail", "Revise su correo"),
    "password_reset_confirm": (
        "password_reset_confirm.html",
        "Choose a new password",
        "Elija una contraseña nueva",
    ),
    "password_reset_complete": (
        "password_reset_complete.html",
        "Password saved",
        "Contraseña guardada",
    ),
    "password_change": (
        "password_change_form.html",
        "Change your password",
        "Cambiar su contraseña",
    ),
    "password_change_done": ("password_change_done.html", "Password saved", "Contraseña guardada"),
}

WITH_A_FORM = {"login", "password_reset", "password_reset_confirm", "password_change"}


def _get(name, user):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    if name.startswith("password_change"):
        client.force_login(user)
    if name == "password_reset_confirm":
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        url = reverse(name, kwargs={"uidb64": uid, "token": token})
        return client.get(url, follow=True)  # the token moves to the session, then the form
    return client.get(reverse(name))


@pytest.mark.parametrize("name", PAGES)
def test_the_account_page_is_the_sites_own_and_in_spanish(name, viewer):
    template, english_title, spanish_title = PAGES[name]

    response = _get(name, viewer)

    assert response.status_code == 200
    used = [t.name for t in response.templates]
    assert f"organizations/registration/{template}" in used
    assert "base.html" in used
    if name in WITH_A_FORM:
        assert "core/_form.html" in used
    assert not any(used_name.startswith("admin/") for used_name in used)
    html = response.content.decode()
    # The site's header and language switch, not the admin's branding.
    assert 'class="navbar-brand"' in html
    assert f'action="{reverse("set_language")}"' in html
    assert "Django" not in html
    # Spanish title and heading; the English original nowhere.
    assert f"<title>{spanish_title} · Compromiso</title>" in html
    assert re.search(rf"<h1[^>]*>{re.escape(spanish_title)}</h1>", html)
    assert english_title not in html
    if name == "password_reset_confirm":
        assert response.context["validlink"]


def test_the_reset_email_comes_from_the_sites_own_templates_in_spanish(viewer):
    Client(HTTP_ACCEPT_LANGUAGE="es").post(reverse("password_reset"), {"email": viewer.email})

    [message] = mail.outbox
    assert message.subject == "Elija una contraseña nueva de Compromiso"
    assert "Alguien ha pedido restablecer la contraseña" in message.body
    assert "/accounts/reset/" in message.body
