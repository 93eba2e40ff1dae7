"""A quality manager sets up a service in a real browser, in Catalan."""

import re

import pytest

from compromiso.catalog.models import Service
from compromiso.catalog.tests.factories import ChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def test_quality_manager_switches_to_catalan_and_creates_a_service_with_two_attributes(
    page, quality_manager, branch, organization
):
    ChannelFactory(organization=organization, kind="web", name="Sitio web")
    log_in(page, "quality")
    assert page.locator("html").get_attribute("lang") == "es"

    with page.expect_navigation():
        page.select_option("#language-select", "ca")
    assert page.locator("html").get_attribute("lang") == "ca"

    page.locator("nav a[href='/staff/catalog/services/']").click()
    page.locator("a[href='/staff/catalog/services/new/']").click()
    page.fill("input[name=code]", "CERT")
    page.fill("input[name=name]", "Certificats en línia")
    page.select_option("select[name=provider_unit]", str(branch.pk))
    page.locator("input[name=channels]").first.check()
    page.fill("input[name=attributes-0-name]", "Rapidesa")
    page.select_option("select[name=attributes-0-dimension]", "responsiveness")
    page.fill("input[name=attributes-1-name]", "Claredat")
    page.locator("main button[type=submit]").click()

    page.wait_for_url(re.compile(r"/staff/catalog/services/\d+/$"))
    attributes = page.locator("#attributes li")
    assert attributes.count() == 2
    assert "Rapidesa" in attributes.nth(0).inner_text()
    assert "Claredat" in attributes.nth(1).inner_text()
    assert page.locator("html").get_attribute("lang") == "ca"
    service = Service.objects.get(code="CERT")
    assert [a.name for a in service.attributes.all()] == ["Rapidesa", "Claredat"]


def test_attribute_is_added_inline_without_reloading_the_page(
    page, quality_manager, branch, organization
):
    from compromiso.catalog.tests.factories import ServiceFactory

    service = ServiceFactory(organization=organization, provider_unit=branch, name="Padrón")
    log_in(page, "quality")
    page.goto(f"/staff/catalog/services/{service.pk}/")
    page.evaluate("window.__marker = 'still here'")

    page.fill("input[name=new-name]", "Amabilidad")
    page.locator("#attributes button[type=submit]").click()

    page.locator("#attributes li", has_text="Amabilidad").wait_for()
    assert page.evaluate("window.__marker") == "still here"  # htmx swapped a fragment, no reload
    assert service.attributes.get().name == "Amabilidad"
