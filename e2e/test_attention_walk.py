# ruff: noqa: F811 (the fixtures imported above are parameters below)
"""A ticket walked from the kiosk to the desk in a real browser: a visitor touches a procedure
and a priority at the branch's kiosk and gets a number; an officer opens the desk page, sits at
the desk and calls the next number, which is the one the kiosk printed; the visitor's ticket page
then tells them which desk to go to."""

import re

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


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def test_a_kiosk_ticket_is_called_at_a_desk_and_its_page_says_where_to_go(
    page, browser, live_server, organization, office, general_queue, desk_one, officer
):
    open_now_for_real(office)  # the kiosk issues tickets only while the branch is open
    # The visitor at the kiosk (a touch screen: links and buttons, no typing).
    kiosk = browser.new_context(base_url=live_server.url, locale="en-GB")
    screen = kiosk.new_page()
    screen.set_default_timeout(15_000)
    screen.goto(f"/kiosk/queue/{office.display_key}/")
    screen.get_by_role("link", name="Atención general").click()
    screen.get_by_role("button", name="No priority").click()
    screen.wait_for_url(re.compile(r"/ticket/[A-Z0-9]+/$"))
    number = screen.locator(".queue-number").first.inner_text().strip()
    code = screen.url.rstrip("/").rsplit("/", 1)[1]
    visit = Visit.objects.get(code=code)
    assert visit.number == number
    assert visit.state == VisitState.WAITING

    # The officer at the desk, in Spanish.
    log_in(page, officer.username)
    page.goto(f"/staff/attention/desks/{desk_one.pk}/")
    waiting = page.locator("#waiting")
    assert number in waiting.inner_text()
    page.get_by_role("button", name="Ocupar este módulo").click()
    page.get_by_role("button", name="Llamar al siguiente").click()
    called = page.locator("#current-title + div .display-5")
    assert called.inner_text().startswith(number)
    assert "Llamado" in called.inner_text()
    visit.refresh_from_db()
    assert visit.state == VisitState.CALLED

    # The visitor follows the ticket on their phone: it names the desk.
    phone = kiosk.new_page()
    phone.goto(f"/t/{code}/")
    assert phone.locator(".queue-number").inner_text().strip() == number
    desk_line = phone.locator("[data-field=desk-line]")
    assert desk_line.is_visible()
    assert desk_line.inner_text().strip() == f"Go to {desk_one.name}"
    kiosk.close()
