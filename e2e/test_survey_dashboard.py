"""A quality manager reads a wave's dashboard and sets its sample design, in a real browser."""

import re

import pytest

from compromiso.surveys import services
from compromiso.surveys.tests import conftest as survey_fixtures
from compromiso.surveys.tests.conftest import answers_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

licences = survey_fixtures.licences
permits = survey_fixtures.permits
questionnaire = survey_fixtures.questionnaire
wave = survey_fixtures.wave


def log_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct horse battery staple")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))


def test_the_dashboard_charts_and_the_sample_design(page, quality_manager, wave, licences, permits):
    for grade in (7, 7, 6, 2):
        services.submit_response(wave, service=licences, answers=answers_for(wave, grade))
    for grade in (1, 2, 7):
        services.submit_response(wave, service=permits, answers=answers_for(wave, grade))
    log_in(page, "quality")

    page.goto(f"/staff/surveys/waves/{wave.pk}/")
    chart = page.locator("svg.chart-net").first
    chart.wait_for()
    assert chart.bounding_box()["width"] > 300  # drawn, not collapsed
    assert chart.locator("rect.chart-bar").count() == 1  # licences: +50
    assert chart.locator("rect.chart-bar-negative").count() == 1  # permits: −33.3

    page.get_by_role("link", name="Diseño muestral").click()
    page.fill("input[name=margin]", "5")
    page.fill(f"input[name=population_{licences.pk}]", "1000")
    page.locator("main button[type=submit]").click()

    page.wait_for_url(re.compile(rf"/staff/surveys/waves/{wave.pk}/$"))
    row = page.locator("tr", has_text="Licencias").filter(has=page.locator("progress"))
    assert "278" in row.inner_text()  # n₀ = 384 corrected for 1,000 users
    bar = row.get_by_role("progressbar")
    assert bar.get_attribute("value") == "1"
    assert bar.evaluate("element => element.position") == 0.01  # filled, with no inline style
