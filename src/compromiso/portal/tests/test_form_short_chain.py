"""The public case form asked without a session cookie goes through a shorter middleware chain
(core/handlers.py, settings.PUBLIC_FORM_SKIPPED_MIDDLEWARE). Driven through the WSGI application
itself, as a server calls it: the same pages, the same CSRF refusal, the same language, and the
full chain for anyone with a session."""

import re
import uuid
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.handlers import (
    PUBLIC_FORM_PATH,
    CompromisoHandler,
    is_anonymous_public_form,
)
from compromiso.core.tests.wsgi import call, keep_test_transaction
from compromiso.organizations.tests.factories import OrganizationFactory
from compromiso.portal import views

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def application():
    return CompromisoHandler()


@pytest.fixture(autouse=True)
def _keep_the_test_transaction() -> Iterator[None]:
    with keep_test_transaction():
        yield


class Chains:
    """Counts the requests each of the application's chains answered."""

    def __init__(self, application: CompromisoHandler, monkeypatch: pytest.MonkeyPatch) -> None:
        self.short = 0
        short_chain = application.public_form

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            self.short += 1
            return short_chain(environ, start_response)

        monkeypatch.setattr(application, "public_form", counted)


@pytest.fixture
def chains(application, monkeypatch):
    return Chains(application, monkeypatch)


class Browser:
    """A browser keeping its cookies, calling the WSGI application."""

    def __init__(self, application: CompromisoHandler, language: str = "es") -> None:
        self.application = application
        self.cookies: SimpleCookie = SimpleCookie()
        self.language = language

    def request(self, method: str, path: str, data: dict[str, str] | None = None) -> "Answer":
        body = urlencode(data or {}).encode()
        cookie = "; ".join(f"{m.key}={m.coded_value}" for m in self.cookies.values())
        headers = {"Accept-Language": self.language, **({"Cookie": cookie} if cookie else {})}
        answer = Answer()
        answer.status, answer.headers, content = call(
            self.application,
            method,
            path,
            body,
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
        answer.content = content.decode()
        for name, value in answer.headers:
            if name == "Set-Cookie":
                self.cookies.load(value)
                answer.cookies.load(value)
        return answer

    def get(self, path: str) -> "Answer":
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, str]) -> "Answer":
        return self.request("POST", path, data)


class Answer:
    def __init__(self) -> None:
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.content = ""
        self.cookies: SimpleCookie = SimpleCookie()

    def header(self, name: str) -> str:
        return next((value for key, value in self.headers if key == name), "")


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)" name="{name}"', page
    )
    assert found, f"no {name} on the page"
    return found.group(1)


def form_data(page: str, **overrides: str) -> dict[str, str]:
    return {
        "csrfmiddlewaretoken": hidden(page, "csrfmiddlewaretoken"),
        "submission_id": hidden(page, "submission_id"),
        "kind": "complaint",
        "service": "",
        "subject": "Cobro duplicado",
        "description": "Me cobraron dos veces el certificado.",
        "requester_name": "Ana Pérez",
        "requester_email": "ana@example.org",
        "reply_channel": "email",
        "website": "",
        **overrides,
    }


def test_an_anonymous_citizen_files_one_case_through_the_short_chain(
    application, chains, url, organization
):
    browser = Browser(application)

    page = browser.get(url)
    assert page.status == 200
    assert "Enviar un reclamo, sugerencia o consulta" in page.content
    assert "csrftoken" in page.cookies
    assert settings.SESSION_COOKIE_NAME not in page.cookies  # no session for a citizen
    assert page.header("X-Frame-Options") == "DENY"
    assert page.header("X-Content-Type-Options") == "nosniff"
    assert "script-src" in page.header("Content-Security-Policy")

    sent = browser.post(url, form_data(page.content))
    assert sent.status == 302, sent.content
    received = reverse("portal:case_received", args=[organization.slug])
    assert sent.header("Location") == received
    assert chains.short == 2  # the page and the form sent, nothing else
    case = Case.objects.get(organization=organization)
    assert case.subject == "Cobro duplicado"

    acknowledgement = browser.get(received)  # the full chain: not the form's path
    assert acknowledgement.status == 200
    assert case.tracking_code in acknowledgement.content
    assert chains.short == 2
    assert Case.objects.count() == 1


def test_a_form_sent_without_its_csrf_token_is_refused_and_saves_nothing(application, chains, url):
    browser = Browser(application)
    page = browser.get(url)
    data = form_data(page.content)

    without_token = browser.post(url, {**data, "csrfmiddlewaretoken": ""})
    assert without_token.status == 403
    assert "No se pudo enviar el formulario" in without_token.content  # the site's page

    browser.cookies = SimpleCookie()  # no CSRF cookie either
    without_cookie = browser.post(url, data)
    assert without_cookie.status == 403

    assert chains.short == 3
    assert Case.objects.count() == 0


def test_a_refused_form_shows_its_errors(application, chains, url):
    browser = Browser(application)
    page = browser.get(url)

    refused = browser.post(url, form_data(page.content, subject="", requester_email="no"))

    assert refused.status == 200
    assert "error-summary" in refused.content
    assert 'href="#id_subject"' in refused.content
    assert 'href="#id_requester_email"' in refused.content
    assert "Me cobraron dos veces el certificado." in refused.content  # what was typed stays
    assert chains.short == 2
    assert Case.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "title"),
    [("es", "Enviar un reclamo, sugerencia o consulta"), ("ca", "Envia una queixa, suggeriment")],
)
def test_the_form_speaks_the_visitors_language(application, chains, url, language, title):
    page = Browser(application, language=language).get(url)

    assert page.status == 200
    assert f'<html lang="{language}">' in page.content
    assert title in page.content
    assert chains.short == 1


def test_the_language_switchers_cookie_is_honoured(application, chains, url):
    browser = Browser(application, language="es")
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "ca"

    page = browser.get(url)

    assert '<html lang="ca">' in page.content
    assert chains.short == 1


def test_a_signed_in_staff_member_takes_the_full_chain(application, chains, url, quality_manager):
    staff = Client()
    staff.force_login(quality_manager)
    browser = Browser(application, language="es")
    browser.cookies[settings.SESSION_COOKIE_NAME] = staff.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    page = browser.get(url)

    assert page.status == 200
    assert chains.short == 0
    assert 'action="/accounts/logout/"' in page.content  # the page knows who is there
    assert "no-store" in page.header("Cache-Control")  # a signed-in person's page is not kept


def test_a_visitor_with_a_flash_message_waiting_takes_the_full_chain(application, chains, url):
    browser = Browser(application)
    browser.cookies["messages"] = "anything"

    assert browser.get(url).status == 200
    assert chains.short == 0


def test_the_rate_limit_still_holds(application, chains, url, monkeypatch):
    monkeypatch.setattr(views, "SUBMISSIONS_PER_HOUR", 1)
    browser = Browser(application)
    page = browser.get(url)

    first = browser.post(url, form_data(page.content))
    second = browser.post(url, form_data(browser.get(url).content))

    assert first.status == 302
    assert second.status == 429
    assert Case.objects.count() == 1
    assert chains.short == 4


def test_the_organisations_time_zone_does_not_outlive_the_request(application, chains):
    madrid = OrganizationFactory(slug="madrid", time_zone="Europe/Madrid")
    ChannelFactory(organization=madrid, kind="web", name="Web")

    page = Browser(application).get(reverse("portal:case_new", args=["madrid"]))

    assert page.status == 200
    assert chains.short == 1
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


def test_errors_on_the_short_chain_are_the_sites_pages(application, chains, url):
    browser = Browser(application)

    unknown = browser.get(reverse("portal:case_new", args=["nobody-here"]))
    wrong_method = browser.request("OPTIONS", url)

    assert unknown.status == 404
    assert "<main" in unknown.content
    assert wrong_method.status == 405
    assert "<main" in wrong_method.content  # a page of the site, not an empty answer
    assert wrong_method.header("Allow") == "GET, POST"
    assert chains.short == 2


@pytest.mark.parametrize("slug", ["ayuntamiento", "sernac-2", "org_1", "A1"])
def test_the_short_chain_takes_exactly_the_public_forms_path(slug):
    path = reverse("portal:case_new", args=[slug])
    assert resolve(path).view_name == "portal:case_new"
    assert is_anonymous_public_form({"PATH_INFO": path})
    assert is_anonymous_public_form({"PATH_INFO": path, "HTTP_COOKIE": "csrftoken=abc"})
    assert not is_anonymous_public_form(
        {"PATH_INFO": path, "HTTP_COOKIE": f"csrftoken=abc; {settings.SESSION_COOKIE_NAME}=x"}
    )
    assert not is_anonymous_public_form(
        {"PATH_INFO": path, "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME} =x"}
    )
    for other in (
        path.rstrip("/"),  # Django's slash redirect
        path + "x/",
        "/es" + path,
        "/staff" + path,
        reverse("portal:case_received", args=[slug]),
        reverse("portal:you_said_we_did", args=[slug]),
        reverse("cases:new"),
        "/api/v1/cases",
    ):
        assert not is_anonymous_public_form({"PATH_INFO": other}), other


def test_no_other_route_of_the_site_matches_the_short_chains_path():
    """Paths the pattern lets through resolve to the public form, slugs that look like other
    words of the site included."""
    slug = f"s{uuid.uuid4().hex[:8]}"
    samples = [f"/o/{slug}/cases/new/", "/o/new/cases/new/", "/o/cases/cases/new/"]
    for path in samples:
        assert PUBLIC_FORM_PATH.match(path)
        assert resolve(path).view_name == "portal:case_new"
