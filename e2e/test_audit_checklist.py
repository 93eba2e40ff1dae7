# ruff: noqa: F811 (the fixtures imported above are parameters below)
"""An auditor answers the checklist on a phone at the counter, in a real browser, in Spanish:
answers saved in the background; with the connection down they wait on the phone (even when the
page is closed) and are sent when it returns; an answer someone else changed meanwhile is shown
beside theirs and the auditor keeps one."""

import re
import uuid

import pytest
from django.db import OperationalError

from compromiso.audits import services
from compromiso.audits.models import Answer, ChecklistItem
from compromiso.audits.tests.conftest import audit, programme  # noqa: F401
from compromiso.audits.tests.fieldwork_fixtures import (  # noqa: F401
    arica_counter,
    arica_phone,
    charter,
    field_audit,
    in_person,
    phone_channel,
    team_auditor,
    temuco_counter,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def wait_for(page, condition, seconds=15):
    for _ in range(seconds * 10):
        try:
            if condition():
                return
        except OperationalError:  # SQLite's shared test database, locked while the server writes
            pass
        page.wait_for_timeout(100)
    raise AssertionError("the condition never held")


def answer_on_page(page, item, result, notes):
    form = page.locator(f"form[data-item='{item.pk}']")
    form.locator(f"input[type=radio][value={result}]").check()
    form.locator("textarea[name=notes]").fill(notes)
    form.locator("button[type=submit]").click()
    return form


@pytest.fixture
def checklist(field_audit, charter, team_auditor):
    field_audit.charters.set([charter])
    services.generate_checklist(field_audit, by=team_auditor)
    return list(ChecklistItem.objects.filter(audit=field_audit).order_by("order", "pk"))


def test_answers_survive_a_lost_connection_and_conflicts_are_chosen(
    browser, live_server, checklist, team_auditor, quality_manager
):
    context = browser.new_context(base_url=live_server.url, locale="es-ES", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, "field-auditor")
    url = f"/staff/audits/{checklist[0].audit_id}/checklist/"
    page.goto(url)
    first, second, third = checklist[:3]

    # Online: saved in the background, the page stays.
    form = answer_on_page(page, first, "conform", "Atiende de pie y saluda.")
    wait_for(page, lambda: Answer.objects.filter(item=first).exists())
    wait_for(page, lambda: form.locator("[data-state]").inner_text() == "Guardada.")
    assert page.url.endswith(url)

    # Offline: kept on the phone, sent when the connection returns.
    context.set_offline(True)
    form = answer_on_page(page, second, "nonconform", "Sin cartel de horarios.")
    wait_for(page, lambda: "Sin conexión" in form.locator("[data-state]").inner_text())
    assert not Answer.objects.filter(item=second).exists()
    assert "Sin cartel de horarios." in page.evaluate("JSON.stringify(localStorage)")
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_for(page, lambda: Answer.objects.filter(item=second).exists())
    assert Answer.objects.get(item=second).result == "nonconform"

    # Offline, and the page is closed: the answer waits on the phone for the next visit.
    context.set_offline(True)
    answer_on_page(page, third, "partial", "Falta el libro de reclamos.")
    page.wait_for_timeout(300)
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(url)
    wait_for(page, lambda: Answer.objects.filter(item=third).exists())
    assert Answer.objects.get(item=third).notes == "Falta el libro de reclamos."
    assert Answer.objects.filter(item__audit=first.audit).count() == 3  # each stored once

    # Someone else changes the first answer; saving ours shows both, and we keep ours.
    services.save_answer(
        first, by=quality_manager, result="partial", client_id=uuid.uuid4(), revision=1
    )
    form = answer_on_page(page, first, "nonconform", "No saluda.")
    conflict = form.locator("[data-conflict] .alert")
    conflict.wait_for()
    assert "Parcialmente conforme" in conflict.inner_text()  # theirs
    assert "No saluda." in conflict.inner_text()  # ours
    conflict.locator("button", has_text="Conservar la mía").click()
    wait_for(page, lambda: Answer.objects.get(item=first).revision == 3)
    assert Answer.objects.get(item=first).result == "nonconform"
    # The phone forgets the answer once the server's reply arrives, a moment after it is stored.
    wait_for(
        page,
        lambda: page.evaluate("localStorage.getItem(Object.keys(localStorage)[0])") in ("{}", None),
    )
    context.close()
