"""Security keys (WebAuthn) as a second factor: registration verified and stored, forged and
replayed challenges refused, a signature counter that goes back refused, another user's key
refused, removal only with the password or a current second factor, log-in with a key (and the
sign-in log), and the organisation's requirement met by a key."""

import json
import time
from html import unescape
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from compromiso.core.errors import DomainError
from compromiso.core.models import AuditEntry
from compromiso.organizations import security_keys, totp, two_factor
from compromiso.organizations.models import (
    RecoveryCode,
    SignIn,
    SignInOutcome,
    TwoFactorRequirement,
    WebAuthnCredential,
)
from compromiso.organizations.tests.webauthn_keys import ORIGIN, RP_ID, SoftKey

PASSWORD = "a long enough pass phrase"


@pytest.fixture(autouse=True)
def _relying_party(settings):
    settings.WEBAUTHN_RP_ID = RP_ID
    settings.WEBAUTHN_ORIGIN = ORIGIN


def _session():
    return import_module(django_settings.SESSION_ENGINE).SessionStore()


def _register(user, key=None, name="Blue key"):
    key = key or SoftKey()
    session = _session()
    options = security_keys.registration_options(user, session)
    stored, _codes = security_keys.register(user, session, key.create(options), name)
    return key, stored


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


# Registration


@pytest.mark.django_db
def test_a_registration_answer_is_verified_and_the_key_stored_with_recovery_codes(viewer):
    key = SoftKey()
    session = _session()
    options = security_keys.registration_options(viewer, session)
    assert options["rp"] == {"id": "localhost", "name": "Compromiso"}
    assert options["authenticatorSelection"]["userVerification"] == "preferred"

    stored, codes = security_keys.register(viewer, session, key.create(options), "  Blue key  ")

    assert stored.credential_id == key.id
    assert bytes(stored.public_key) == key.cose_public_key()
    assert stored.sign_count == 0
    assert stored.transports == ["usb"]
    assert stored.name == "Blue key"
    assert stored.user == viewer
    assert codes is not None
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(user=viewer).count() == 10
    assert two_factor.has_two_factor(viewer)
    assert not two_factor.has_totp(viewer)
    assert AuditEntry.objects.filter(action="organizations.two_factor.key_added").count() == 1


@pytest.mark.django_db
def test_a_second_key_brings_no_new_recovery_codes_and_is_excluded_from_the_next_options(
    viewer,
):
    first, _stored = _register(viewer)
    session = _session()
    options = security_keys.registration_options(viewer, session)
    assert [entry["id"] for entry in options["excludeCredentials"]] == [first.id]

    _stored, codes = security_keys.register(viewer, session, SoftKey().create(options), "Laptop")

    assert codes is None
    assert WebAuthnCredential.objects.filter(user=viewer).count() == 2


@pytest.mark.django_db
def test_a_forged_challenge_is_refused_and_nothing_is_stored(viewer):
    session = _session()
    options = security_keys.registration_options(viewer, session)
    forged = SoftKey().create(options, challenge="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")

    with pytest.raises(DomainError):
        security_keys.register(viewer, session, forged, "Forged")

    assert not WebAuthnCredential.objects.exists()


@pytest.mark.django_db
def test_an_answer_from_another_origin_is_refused(viewer):
    session = _session()
    options = security_keys.registration_options(viewer, session)
    phished = SoftKey().create(options, origin="https://compromiso.example.net")

    with pytest.raises(DomainError):
        security_keys.register(viewer, session, phished, "Phished")

    assert not WebAuthnCredential.objects.exists()


@pytest.mark.django_db
def test_a_replayed_registration_answer_is_refused(viewer):
    key = SoftKey()
    session = _session()
    options = security_keys.registration_options(viewer, session)
    answer = key.create(options)
    security_keys.register(viewer, session, answer, "Blue key")

    # The challenge was spent; with fresh options the old answer does not fit either.
    with pytest.raises(DomainError):
        security_keys.register(viewer, session, answer, "Again")
    security_keys.registration_options(viewer, session)
    with pytest.raises(DomainError):
        security_keys.register(viewer, session, answer, "Again")

    assert WebAuthnCredential.objects.count() == 1


@pytest.mark.django_db
def test_options_made_for_one_user_do_not_register_a_key_for_another(viewer, officer):
    session = _session()
    options = security_keys.registration_options(viewer, session)

    with pytest.raises(DomainError):
        security_keys.register(officer, session, SoftKey().create(options), "Stolen")

    assert not WebAuthnCredential.objects.exists()


# Authentication


@pytest.mark.django_db
def test_a_key_signs_in_and_its_counter_moves_forward(viewer):
    key, stored = _register(viewer)
    session = _session()
    options = security_keys.authentication_options(viewer, session)
    assert options is not None
    assert [entry["id"] for entry in options["allowCredentials"]] == [key.id]
    assert options["userVerification"] == "preferred"

    used = security_keys.authenticate(viewer, session, key.get(options, counter=5))

    assert used.pk == stored.pk
    assert used.sign_count == 5
    assert used.last_used_at is not None


@pytest.mark.django_db
def test_a_counter_that_goes_back_is_refused_and_the_stored_one_kept(viewer):
    key, stored = _register(viewer)
    session = _session()
    security_keys.authenticate(
        viewer, session, key.get(security_keys.authentication_options(viewer, session), counter=5)
    )

    options = security_keys.authentication_options(viewer, session)
    with pytest.raises(DomainError):
        security_keys.authenticate(viewer, session, key.get(options, counter=3))
    options = security_keys.authentication_options(viewer, session)
    with pytest.raises(DomainError):
        security_keys.authenticate(viewer, session, key.get(options, counter=5))

    stored.refresh_from_db()
    assert stored.sign_count == 5


@pytest.mark.django_db
def test_a_replayed_log_in_answer_is_refused(viewer):
    key, _stored = _register(viewer)
    session = _session()
    answer = key.get(security_keys.authentication_options(viewer, session))
    security_keys.authenticate(viewer, session, answer)

    with pytest.raises(DomainError):
        security_keys.authenticate(viewer, session, answer)
    security_keys.authentication_options(viewer, session)
    with pytest.raises(DomainError):
        security_keys.authenticate(viewer, session, answer)


@pytest.mark.django_db
def test_another_users_key_is_refused(viewer, officer):
    _register(viewer)
    theirs, _stored = _register(officer)
    session = _session()
    options = security_keys.authentication_options(viewer, session)

    with pytest.raises(DomainError, match="no está registrada en esta cuenta"):
        security_keys.authenticate(viewer, session, theirs.get(options))

    assert WebAuthnCredential.objects.get(user=officer).sign_count == 0


@pytest.mark.django_db
def test_a_user_without_keys_gets_no_options(viewer):
    assert security_keys.authentication_options(viewer, _session()) is None


# Removal


@pytest.mark.django_db
def test_removing_a_key_asks_for_the_password_or_a_current_code(viewer):
    _with_password(viewer)
    _key, first = _register(viewer)
    _key, second = _register(viewer, name="Laptop")

    with pytest.raises(DomainError):
        security_keys.remove(viewer, first.pk, "")
    with pytest.raises(DomainError):
        security_keys.remove(viewer, first.pk, "not the password")
    assert WebAuthnCredential.objects.filter(user=viewer).count() == 2

    security_keys.remove(viewer, first.pk, PASSWORD)
    assert list(WebAuthnCredential.objects.filter(user=viewer)) == [second]

    secret = two_factor.start_enrolment(viewer)
    two_factor.confirm_enrolment(viewer, totp.totp(secret, time.time() - totp.STEP_SECONDS))
    security_keys.remove(viewer, second.pk, totp.totp(secret, time.time()))
    assert not WebAuthnCredential.objects.filter(user=viewer).exists()
    assert AuditEntry.objects.filter(action="organizations.two_factor.key_removed").count() == 2


@pytest.mark.django_db
def test_nobody_removes_another_users_key(viewer, officer):
    _with_password(viewer)
    _key, theirs = _register(officer)

    with pytest.raises(DomainError):
        security_keys.remove(viewer, theirs.pk, PASSWORD)

    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_the_last_key_stays_while_the_organisation_requires_a_second_factor(
    admin_user, organization
):
    organization.two_factor_required_for = TwoFactorRequirement.MANAGERS
    organization.save()
    _with_password(admin_user)
    _key, only = _register(admin_user)

    with pytest.raises(DomainError, match="exige el acceso en dos pasos"):
        security_keys.remove(admin_user, only.pk, PASSWORD)

    assert WebAuthnCredential.objects.filter(pk=only.pk).exists()


# The pages


def _options_in(response, element_id):
    html = response.content.decode()
    start = html.index(f'id="{element_id}"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.django_db
def test_a_key_is_added_and_removed_on_the_two_factor_page(viewer):
    _with_password(viewer)
    client = Client()
    client.force_login(viewer)
    page = reverse("organizations:two_factor")
    key = SoftKey()

    options = _options_in(client.get(page), "webauthn-registration-options")
    added = client.post(
        page, {"action": "add_key", "name": "Llave azul", "credential": key.create(options)}
    )

    assert added.status_code == 200
    assert len(added.context["codes"]) == 10
    stored = WebAuthnCredential.objects.get(user=viewer)
    assert stored.name == "Llave azul"
    shown = client.get(page).content.decode()
    assert "Llave azul" in shown

    refused = client.post(page, {"action": "remove_key", "key": stored.pk, "proof": "wrong"})
    assert refused.status_code == 200
    assert "La llave no se ha quitado" in refused.content.decode()
    assert WebAuthnCredential.objects.filter(pk=stored.pk).exists()
    client.post(page, {"action": "remove_key", "key": stored.pk, "proof": PASSWORD})
    assert not WebAuthnCredential.objects.filter(pk=stored.pk).exists()
    # With the last second factor gone, its recovery codes go too.
    assert not RecoveryCode.objects.filter(user=viewer).exists()


@pytest.mark.django_db
def test_a_key_refused_at_registration_keeps_the_name_and_says_so_in_spanish(viewer):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    viewer.preferred_language = "es"
    viewer.save()
    client.force_login(viewer)
    page = reverse("organizations:two_factor")
    options = _options_in(client.get(page), "webauthn-registration-options")
    forged = SoftKey().create(options, challenge="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")

    response = client.post(page, {"action": "add_key", "name": "Llave roja", "credential": forged})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Llave roja"' in html
    assert "No se ha podido verificar la respuesta de la llave de seguridad" in html
    assert not WebAuthnCredential.objects.exists()


@pytest.mark.django_db
def test_the_key_messages_are_in_catalan_too(viewer):
    viewer.preferred_language = "ca"
    viewer.save()
    client = Client()
    client.force_login(viewer)

    html = unescape(client.get(reverse("organizations:two_factor")).content.decode())

    assert "Afegir una clau de seguretat" in html
    assert "No s'ha desat res; el nom que heu escrit continua aquí" in html


@pytest.mark.django_db
def test_a_user_with_a_key_logs_in_with_password_then_key_and_the_log_says_so(viewer):
    _with_password(viewer)
    key, stored = _register(viewer)
    client = Client(REMOTE_ADDR="203.0.113.7")

    response = client.post(reverse("login"), {"username": viewer.username, "password": PASSWORD})
    assert response.url == reverse("login_code")
    step = client.get(reverse("login_code"))
    assert step.context["has_totp"] is False
    options = _options_in(step, "webauthn-authentication-options")

    done = client.post(reverse("login_code"), {"action": "key", "credential": key.get(options)})

    assert done.status_code == 302
    assert client.get(reverse("organizations:overview")).status_code == 200
    entry = SignIn.objects.get(outcome=SignInOutcome.SUCCEEDED)
    assert entry.second_factor == "security_key"
    stored.refresh_from_db()
    assert stored.sign_count == 1


@pytest.mark.django_db
def test_a_refused_key_at_log_in_is_a_failure_and_the_step_stays(viewer, officer):
    _with_password(viewer)
    _register(viewer)
    theirs, _stored = _register(officer)
    client = Client(REMOTE_ADDR="203.0.113.8")
    client.post(reverse("login"), {"username": viewer.username, "password": PASSWORD})
    options = _options_in(client.get(reverse("login_code")), "webauthn-authentication-options")

    response = client.post(
        reverse("login_code"), {"action": "key", "credential": theirs.get(options)}
    )

    assert response.status_code == 200
    assert "no está registrada en esta cuenta" in response.content.decode()
    assert client.get(reverse("organizations:overview")).status_code == 302
    failed = SignIn.objects.get(outcome=SignInOutcome.FAILED)
    assert (failed.username, failed.second_factor) == (viewer.username, "security_key")


@pytest.mark.django_db
def test_a_user_with_an_app_and_a_key_is_offered_both(viewer):
    _with_password(viewer)
    secret = two_factor.start_enrolment(viewer)
    two_factor.confirm_enrolment(viewer, totp.totp(secret, time.time() - totp.STEP_SECONDS))
    _register(viewer)
    client = Client()
    client.post(reverse("login"), {"username": viewer.username, "password": PASSWORD})

    step = client.get(reverse("login_code"))

    html = step.content.decode()
    assert 'id="webauthn-authentication-options"' in html
    assert 'name="code"' in html
    response = client.post(reverse("login_code"), {"code": totp.totp(secret, time.time())})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_key_meets_the_organisations_requirement(admin_user, organization):
    organization.two_factor_required_for = TwoFactorRequirement.MANAGERS
    organization.save()
    client = Client()
    client.force_login(admin_user)
    units = reverse("organizations:units")
    assert client.get(units).url == reverse("organizations:two_factor")

    page = reverse("organizations:two_factor")
    options = _options_in(client.get(page), "webauthn-registration-options")
    client.post(page, {"action": "add_key", "name": "USB", "credential": SoftKey().create(options)})

    assert not two_factor.must_enrol(admin_user)
    fresh = Client()
    fresh.force_login(admin_user)
    assert fresh.get(units).status_code == 200


@pytest.mark.django_db
def test_a_user_with_only_a_key_can_log_in_with_a_recovery_code(viewer):
    _with_password(viewer)
    key = SoftKey()
    session = _session()
    options = security_keys.registration_options(viewer, session)
    _stored, codes = security_keys.register(viewer, session, key.create(options), "USB")
    assert codes is not None
    client = Client()
    client.post(reverse("login"), {"username": viewer.username, "password": PASSWORD})

    response = client.post(reverse("login_code"), {"code": codes[0]})

    assert response.status_code == 302
    assert SignIn.objects.get(outcome=SignInOutcome.SUCCEEDED).second_factor == "recovery_code"
    assert two_factor.recovery_codes_left(viewer) == 9


@pytest.mark.django_db
def test_an_administrators_reset_removes_the_members_keys(admin_user, viewer, organization):
    _register(viewer)
    assert two_factor.has_two_factor(viewer)

    two_factor.reset_two_factor(viewer, organization=organization, by=admin_user)

    assert not WebAuthnCredential.objects.filter(user=viewer).exists()
    assert not RecoveryCode.objects.filter(user=viewer).exists()
    assert not two_factor.has_two_factor(viewer)
