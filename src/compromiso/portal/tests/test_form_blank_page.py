"""The public case form's blank page is rendered once per organisation and language and then
served to each plain visitor with that visitor's own CSRF token, CSP nonce and submission id.
Driven through the WSGI application, as a server calls it."""

import re
from collections.abc import Iterator

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse

from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.core.handlers import CompromisoHandler
from compromiso.core.tests.wsgi import keep_test_transaction
from compromiso.portal import views
from compromiso.portal.tests.test_form_short_chain import Browser, form_data, hidden

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def application():
    return CompromisoHandler()


@pytest.fixture(autouse=True)
def _fresh_pages() -> Iterator[None]:
    """Each test starts with nothing rendered, whatever ran before in this process."""
    views._blank_pages.clear()
    views._blank_fields.clear()
    with keep_test_transaction():
        yield


def _nonce(header: str) -> str:
    found = re.search(r"'nonce-([^']+)'", header)
    assert found, header
    return found.group(1)


def _normalized(page: str) -> str:
    """The page without what each request puts in it."""
    page = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1T", page)
    page = re.sub(r'("X-CSRFToken": ")[^"]*', r"\1T", page)
    page = re.sub(r'nonce="[^"]*"', 'nonce="N"', page)
    return re.sub(r'(name="submission_id" value=")[^"]*', r"\1S", page)


def test_each_visitor_gets_a_token_nonce_and_submission_id_of_their_own(application, url):
    first, second = Browser(application), Browser(application)
    pages = [first.get(url), second.get(url)]  # the second is served from the kept page
    assert [page.status for page in pages] == [200, 200]
    assert len(views._blank_pages) == 1

    tokens = [hidden(page.content, "csrfmiddlewaretoken") for page in pages]
    submissions = [hidden(page.content, "submission_id") for page in pages]
    assert tokens[0] != tokens[1]
    assert submissions[0] != submissions[1]
    for page, token in zip(pages, tokens, strict=True):
        assert "csrftoken" in page.cookies  # the cookie the token is checked against
        assert f'"X-CSRFToken": "{token}"' in page.content  # htmx's header, the same token
        assert views._STAND_IN not in page.content
    # Each page's scripts carry a nonce of that request (and the policy names it when it
    # uses nonces: today it allows the site's own scripts by origin).
    nonces = [set(re.findall(r'nonce="([^"]*)"', page.content)) for page in pages]
    assert [len(found) for found in nonces] == [1, 1]
    assert nonces[0] != nonces[1]
    for page, found in zip(pages, nonces, strict=True):
        policy = page.header("Content-Security-Policy")
        assert "script-src 'self'" in policy
        assert "'nonce-" not in policy or _nonce(policy) in found

    # Each visitor's page sends: one case each, with the token and id of their own page.
    for browser, page in ((first, pages[0]), (second, pages[1])):
        assert browser.post(url, form_data(page.content)).status == 302
    assert Case.objects.count() == 2
    # A page's token does not pass with another visitor's cookie.
    third = Browser(application)
    third_page = third.get(url)
    stolen = form_data(third_page.content, subject="Otro")
    third.cookies = first.cookies  # the token of one visitor's page with another's cookie
    assert third.post(url, stolen).status == 403
    assert Case.objects.count() == 2


def test_the_kept_page_is_the_page_the_template_renders(application, url, monkeypatch):
    kept = Browser(application).get(url)
    kept_again = Browser(application).get(url)
    monkeypatch.setattr(views, "_is_plain_visitor", lambda request: False)
    rendered = Browser(application).get(url)
    assert _normalized(kept.content) == _normalized(rendered.content)
    assert _normalized(kept_again.content) == _normalized(rendered.content)


def test_each_language_has_its_own_page(application, url):
    spanish = Browser(application, "es").get(url).content
    catalan = Browser(application, "ca").get(url).content
    english = Browser(application, "en").get(url).content
    assert "Enviar un reclamo, sugerencia o consulta" in spanish
    assert "Envia una queixa, suggeriment o consulta" in catalan
    assert "Send a complaint, suggestion or inquiry" in english
    assert len(views._blank_pages) == 3


def test_a_renamed_organisation_or_a_new_service_shows_at_once(application, url, organization):
    assert "Certificado de residencia" not in Browser(application).get(url).content
    organization.name = "Municipalidad Renombrada"
    organization.save(update_fields=["name"])
    assert "Municipalidad Renombrada" in Browser(application).get(url).content
    ServiceFactory(organization=organization, name="Certificado de residencia")
    assert "Certificado de residencia" in Browser(application).get(url).content


def test_a_logged_in_user_a_visit_link_or_a_message_gets_the_page_rendered_for_them(
    url, quality_manager, organization
):
    Browser(CompromisoHandler()).get(url)  # the kept page exists
    staff = Client(headers={"Accept-Language": "es"})
    staff.force_login(quality_manager)
    page = staff.get(url).content.decode()
    assert reverse("logout") in page  # the staff header, not the kept page

    with_query = Client(headers={"Accept-Language": "es"}).get(url, {"visit": "ZZZ"})
    assert with_query.status_code == 200
    assert 'value="/o/' in with_query.content.decode()  # the language form returns here


def test_a_message_waiting_for_the_visitor_is_not_a_plain_visit(organization):
    request = RequestFactory().get("/o/x/cases/new/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    assert views._is_plain_visitor(request)
    messages.success(request, "Mensaje pendiente para usted")
    assert not views._is_plain_visitor(request)
    assert [str(m) for m in messages.get_messages(request)] == ["Mensaje pendiente para usted"]
    request.GET = QueryDict("visit=ZZZ")
    assert not views._is_plain_visitor(request)
