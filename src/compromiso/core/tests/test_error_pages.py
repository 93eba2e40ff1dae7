"""Error pages are pages of the site, in the visitor's language, with a way back."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from compromiso.core.error_pages import server_error

pytestmark = pytest.mark.django_db


def _in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _is_a_site_page(response, home="/"):
    html = response.content.decode()
    assert 'id="main"' in html  # the site's layout
    assert f'href="{home}"' in html  # a way back
    assert "Traceback" not in html
    return html


def test_an_unknown_page_is_a_page_of_the_site_in_spanish_and_in_catalan(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Página no encontrada" in _is_a_site_page(response)
    catalan = _in(client, "ca").get("/no-such-page/")
    assert "Pàgina no trobada" in _is_a_site_page(catalan)


def test_a_404_for_a_signed_in_member_leads_back_to_their_overview(client, viewer):
    client.force_login(viewer)

    response = client.get("/staff/cases/999999/", HTTP_REFERER="http://testserver/staff/cases/")

    assert response.status_code == 404
    html = _is_a_site_page(response, home=reverse("organizations:overview"))
    assert 'href="http://testserver/staff/cases/"' in html


def test_a_link_back_to_another_site_is_not_offered(client):
    response = client.get("/no-such-page/", HTTP_REFERER="https://evil.example/")

    assert "evil.example" not in _is_a_site_page(response)


def test_a_forbidden_page_says_so_in_the_visitors_language(client, viewer):
    client.force_login(viewer)

    response = _in(client, "en").get(reverse("cases:taxonomy"))

    assert response.status_code == 403
    assert "You may not see this page" in _is_a_site_page(
        response, home=reverse("organizations:overview")
    )


def test_a_malformed_request_is_a_page_of_the_site(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5

    response = client.post(reverse("portal:track"), {f"f{n}": "x" for n in range(10)})

    assert response.status_code == 400
    assert "La solicitud no se pudo entender" in _is_a_site_page(response)


def test_a_request_too_large_says_what_happened(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024

    response = client.post(reverse("portal:track"), {"code": "x" * 5000})

    assert response.status_code == 413
    assert "Lo que envió es demasiado grande" in _is_a_site_page(response)


def test_an_expired_form_is_a_page_of_the_site_not_djangos(organization):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("portal:track"), {"code": "OIRS", "secret": "x"})

    assert response.status_code == 403
    html = _is_a_site_page(response)
    assert "No se pudo enviar el formulario" in html
    assert "CSRF verification failed" not in html


@pytest.mark.urls("compromiso.core.tests.crash_urls")
def test_a_server_error_is_a_page_of_the_site_in_the_visitors_language(client):
    client.raise_request_exception = False

    spanish = client.get("/crash/")
    catalan = _in(client, "ca").get("/crash/")

    assert spanish.status_code == 500
    assert "Algo falló de nuestro lado" in _is_a_site_page(spanish)
    assert "Alguna cosa ha fallat per part nostra" in _is_a_site_page(catalan)


def test_the_server_error_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "en"

    with django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"),
    [("es", "no se abre como una página"), ("ca", "no s'obre com una pàgina")],
)
def test_opening_an_address_that_only_takes_a_form_is_a_page_of_the_site(
    client, quality_manager, language, title
):
    client.force_login(quality_manager)
    wave_invite = reverse("surveys:invite", args=[1])

    response = _in(client, language).get(wave_invite)

    assert response.status_code == 405
    assert "POST" in response["Allow"]
    html = _is_a_site_page(response, home=reverse("organizations:overview"))
    assert title in html.replace("&#x27;", "'")


def test_the_api_keeps_its_json_405(client):
    response = client.delete("/api/v1/units")

    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")


def test_with_debug_on_a_page_not_found_is_still_the_sites_page(client, settings):
    settings.DEBUG = True  # the demo's setting

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = _is_a_site_page(response)
    assert "Página no encontrada" in html
    assert "URLconf" not in html  # Django's technical page lists every URL pattern


def test_a_developer_can_keep_djangos_technical_page_not_found(client, settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = True

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "URLconf" in response.content.decode()
