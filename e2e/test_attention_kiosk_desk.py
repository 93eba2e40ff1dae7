# ruff: noqa: F811 (the fixtures imported above are parameters below)
"""The whole walk through the pages, in Spanish: a citizen takes a ticket at the kiosk's touch
page, an officer logged in at a desk presses "call next", and the branch's display, open on a TV
all along, shows the number and the desk within a second, without being reloaded."""

import re
import time

import pytest

from compromiso.attention.models import Visit, VisitState
from compromiso.attention.tests.conftest import (  # noqa: F401
    arica_point,
    desk_one,
    general_queue,
    in_person,
    office,
    open_now_for_real,
    quick_queue,
    service,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_kiosk_ticket_called_at_a_desk_appears_on_the_display(
    browser, live_server, office, general_queue, desk_one, officer, short_streams
):
    def tab():
        context = browser.new_context(base_url=live_server.url, locale="es-CL")
        page = context.new_page()
        page.set_default_timeout(15_000)
        return context, page

    open_now_for_real(office)  # the kiosk issues tickets only while the branch is open
    display_context, display = tab()
    display.goto(f"/display/{office.display_key}/")
    display.wait_for_selector("#display-current .queue-display-empty")
    display.evaluate("window.__loaded = true")  # gone if the page were reloaded

    kiosk_context, kiosk = tab()
    kiosk.goto(f"/kiosk/queue/{office.display_key}/")
    assert kiosk.locator("html").get_attribute("lang") == "es"
    kiosk.get_by_role("link", name="Atención general").click()
    with kiosk.expect_navigation():
        kiosk.locator("button[name=priority][value='']").click()
    assert re.search(r"/kiosk/queue/[^/]+/ticket/", kiosk.url), kiosk.locator("body").inner_text()
    number = kiosk.locator(".queue-number").inner_text().strip()
    assert number == "A001"
    assert "Su número" in kiosk.locator("h1").inner_text()
    visit = Visit.objects.get(number=number)
    assert (visit.source, visit.state) == ("kiosk", VisitState.WAITING)

    desk_context, desk = tab()
    desk.goto("/accounts/login/")
    desk.fill("input[name=username]", officer.username)
    desk.fill("input[name=password]", "correct horse battery staple")
    desk.locator("main button[type=submit]").click()
    desk.wait_for_url(re.compile(r"/staff/$"))
    desk.goto(f"/staff/attention/desks/{desk_one.pk}/")
    desk.get_by_role("button", name="Ocupar este módulo").click()
    desk.get_by_role("button", name="Llamar al siguiente").click()
    called = time.monotonic()
    desk.locator("main").get_by_text("A001").first.wait_for()

    display.wait_for_function(
        "number => (document.querySelector('#display-current .queue-display-number') || {})"
        ".textContent === number",
        arg=number,
        timeout=5000,
    )
    delay = time.monotonic() - called
    assert "Módulo 1" in display.locator("#display-current").inner_text()
    assert display.evaluate("window.__loaded") is True
    visit.refresh_from_db()
    assert (visit.state, visit.desk_id, visit.calls) == (VisitState.CALLED, desk_one.pk, 1)
    print(f"desk click → display: {delay * 1000:.0f} ms")
    assert delay < 1.0
    short_streams(display_context, kiosk_context, desk_context)
