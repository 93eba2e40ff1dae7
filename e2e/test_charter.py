"""A quality manager drafts, approves and publishes a charter in a real browser; the public page
then shows the commitment with "no data" until something is measured, and the PDF downloads."""

import re

import pytest

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.charters.completeness import required_sections
from compromiso.charters.models import Charter

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def test_a_charter_goes_from_draft_to_its_public_page(page, quality_manager, branch, organization):
    service = ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")
    log_in(page, "quality")

    page.locator("nav a[href='/staff/charters/']").click()
    page.locator("a[href='/staff/charters/new/']").click()
    page.fill("input[name=title]", "Carta de servicios de Licencias")
    page.select_option("select[name=profile]", "cl_public")
    page.fill("input[name=valid_from]", "2026-01-01")
    page.fill("input[name=valid_to]", "2027-12-31")
    page.locator(f"input[name=services][value='{service.pk}']").check()
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/charters/\d+/$"))
    charter = Charter.objects.get()

    # Publishing is refused while the charter is incomplete: the page says why.
    assert "no tiene ningún compromiso" in page.locator("main").inner_text()

    page.get_by_role("link", name="Añadir un compromiso").click()
    page.select_option("select[name=service]", str(service.pk))
    page.fill("textarea[name=text]", "Respondemos sus reclamos en 10 días hábiles.")
    page.fill("input[name=indicator]", "% de reclamos respondidos en 10 días hábiles")
    page.select_option("select[name=source]", "cases_within_days")
    page.fill("input[name=threshold_days]", "10")
    page.fill("input[name=target]", "90")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/staff/charters/{charter.pk}/$"))

    page.get_by_role("link", name="Editar las secciones").click()
    for kind in required_sections("cl_public"):
        page.fill(f"textarea[name={kind}]", f"Texto de la sección {kind}.")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/staff/charters/{charter.pk}/$"))
    assert "Completa según su perfil." in page.locator("main").inner_text()

    page.get_by_role("button", name="Enviar a revisión").click()
    page.fill("input[name=reference]", "Resolución Exenta N° 77")
    page.get_by_role("button", name="Aprobar").click()
    page.get_by_role("button", name="Publicar").click()
    assert "Carta publicada." in page.locator("main").inner_text()

    page.get_by_role("link", name="Página pública").click()
    public = page.locator("main").inner_text()
    assert "Respondemos sus reclamos en 10 días hábiles." in public
    assert "Sin datos" in public
    pdf = page.request.get(f"/o/{organization.slug}/charters/{charter.pk}/charter.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:4] == b"%PDF"
