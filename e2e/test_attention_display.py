# ruff: noqa: F811 (the fixtures imported above are parameters below)
"""A branch's queue display in a real browser: a ticket issued and called at a desk appears on
the open page, number and desk, within a second, without reloading it."""

import time

import pytest
from django.db import OperationalError

from compromiso.attention import services
from compromiso.attention.tests.conftest import (  # noqa: F401
    arica_point,
    desk_one,
    general_queue,
    in_person,
    office,
    quick_queue,
    service,
)
from compromiso.core.actors import PUBLIC

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def retried(step):
    """SQLite's shared test database is locked for a moment while the server reads it."""
    for _ in range(50):
        try:
            return step()
        except OperationalError:
            time.sleep(0.05)
    raise AssertionError("the database stayed locked")


def test_a_called_ticket_appears_on_the_display_within_a_second(
    page, office, general_queue, desk_one, officer, short_streams
):
    page.goto(f"/display/{office.display_key}/")
    page.wait_for_selector("#display-current .queue-display-empty")
    page.evaluate("window.__loaded = true")  # gone if the page were reloaded
    page.wait_for_timeout(1500)  # the event stream is connected and has sent its first state

    visit = retried(lambda: services.issue_ticket(general_queue, by=PUBLIC))
    retried(lambda: services.call(visit, desk=desk_one, by=officer))
    called = time.monotonic()
    page.wait_for_function(
        "number => (document.querySelector('#display-current .queue-display-number') || {})"
        ".textContent === number",
        arg=visit.number,
        timeout=5000,
    )
    delay = time.monotonic() - called
    current = page.locator("#display-current")
    assert current.get_attribute("aria-live") == "assertive"
    assert "Módulo 1" in current.inner_text()
    assert page.evaluate("window.__loaded") is True
    assert page.locator("#display-queues tr").first.inner_text().startswith("A · Atención general")
    print(f"call → display: {delay * 1000:.0f} ms")
    assert delay < 1.0
    short_streams(page.context)
