"""A staff member registers a security key in a real browser (Chromium's virtual authenticator,
through the DevTools protocol), logs out, and logs in again with the password and the key, in
Spanish; a cancelled key keeps the name typed and says so."""

import re

import pytest

from compromiso.organizations.models import SignIn, WebAuthnCredential

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def relying_party(settings, live_server):
    """The live server is http://localhost:<port>: a secure context, and a valid RP id."""
    assert live_server.url.startswith("http://localhost:")
    settings.WEBAUTHN_RP_ID = "localhost"
    settings.WEBAUTHN_ORIGIN = live_server.url


def _authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def _password_step(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()


def test_a_key_is_registered_then_used_to_log_in(page, relying_party, admin_user, monkeypatch):
    from compromiso.organizations import security_keys

    # A key nobody touches gives up after three seconds (as a person cancelling would).
    monkeypatch.setattr(security_keys, "TIMEOUT_MS", 3000)
    admin_user.set_password(PASSWORD)
    admin_user.save()
    cdp, authenticator = _authenticator(page)

    _password_step(page, "admin")
    page.wait_for_url(re.compile(r"/staff/$"))
    page.goto("/staff/my-account/two-factor/")

    # Cancelled (the key does not answer): nothing is saved, the name stays, the page says so.
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    cdp.send(
        "WebAuthn.setAutomaticPresenceSimulation",
        {"authenticatorId": authenticator, "enabled": False},
    )
    page.fill("input[name=name]", "Llave del portátil")
    page.get_by_role("button", name="Añadir una llave de seguridad").click()
    alert = page.locator("[data-webauthn-error]")
    alert.wait_for(state="visible", timeout=30_000)
    assert "No se ha guardado nada" in alert.inner_text()
    assert page.input_value("input[name=name]") == "Llave del portátil"
    assert not WebAuthnCredential.objects.exists()

    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": True})
    cdp.send(
        "WebAuthn.setAutomaticPresenceSimulation",
        {"authenticatorId": authenticator, "enabled": True},
    )
    page.get_by_role("button", name="Añadir una llave de seguridad").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    codes.first.wait_for()
    assert codes.count() == 10
    assert "Se ha añadido la llave de seguridad «Llave del portátil»" in page.inner_text("main")
    key = WebAuthnCredential.objects.get(user=admin_user)
    assert key.name == "Llave del portátil"
    page.get_by_role("link", name="Ya los he guardado").click()
    page.wait_for_url(re.compile(r"/staff/$"))

    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    _password_step(page, "admin")
    page.wait_for_url(re.compile(r"/accounts/login/code/$"))
    assert page.get_by_role("heading", name="Código de acceso").is_visible()
    page.get_by_role("button", name="Usar una llave de seguridad").click()
    page.wait_for_url(re.compile(r"/staff/$"))

    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.sign_count >= 1
    page.goto("/staff/my-sign-ins/")
    assert "Llave de seguridad" in page.locator("main table").inner_text()
    assert SignIn.objects.filter(user=admin_user, second_factor="security_key").count() == 1
    page.screenshot(path="test-results/security-key-signed-in.png", full_page=True)
