"""A quality manager drafts an attention protocol, puts it in force, observes it with its
checklist at a counter and reads the compliance figure, in a real browser, in Spanish."""

import re

import pytest

from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.servicemodel.models import Protocol, ProtocolCheck, ProtocolStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def test_a_new_protocol_becomes_a_checklist_and_a_compliance_figure(
    page, quality_manager, branch, organization
):
    channel = ChannelFactory(organization=organization, kind="in_person", name="Oficinas")
    counter = TouchPointFactory(
        organization=organization, unit=branch, channel=channel, name="Mesón Arica"
    )
    log_in(page, "quality")

    page.goto("/staff/service-model/")
    page.locator("nav a[href='/staff/service-model/protocols/']").click()
    page.locator("a[href='/staff/service-model/protocols/new/']").click()
    page.fill("input[name=name]", "Atención presencial")
    page.select_option("select[name=channel_kind]", "in_person")
    page.fill("input[name=steps-0-behaviour]", "Saludar e identificarse")
    page.fill("textarea[name=steps-0-standard]", "En los primeros 5 segundos, con su nombre.")
    page.locator("#step-row-0 summary").click()
    page.fill("input[name=steps-0-variant_in_person]", "Se pone de pie y sonríe.")
    page.fill("input[name=steps-1-behaviour]", "Cerrar y ofrecer la encuesta")
    page.locator("main button[type=submit]", has_text="Guardar").click()

    page.wait_for_url(re.compile(r"/staff/service-model/protocols/\d+/$"))
    assert page.locator("#steps li").count() == 2
    page.locator("button", has_text="Poner en vigor").click()
    page.wait_for_url(re.compile(r"/staff/service-model/protocols/\d+/$"))
    assert "Mesón Arica" in page.locator("#touch-points").inner_text()
    protocol = Protocol.objects.get()
    assert protocol.status == ProtocolStatus.ACTIVE

    page.locator("main a.btn", has_text="Observar con la lista de verificación").click()
    assert page.locator("select[name=protocol]").input_value() == str(protocol.pk)
    page.select_option("select[name=touch_point]", str(counter.pk))
    page.locator("button", has_text="Abrir la lista de verificación").click()
    checklist = page.locator("#checklist")
    assert "Se pone de pie y sonríe." in checklist.inner_text()  # the counter's variant
    page.select_option("select[name=method]", "mystery")
    checklist.locator("input[type=radio][value=met]").nth(0).check()
    checklist.locator("input[type=radio][value=not_met]").nth(1).check()
    checklist.locator("button[type=submit]").click()

    page.wait_for_url(re.compile(r"/staff/service-model/protocols/compliance/"))
    assert "50,00 %" in page.locator("#total").inner_text()
    assert "Mesón Arica" in page.locator("#by-touch_point").inner_text()
    check = ProtocolCheck.objects.get()
    assert [r.outcome for r in check.results.all()] == ["met", "not_met"]
    assert check.observer == quality_manager
