"""The wave dashboard on a 390 px phone and the kiosk on a tablet, in a real browser."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from compromiso.surveys import services
from compromiso.surveys.tests import conftest as survey_fixtures
from compromiso.surveys.tests.conftest import answers_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

licences = survey_fixtures.licences
permits = survey_fixtures.permits
questionnaire = survey_fixtures.questionnaire
wave = survey_fixtures.wave
# Screenshots to look at by eye, outside the repository.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", tempfile.gettempdir())) / "compromiso-screens"


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def _overflowing(page):
    """Elements wider than the window that are not inside a scrolling table wrapper."""
    return page.evaluate(
        """() => {
        const width = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')].filter(e => {
            const box = e.getBoundingClientRect();
            return box.right > width + 1 && !e.closest('.table-responsive')
                && getComputedStyle(e).visibility !== 'hidden'
                && !e.closest('.visually-hidden, .visually-hidden-focusable');
        }).map(e => e.tagName + '.' + e.className).slice(0, 10);
    }"""
    )


def test_the_wave_dashboard_fits_a_390_px_screen(
    browser, live_server, quality_manager, wave, licences, permits
):
    for grade in (7, 7, 6, 2, 5):
        services.submit_response(
            wave, service=licences, answers=answers_for(wave, grade, text="ventanilla lenta")
        )
    for grade in (1, 2, 7):
        services.submit_response(wave, service=permits, answers=answers_for(wave, grade))
    context = browser.new_context(
        base_url=live_server.url, locale="es-ES", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    log_in(page, "quality")

    page.goto(f"/staff/surveys/waves/{wave.pk}/")
    page.locator("svg.chart-net").first.wait_for()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "wave-390.png"), full_page=True)
    wide = _overflowing(page)
    context.close()

    assert scroll_width <= 390, wide


def test_the_kiosk_on_a_tablet_has_big_buttons_and_starts_again_when_left_alone(
    browser, live_server, wave, licences
):
    context = browser.new_context(
        base_url=live_server.url, locale="es-ES", viewport={"width": 1024, "height": 768}
    )
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.clock.install()

    page.goto(f"/s/{wave.token}/kiosk/?thanks=1")
    option = page.locator("label.kiosk-option").first
    box = option.bounding_box()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "kiosk-1024.png"), full_page=True)
    option.click()
    checked = page.locator("input.btn-check:checked").count()
    page.clock.fast_forward(30_000)
    still_there = page.url
    page.clock.fast_forward(61_000)  # 61 s after the last touch
    page.wait_for_url(re.compile(r"/kiosk/\?$"))
    after = page.locator("input.btn-check:checked").count()
    headers = page.locator("header, footer, #language-select").count()
    context.close()

    assert box["width"] >= 48  # a finger's size
    assert box["height"] >= 48
    assert headers == 0  # nothing that leaves the survey
    assert checked == 1
    assert still_there.endswith("?thanks=1")  # not while someone is answering
    assert after == 0  # the next person starts from an empty form
    assert refused == []
