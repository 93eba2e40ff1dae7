"""The idle timeout of staff sessions (the log-in page says why) and the password policy."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def _page(client):
    return client.get(reverse("organizations:overview"))


@pytest.mark.django_db
def test_a_session_idle_longer_than_the_timeout_ends_and_the_login_page_says_why(viewer):
    client = Client()
    with time_machine.travel(T0, tick=False):
        client.force_login(viewer)
        assert _page(client).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=20), tick=False):
        assert _page(client).status_code == 200  # active again: the clock starts anew
    with time_machine.travel(T0 + dt.timedelta(minutes=52), tick=False):
        response = _page(client)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        login_page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="es")
        assert "30 minutos sin actividad" in login_page.content.decode()
        # Said once: the next visit to the log-in page is a plain one.
        assert "sin actividad" not in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_the_middleware_ends_an_idle_session_the_store_still_keeps(viewer, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 10
    settings.SESSION_COOKIE_AGE = 3600
    client = Client()
    with time_machine.travel(T0, tick=False):
        client.force_login(viewer)
        assert _page(client).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=9), tick=False):
        assert _page(client).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(minutes=21), tick=False):
        response = _page(client)
        assert response.url.startswith(reverse("login"))
        assert "10 minutes without activity" in client.get(
            response.url, HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode().replace("\n", " ")


@pytest.mark.django_db
def test_logging_out_on_purpose_shows_no_idle_message(viewer):
    client = Client()
    client.force_login(viewer)
    _page(client)
    client.post(reverse("logout"))
    assert (
        "without activity"
        not in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


@pytest.mark.django_db
def test_a_password_needs_twelve_characters(viewer):
    with pytest.raises(ValidationError) as refused:
        validate_password("Qz7#mw!pLx2", viewer)
    assert refused.value.error_list[0].code == "password_too_short"
    validate_password("Qz7#mw!pLx2@", viewer)


@pytest.mark.django_db
def test_a_password_may_not_contain_the_organisations_name(viewer, organization):
    organization.name = "Servicio Nacional de Ejemplo"
    organization.save()
    for password in (
        "ServicioNacional2026!",
        "mi-ejemplo-de-clave-99",
        "xx servicio nacional de ejemplo",
    ):
        with pytest.raises(ValidationError) as refused:
            validate_password(password, viewer)
        codes = {e.code for e in refused.value.error_list}
        assert "password_contains_organization_name" in codes
    validate_password("Qz7#mw!pLx2@ tranquilo", viewer)


@pytest.mark.django_db
def test_the_password_rules_address_the_user_formally_in_catalan(viewer):
    """Django's Catalan catalogue says "la teva contrasenya"; the staff pages say "vostra"."""
    client = Client()
    client.force_login(viewer)
    client.cookies["compromiso_language"] = "ca"
    page = client.get(reverse("password_change")).content.decode()
    assert "La vostra contrasenya no pot ser massa semblant" in page
    assert "La vostra contrasenya no pot ser una contrasenya d&#x27;ús comú" in page
    assert "La vostra contrasenya no pot ser només numèrica" in page
    assert "teva" not in page
    client.cookies["compromiso_language"] = "es"
    spanish = client.get(reverse("password_change")).content.decode()
    assert "Su contraseña no puede ser completamente numérica" in spanish  # Django's own, formal


@pytest.mark.django_db
def test_the_password_change_form_lists_the_rules_in_the_users_language(viewer):
    client = Client()
    client.force_login(viewer)
    page = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "al menos 12 caracteres" in page
    assert "no puede contener el nombre de su organización" in page

    response = client.post(
        reverse("password_change"),
        {"old_password": "x", "new_password1": "corta", "new_password2": "corta"},
    )
    assert response.status_code == 200
