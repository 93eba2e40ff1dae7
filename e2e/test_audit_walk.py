# ruff: noqa: F811 (the fixtures imported above are parameters below)
"""An audit walked from proposal to report in a real browser, in Spanish: the quality manager
drafts a programme, proposes the audit and accepts it, sets its scope, writes the agreement and
signs for the audited side; the lead auditor signs for the auditors, runs the fieldwork
(checklist, a one-click snapshot, a major nonconformity resting on it); the head of the audited
branch accepts the finding; the lead writes the conclusions and issues the report, which shows
the finding, the degree the criteria are met and the corrective plan, and downloads as a PDF."""

import datetime as dt
import re

import pytest

from compromiso.audits.models import (
    Answer,
    Audit,
    AuditProposal,
    AuditStatus,
    ChecklistItem,
    Evidence,
    Finding,
    FindingStatus,
    Grade,
    ProposalStatus,
)
from compromiso.audits.tests.fieldwork_fixtures import (  # noqa: F401
    arica_counter,
    charter,
    in_person,
    phone_channel,
    temuco_counter,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF = "/staff/audits/"


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def open_as(browser, live_server, username):
    """A second person at another computer: their own browser context, logged in."""
    context = browser.new_context(base_url=live_server.url, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, username)
    return page


def wait_for(page, condition, seconds=15):
    """Poll the database until `condition` holds; SQLite's shared test database is locked for a
    moment while the server writes to it, which is a "not yet", not a failure."""
    from django.db import OperationalError

    for _ in range(seconds * 10):
        try:
            if condition():
                return
        except OperationalError:
            pass
        page.wait_for_timeout(100)
    raise AssertionError("the condition never held")


def click(page, text, url):
    page.locator("main button, main a.btn", has_text=text).first.click()
    page.wait_for_url(re.compile(url))


def test_an_audit_walks_from_proposal_to_an_issued_report(
    page,
    browser,
    live_server,
    organization,
    branch,
    quality_manager,
    auditor,
    unit_head,
    charter,
    arica_counter,
):
    today = organization.today()
    day = lambda days: (today + dt.timedelta(days=days)).isoformat()  # noqa: E731
    log_in(page, "quality")

    # The quality manager drafts a programme and approves it.
    page.goto(STAFF)
    click(page, "Nuevo programa", r"/programmes/new/$")
    page.fill("input[name=title]", "Programa de auditorías 2027")
    page.fill("input[name=period_start]", day(-30))
    page.fill("input[name=period_end]", day(330))
    page.fill("textarea[name=objectives]", "Comprobar la carta de servicios en cada oficina.")
    page.locator("main button[type=submit]", has_text="Guardar").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/$"))
    click(page, "Aprobar el programa", r"/programmes/\d+/$")
    assert "Aprobada" in page.locator("main .badge").first.inner_text()

    # A proposal with a reason, the evidence of the need and the service; submitted, accepted.
    page.goto(STAFF)
    click(page, "Proponer una auditoría", r"/proposals/new/$")
    page.fill("input[name=title]", "Licencias en Arica")
    page.locator("input[name=reasons][value=users_interests]").check()
    page.fill("textarea[name=need]", "Los reclamos por esperas en Arica se duplicaron.")
    page.get_by_label("Licencias").check()
    page.locator("main button[type=submit]", has_text="Guardar").click()
    page.wait_for_url(re.compile(r"/proposals/\d+/$"))
    assert "¿Están protegidos los intereses" in page.locator("#reasons").inner_text()
    click(page, "Presentar la propuesta", r"/proposals/\d+/$")
    click(page, "Aceptar en un programa", r"/proposals/\d+/accept/$")
    page.select_option("select[name=programme]", label="Programa de auditorías 2027")
    page.fill("input[name=planned_start]", day(0))
    page.fill("input[name=planned_end]", day(10))
    page.locator("main button[type=submit]", has_text="Aceptar y planificar").click()
    page.wait_for_url(re.compile(r"/staff/audits/\d+/$"))
    assert AuditProposal.objects.get().status == ProposalStatus.ACCEPTED
    audit = Audit.objects.get()
    assert audit.status == AuditStatus.PLANNED
    overview = f"{STAFF}{audit.pk}/"

    # Its scope: the Arica branch, its counter and the charter.
    page.locator("main a.btn", has_text="Editar").click()
    page.wait_for_url(re.compile(r"/edit/$"))
    page.select_option("select[name=unit]", str(branch.pk))
    page.locator(f"input[name=charters][value='{charter.pk}']").check()
    page.locator(f"input[name=touch_points][value='{arica_counter.pk}']").check()
    page.locator("main button[type=submit]", has_text="Guardar").click()
    page.wait_for_url(re.compile(rf"{overview}$"))
    assert "Mesón Arica" in page.locator("#scope-touch-points").inner_text()
    assert "Carta de servicios" in page.locator("#scope-charters").inner_text()

    # The lead auditor joins the team.
    page.locator("nav a", has_text="Equipo").click()
    page.select_option("select[name=user]", str(auditor.pk))
    page.select_option("select[name=role]", "lead")
    page.locator("main button[type=submit]", has_text="Añadir").click()
    page.wait_for_url(re.compile(r"/team/$"))
    assert "Auditor/a jefe/a" in page.locator("main").inner_text()

    # The agreement, written and signed for the audited side.
    page.locator("nav a", has_text="Acuerdo").click()
    page.fill("textarea[name=scope]", "Licencias en el mesón de Arica.")
    page.fill("textarea[name=dates]", "Dos semanas de trabajo de campo.")
    page.locator("main button[type=submit]", has_text="Guardar el acuerdo").click()
    page.wait_for_url(re.compile(r"/agreement/$"))
    page.locator("button", has_text="Firmar por la parte auditada").click()
    page.wait_for_url(re.compile(r"/agreement/$"))

    # The lead signs for the auditors.
    lead = open_as(browser, live_server, "auditor")
    lead.goto(f"{overview}agreement/")
    lead.locator("button", has_text="Firmar por los auditores").click()
    lead.wait_for_url(re.compile(r"/agreement/$"))
    lead.goto(overview)
    assert "Firmado por ambas partes" in lead.locator("#agreement-status").inner_text()

    # Agreeing is the programme's call (manage); the fieldwork is the lead's.
    page.goto(overview)
    click(page, "Marcar como acordada", rf"{overview}$")
    lead.goto(overview)
    click(lead, "Iniciar el trabajo de campo", rf"{overview}$")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.FIELDWORK

    # The checklist, generated from the scope; one item answered "does not conform".
    lead.locator("nav a", has_text="Lista de verificación").click()
    click(lead, "Generar a partir del alcance", r"/checklist/")
    item = ChecklistItem.objects.get(
        audit=audit, touch_point=arica_counter, commitment__text__startswith="Le atendemos"
    )
    form = lead.locator(f"form[data-item='{item.pk}']")
    assert "No conforme" in form.inner_text()
    form.locator("input[type=radio][value=nonconform]").check()
    form.locator("textarea[name=notes]").fill("Esperas de 40 minutos a media mañana.")
    form.locator("button[type=submit]").click()
    wait_for(lead, lambda: Answer.objects.filter(item=item).exists())
    assert Answer.objects.get(item=item).result == "nonconform"

    # A one-click snapshot of the commitment's measurements, linked to the item.
    lead.goto(f"{overview}evidence/checklist/")
    row = lead.locator("#checklist-evidence tr", has_text="Le atendemos en menos")
    row = row.filter(has_text="Mesón Arica")
    row.locator("button", has_text="Mediciones").click()
    lead.wait_for_url(re.compile(r"/evidence/checklist/$"))
    evidence = Evidence.objects.get(audit=audit, checklist_item=item)
    assert evidence.snapshot_kind == "commitment"

    # A major nonconformity resting on that evidence.
    lead.goto(f"{overview}evidence/checklist/")
    row = lead.locator("#checklist-evidence tr", has_text="Le atendemos en menos")
    row.filter(has_text="Mesón Arica").locator("a", has_text="Hallazgo").click()
    lead.wait_for_url(re.compile(r"/findings/new/"))
    major = Grade.objects.get(organization=organization, code="major_nc")
    lead.select_option("select[name=grade]", str(major.pk))
    lead.select_option("select[name=checklist_item]", str(item.pk))
    lead.fill("textarea[name=statement]", "En Arica se espera más de 15 minutos a media mañana.")
    lead.locator(f"input[name=evidence][value='{evidence.pk}']").check()
    lead.locator("main button[type=submit]", has_text="Guardar").click()
    lead.wait_for_url(re.compile(r"/findings/\d+/$"))
    finding = Finding.objects.get(audit=audit)
    assert list(finding.evidence.all()) == [evidence]
    assert "No conformidad mayor" in lead.locator("h1").inner_text()

    # The head of the Arica branch accepts it.
    head = open_as(browser, live_server, "head")
    head.goto(f"{overview}findings/{finding.pk}/")
    head.locator("input[name=decision][value=accepted]").check()
    head.fill("textarea[name=response]", "Reforzaremos el mesón en las horas punta.")
    head.locator("button", has_text="Enviar la respuesta").click()
    head.wait_for_url(re.compile(rf"/findings/{finding.pk}/$"))
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACCEPTED

    # The lead moves to reporting, writes the conclusions and issues the report.
    lead.goto(overview)
    click(lead, "Pasar a informe", rf"{overview}$")
    lead.locator("nav a", has_text="Informe").click()
    click(lead, "Redactar los textos del informe", r"/report/edit/$")
    lead.fill("textarea[name=conclusions]", "La carta no se cumple en Arica en horas punta.")
    lead.locator("main button[type=submit]", has_text="Guardar").click()
    lead.wait_for_url(re.compile(r"/report/$"))
    lead.locator("section[aria-labelledby=issue-title] button", has_text="Emitir").click()
    lead.wait_for_url(re.compile(r"/report/$"))
    assert "Emitido" in lead.locator("#report-status").inner_text()

    # The report shows the finding, the degree met and the line of the corrective plan.
    findings = lead.locator("#findings").inner_text()
    assert "No conformidad mayor (1)" in findings
    assert "En Arica se espera más de 15 minutos" in findings
    assert "Reforzaremos el mesón" in findings
    degree = lead.locator("#degree").inner_text()
    assert "Grado de cumplimiento de los criterios" in degree
    assert "Mesón Arica" in degree
    plan = lead.locator("#plan").inner_text()
    assert "1. En Arica se espera más de 15 minutos" in plan
    assert "Sin remedio aún" in plan
    assert "La carta no se cumple en Arica" in lead.locator("main").inner_text()

    # The PDF link gives a PDF.
    href = lead.locator("main a", has_text="Descargar el PDF").get_attribute("href")
    response = lead.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.body().startswith(b"%PDF")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.FOLLOW_UP
    for other in (lead, head):
        other.context.close()
