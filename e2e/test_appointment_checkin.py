"""A citizen books an appointment on the portal in Spanish, checks in at the branch's kiosk with
the confirmation code typed on its keypad, and is called before the two people already waiting."""

import datetime as dt
import re

import pytest

from compromiso.attention import services
from compromiso.attention.models import Appointment, Branch, Desk, Queue, SlotPlan, VisitState
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.actors import PUBLIC

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_booking_checked_in_at_the_kiosk_jumps_the_queue(
    browser, live_server, organization, branch, officer
):
    organization.weekmask = "1111111"
    organization.office_opens_at, organization.office_closes_at = dt.time(0), dt.time(23, 59)
    organization.save()
    if not organization.business_calendar().is_business_day(organization.today()):
        pytest.skip("today is a public holiday where the organisation is")
    point = TouchPointFactory(
        organization=organization,
        unit=branch,
        channel=ChannelFactory(organization=organization, kind="in_person", name="Presencial"),
        name="Oficina Arica",
    )
    office = Branch.objects.create(organization=organization, touch_point=point, code="arica")
    queue = Queue.objects.create(branch=office, name="Atención general", letter="A")
    desk = Desk.objects.create(branch=office, name="Módulo 1")
    desk.queues.add(queue)
    SlotPlan.objects.create(
        branch=office,
        queue=queue,
        slot_minutes=15,
        capacity=1,
        horizon_days=7,
        valid_from=organization.today(),
    )

    context = browser.new_context(base_url=live_server.url, locale="es-CL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"/o/{organization.slug}/appointments/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("link", name="Atención general").click()
    page.locator("#slots input[type=radio]").first.check()
    page.fill("input[name=name]", "Ana Pérez")
    page.fill("input[name=email]", "ana@example.org")
    page.check("input[name=consent]")
    page.get_by_role("button", name="Reservar").click()
    page.wait_for_url(re.compile(r"/appointments/[A-Z0-9]{8}/"))
    assert "Su cita está reservada" in page.locator("main").inner_text()
    code = page.locator("#appointment-code").inner_text().strip()
    appointment = Appointment.objects.get(code=code)
    assert appointment.language == "es"

    walk_ins = [services.issue_ticket(queue, by=PUBLIC) for _ in range(2)]

    page.goto(f"/kiosk/queue/{office.display_key}/check-in/")
    for key in code:
        page.locator(f"#keypad button[data-key='{key}']").click()
    assert page.locator("input[name=code]").input_value() == code
    page.get_by_role("button", name="Registrar llegada").click()
    number = page.locator("#ticket-number").inner_text().strip()
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"
    assert appointment.visit.number == number

    services.sit_at(desk, by=officer)
    called = services.call_next(desk, by=officer)
    assert called == appointment.visit
    assert all(
        v.state == VisitState.WAITING
        for v in type(called).objects.filter(pk__in=[w.pk for w in walk_ins])
    )
    context.close()
