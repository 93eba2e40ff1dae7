"""An administrator whose organisation requires two-factor log-in sets up an authenticator app
in a real browser, then logs in again in two steps."""

import base64
import re
import time

import pytest

from compromiso.organizations import totp
from compromiso.organizations.models import SignIn, TwoFactorRequirement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def _secret_from(shown: str) -> bytes:
    text = shown.replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _password_step(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()


def test_administrator_enrols_after_the_password_then_logs_in_with_a_code(
    page, admin_user, organization
):
    organization.two_factor_required_for = TwoFactorRequirement.MANAGERS
    organization.save()

    _password_step(page, "admin")
    page.wait_for_url(re.compile(r"/staff/my-account/two-factor/$"))
    page.goto("/staff/units/")  # nothing else opens until it is set up
    page.wait_for_url(re.compile(r"/staff/my-account/two-factor/$"))

    page.get_by_role("button", name="Configurar una aplicación de autenticación").click()
    assert page.locator("main img[src^='data:image/svg+xml']").is_visible()
    page.screenshot(path="test-results/two-factor-enrol.png", full_page=True)
    secret = _secret_from(page.get_by_test_id("totp-secret").inner_text())
    page.fill("input[name=code]", totp.totp(secret, time.time()))
    page.get_by_role("button", name="Activar").click()

    codes = page.get_by_test_id("recovery-codes").locator("li")
    assert codes.count() == 10
    page.get_by_role("link", name="Ya los he guardado").click()
    page.wait_for_url(re.compile(r"/staff/$"))

    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    _password_step(page, "admin")
    page.wait_for_url(re.compile(r"/accounts/login/code/$"))
    assert page.get_by_role("heading", name="Código de acceso").is_visible()
    # The next step's code: the one used to enrol cannot be used again.
    page.fill("input[name=code]", totp.totp(secret, time.time() + totp.STEP_SECONDS))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/$"))

    page.goto("/staff/my-sign-ins/")
    assert "Código de la aplicación" in page.locator("main table").inner_text()
    assert SignIn.objects.filter(user=admin_user, second_factor="totp").count() == 1
