"""A citizen files a complaint with JavaScript off, staff answer it, the citizen sees the answer."""

import re

import pytest

from compromiso.cases import services
from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_files_and_follows_a_complaint_without_javascript(
    browser, live_server, organization, quality_manager
):
    ChannelFactory(organization=organization, kind="web", name="Sitio web")
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, locale="es-CL"
    )
    page = context.new_page()

    page.goto(f"/o/{organization.slug}/cases/new/")
    page.select_option("select[name=kind]", "complaint")
    page.fill("input[name=subject]", "Fila de dos horas")
    page.fill("textarea[name=description]", "Esperé dos horas en la sucursal.")
    page.fill("input[name=requester_name]", "Ana Pérez")
    page.fill("input[name=requester_email]", "ana@example.org")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cases/received/$"))
    code = page.locator("#tracking-code").inner_text()
    secret = page.locator("#tracking-secret").inner_text()

    case = Case.objects.get(tracking_code=code)
    services.answer_case(case, answer="Reforzamos la atención en horas punta.", by=quality_manager)

    page.goto("/track/")
    page.fill("input[name=code]", code)
    page.fill("input[name=secret]", secret)
    page.locator("main button[type=submit]").click()
    assert "Reforzamos la atención en horas punta." in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "es"

    # The answer does not convince her: she rejects it, and the case goes back for review.
    page.get_by_label("No, no la acepto").check()
    page.fill("textarea[name=verdict-comment]", "Hoy volví a esperar dos horas.")
    page.get_by_role("button", name="Enviar mi respuesta").click()
    assert "Gracias: su respuesta quedó registrada." in page.locator("main").inner_text()
    case.refresh_from_db()
    assert (case.status, case.verdict) == ("in_progress", "rejected")

    # A second answer; she accepts it and rates the handling from the survey link.
    services.answer_case(case, answer="Abrimos una segunda caja.", by=quality_manager)
    page.reload()
    page.get_by_label("Sí, la acepto").check()
    page.get_by_role("button", name="Enviar mi respuesta").click()
    page.get_by_role("link", name="Cuéntenos cómo gestionamos su solicitud").click()
    for question in ("outcome", "courtesy", "clarity", "timeliness"):
        page.check(f"input[name={question}][value='4']")
    page.locator("main button[type=submit]").click()
    assert "Gracias: su opinión nos ayuda a mejorar." in page.locator("main").inner_text()
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.rating.outcome == 4
    context.close()
