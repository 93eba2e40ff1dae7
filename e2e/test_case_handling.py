"""An officer handles a complaint end to end in a real browser; the analytics show it."""

import pytest
from test_staff_setup import log_in

from compromiso.cases import services
from compromiso.cases.models import CannedAnswer, Case
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import DEMO, PUBLIC

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_answers_from_a_template_closes_with_a_cause_and_sees_the_figures(
    page, officer, branch, organization
):
    counter = ChannelFactory(organization=organization, kind="in_person", name="Mesón")
    service = ServiceFactory(organization=organization, provider_unit=branch, name="Certificados")
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=counter,
        service=service,
        subject="Fila de dos horas",
        description="Esperé dos horas.",
        requester_name="Ana Pérez",
        by=PUBLIC,
    )
    CannedAnswer.objects.create(
        organization=organization, title="Disculpas", body="Estimada {name}: lo sentimos."
    )
    services.seed_root_causes(organization, by=DEMO)  # done when an organisation is created
    log_in(page, "officer")

    page.goto(f"/staff/cases/{case.pk}/")
    page.get_by_role("button", name="Usar", exact=True).click()
    assert page.locator("#id_text").input_value() == "Estimada Ana Pérez: lo sentimos."
    # The action buttons post with htmx; the server answers with a redirect to the case page.
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar la respuesta").click()
    page.locator("#id_close_root_cause").select_option(
        label="TIE Tiempo: esperas, demoras o plazos incumplidos"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Cerrar", exact=True).click()

    case.refresh_from_db()
    assert case.status == "closed"
    assert case.root_cause.code == "TIE"

    page.goto("/staff/cases/analytics/")
    main = page.locator("main")
    assert main.get_by_role("img", name="Pareto de causas de reclamos (% acumulado)").is_visible()
    assert "TIE Tiempo" in main.inner_text()
    # Received against answered: two series, both drawn and named in a legend.
    months = main.locator("figure", has_text="Recibidos y respondidos por mes")
    legend = [text.strip() for text in months.locator(".chart-legend li").all_inner_texts()]
    assert legend == ["Recibido", "Respondido"]
    assert months.locator("svg.chart rect.chart-bar-second").count() == 1
    assert main.locator("svg.chart circle.chart-point").count() >= 1  # the Pareto's line
    page.screenshot(path="test-results/case-analytics.png", full_page=True)
    assert Case.objects.count() == 1


def test_a_refused_action_explains_why_in_place_and_keeps_the_text(
    page, officer, branch, organization
):
    counter = ChannelFactory(organization=organization, kind="in_person", name="Mesón")
    service = ServiceFactory(organization=organization, provider_unit=branch, name="Certificados")
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=counter,
        service=service,
        subject="Fila de dos horas",
        description="Esperé dos horas.",
        requester_name="Ana Pérez",
        by=PUBLIC,
    )
    log_in(page, "officer")
    page.goto(f"/staff/cases/{case.pk}/")
    services.withdraw_case(case, reason="Desistió por teléfono.", by=officer)  # meanwhile

    page.locator("#id_text").fill("Mi borrador de respuesta")
    page.get_by_role("button", name="Enviar la respuesta").click()

    alert = page.locator("#case-actions-panel .alert-danger")
    alert.wait_for()
    assert "no es posible en un caso en estado «Desistido" in alert.inner_text()
    assert page.url.endswith(f"/staff/cases/{case.pk}/")
    assert page.get_by_role("button", name="Enviar la respuesta").count() == 0
    assert page.locator("#id_kept_text").input_value() == "Mi borrador de respuesta"
    case.refresh_from_db()
    assert case.status == "withdrawn"
