"""Two-factor log-in: enrolment, the two-step log-in, wrong codes, replayed codes, clock drift,
recovery codes, axes' lock-out and the code rate limit, enforcement per organisation and role,
and an administrator's reset."""

import datetime as dt
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from compromiso.core.models import AuditEntry
from compromiso.organizations import totp, two_factor
from compromiso.organizations.models import (
    RecoveryCode,
    SignIn,
    SignInOutcome,
    TotpDevice,
    TwoFactorRequirement,
)

PASSWORD = "a long enough pass phrase"
T0 = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def _client(address="203.0.113.77"):
    return Client(REMOTE_ADDR=address)


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def _enrol(user, at=T0):
    """Set up an app for the user at `at`; returns its secret and the recovery codes."""
    with time_machine.travel(at, tick=False):
        secret = two_factor.start_enrolment(user)
        codes = two_factor.confirm_enrolment(user, totp.totp(secret, time.time()))
    return secret, codes


def _code(secret):
    return totp.totp(secret, time.time())


def _password_step(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def _signed_in(client):
    return client.get(reverse("organizations:overview")).status_code == 200


# Enrolment


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_and_the_secret_then_a_right_code_turns_it_on(viewer):
    client = _client()
    client.force_login(viewer)
    page = reverse("organizations:two_factor")

    assert client.post(page, {"action": "start"}).status_code == 302
    shown = client.get(page).content.decode()
    assert 'src="data:image/svg+xml' in shown
    secret = two_factor.pending_secret(viewer)
    assert secret is not None
    assert " ".join(totp.base32(secret)[i : i + 4] for i in range(0, 32, 4)) in shown
    assert not two_factor.has_two_factor(viewer)

    done = client.post(page, {"action": "confirm", "code": totp.totp(secret, time.time())})

    assert two_factor.has_two_factor(viewer)
    codes = done.context["codes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert code in done.content.decode()
    assert AuditEntry.objects.filter(action="organizations.two_factor.enabled").count() == 1


@pytest.mark.django_db
def test_a_wrong_code_at_enrolment_leaves_it_off_and_says_so(viewer):
    client = _client()
    client.force_login(viewer)
    page = reverse("organizations:two_factor")
    client.post(page, {"action": "start"})
    secret = two_factor.pending_secret(viewer)
    wrong = "000000" if totp.totp(secret, time.time()) != "000000" else "111111"

    response = client.post(page, {"action": "confirm", "code": wrong})

    assert response.status_code == 200
    assert "Ese código no es correcto" in response.content.decode()
    assert not two_factor.has_two_factor(viewer)
    assert not RecoveryCode.objects.filter(user=viewer).exists()


@pytest.mark.django_db
def test_the_secret_and_the_recovery_codes_are_not_stored_readable(viewer):
    secret, codes = _enrol(viewer)

    device = TotpDevice.objects.get(user=viewer)
    assert totp.base32(secret) not in device.sealed_secret
    assert secret.hex() not in device.sealed_secret
    stored = " ".join(RecoveryCode.objects.values_list("code_hash", flat=True))
    for code in codes:
        assert code not in stored
        assert code.replace("-", "") not in stored


# The two-step log-in


@pytest.mark.django_db
def test_a_user_with_an_app_logs_in_with_password_then_code_and_the_log_says_so(viewer):
    _with_password(viewer)
    secret, _codes = _enrol(viewer)
    client = _client()
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        response = _password_step(client, viewer)
        assert response.url == reverse("login_code")
        assert not _signed_in(client)

        response = client.post(reverse("login_code"), {"code": _code(secret)})

        assert response.status_code == 302
        assert _signed_in(client)
    entry = SignIn.objects.get(outcome=SignInOutcome.SUCCEEDED)
    assert entry.second_factor == "totp"
    assert entry.user == viewer


@pytest.mark.django_db
def test_a_wrong_code_does_not_log_in_and_is_recorded_as_a_failure(viewer):
    _with_password(viewer)
    secret, _codes = _enrol(viewer)
    client = _client()
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        _password_step(client, viewer)
        wrong = str((int(_code(secret)) + 1) % 1_000_000).zfill(6)
        response = client.post(reverse("login_code"), {"code": wrong})

        assert response.status_code == 200
        assert "Ese código no es correcto" in response.content.decode()
        assert not _signed_in(client)
    failure = SignIn.objects.get(outcome=SignInOutcome.FAILED)
    assert (failure.user, failure.second_factor) == (viewer, "totp")


@pytest.mark.django_db
def test_a_code_is_accepted_once_even_in_another_session(viewer):
    _with_password(viewer)
    secret, _codes = _enrol(viewer)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        code = _code(secret)
        first, second = _client(), _client("198.51.100.9")
        _password_step(first, viewer)
        _password_step(second, viewer)

        assert first.post(reverse("login_code"), {"code": code}).status_code == 302
        replay = second.post(reverse("login_code"), {"code": code})

        assert replay.status_code == 200
        assert not _signed_in(second)


@pytest.mark.django_db
def test_a_code_from_the_previous_step_is_accepted_and_one_two_steps_old_is_not(viewer):
    secret, _codes = _enrol(viewer)
    later = T0 + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        step = totp.step_at(time.time())
        assert two_factor.verify(viewer, totp.hotp(secret, step - 2)) is None
        assert two_factor.verify(viewer, totp.hotp(secret, step - 1)) == "totp"
        # After a later step was accepted, an earlier one is refused (no going back).
        assert two_factor.verify(viewer, totp.hotp(secret, step + 1)) == "totp"
        assert two_factor.verify(viewer, totp.hotp(secret, step)) is None


@pytest.mark.django_db
def test_a_recovery_code_logs_in_once_and_is_then_spent(viewer):
    _with_password(viewer)
    _secret, codes = _enrol(viewer)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        client = _client()
        _password_step(client, viewer)
        response = client.post(reverse("login_code"), {"code": codes[3].upper()})
        assert response.status_code == 302
        assert _signed_in(client)

        again = _client()
        _password_step(again, viewer)
        response = again.post(reverse("login_code"), {"code": codes[3]})
        assert response.status_code == 200
        assert not _signed_in(again)
    assert two_factor.recovery_codes_left(viewer) == 9
    assert SignIn.objects.get(outcome=SignInOutcome.SUCCEEDED).second_factor == "recovery_code"


@pytest.mark.django_db
def test_the_code_step_needs_the_password_step_first_and_expires(viewer):
    _with_password(viewer)
    secret, _codes = _enrol(viewer)
    client = _client()
    assert client.post(reverse("login_code"), {"code": "123456"}).url == reverse("login")
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        _password_step(client, viewer)
    with time_machine.travel(T0 + dt.timedelta(minutes=11), tick=False):
        response = client.post(reverse("login_code"), {"code": _code(secret)})
        assert response.url == reverse("login")
        assert not _signed_in(client)


@pytest.mark.django_db
def test_wrong_codes_lock_the_account_out_like_wrong_passwords(viewer, settings):
    _with_password(viewer)
    secret, _codes = _enrol(viewer)
    client = _client()
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        _password_step(client, viewer)
        wrong = str((int(_code(secret)) + 7) % 1_000_000).zfill(6)
        for _attempt in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("login_code"), {"code": wrong})

        response = client.post(reverse("login_code"), {"code": _code(secret)})

        assert response.status_code == 429
        assert not _signed_in(client)
        # The password step is locked too.
        assert _password_step(_client(), viewer).status_code == 429
    assert SignIn.objects.filter(outcome=SignInOutcome.LOCKED_OUT).exists()


@pytest.mark.django_db
def test_wrong_codes_from_many_addresses_are_rate_limited_per_account(viewer):
    _with_password(viewer)
    secret, _codes = _enrol(viewer)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        wrong = str((int(_code(secret)) + 3) % 1_000_000).zfill(6)
        for attempt in range(10):
            client = _client(f"198.51.{attempt}.1")
            _password_step(client, viewer)
            client.post(reverse("login_code"), {"code": wrong})
        client = _client("192.0.2.50")
        _password_step(client, viewer)

        response = client.post(reverse("login_code"), {"code": _code(secret)})

        assert "Demasiados códigos erróneos" in response.content.decode()
        assert not _signed_in(client)


@pytest.mark.django_db
def test_a_user_without_an_app_still_logs_in_with_the_password_alone(viewer):
    _with_password(viewer)
    client = _client()
    assert _password_step(client, viewer).url == reverse("organizations:overview")
    assert _signed_in(client)
    assert SignIn.objects.get().second_factor == ""


# Enforcement


def _require(organization, who):
    organization.two_factor_required_for = who
    organization.save()


@pytest.mark.django_db
def test_when_managers_must_an_administrator_without_an_app_can_only_enrol(
    organization, admin_user, viewer
):
    _require(organization, TwoFactorRequirement.MANAGERS)
    _with_password(admin_user)
    _with_password(viewer)
    client = _client()
    assert _password_step(client, admin_user).status_code == 302

    for page in ("organizations:overview", "organizations:members", "organizations:my_sign_ins"):
        assert client.get(reverse(page)).url == reverse("organizations:two_factor")
    assert (
        "exige el acceso en dos pasos"
        in client.get(reverse("organizations:two_factor")).content.decode()
    )

    viewer_client = _client()
    _password_step(viewer_client, viewer)
    assert _signed_in(viewer_client)


@pytest.mark.django_db
def test_when_all_staff_must_a_viewer_is_sent_to_enrol_and_free_once_done(organization, viewer):
    _require(organization, TwoFactorRequirement.ALL_STAFF)
    _with_password(viewer)
    client = _client()
    _password_step(client, viewer)
    assert client.get(reverse("organizations:overview")).url == reverse("organizations:two_factor")

    client.post(reverse("organizations:two_factor"), {"action": "start"})
    secret = two_factor.pending_secret(viewer)
    client.post(
        reverse("organizations:two_factor"),
        {"action": "confirm", "code": totp.totp(secret, time.time())},
    )

    assert _signed_in(client)


@pytest.mark.django_db
def test_nobody_is_asked_to_enrol_when_the_organisation_requires_nothing(organization, admin_user):
    assert organization.two_factor_required_for == TwoFactorRequirement.NOBODY
    client = _client()
    client.force_login(admin_user)
    assert _signed_in(client)


@pytest.mark.django_db
def test_the_requirement_is_chosen_on_the_settings_page(organization, admin_user):
    client = _client()
    client.force_login(admin_user)
    page = client.get(reverse("organizations:settings")).content.decode()
    assert 'name="two_factor_required_for"' in page
    form = client.get(reverse("organizations:settings")).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data["office_opens_at"] = "09:00"
    data["office_closes_at"] = "17:00"
    data["two_factor_required_for"] = TwoFactorRequirement.MANAGERS

    assert client.post(reverse("organizations:settings"), data).status_code == 302

    organization.refresh_from_db()
    assert organization.two_factor_required_for == TwoFactorRequirement.MANAGERS


@pytest.mark.django_db
def test_a_required_second_factor_cannot_be_turned_off(organization, admin_user):
    secret, _codes = _enrol(admin_user)
    _require(organization, TwoFactorRequirement.MANAGERS)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        client = _client()
        client.force_login(admin_user)
        client.post(reverse("organizations:two_factor"), {"action": "off", "code": _code(secret)})
    assert two_factor.has_two_factor(admin_user)


@pytest.mark.django_db
def test_a_second_factor_not_required_can_be_turned_off_with_a_code(viewer):
    secret, _codes = _enrol(viewer)
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        client = _client()
        client.force_login(viewer)
        client.post(reverse("organizations:two_factor"), {"action": "off", "code": _code(secret)})
    assert not two_factor.has_two_factor(viewer)
    assert not RecoveryCode.objects.filter(user=viewer).exists()


# Reset by an administrator


@pytest.mark.django_db
def test_an_administrator_resets_a_members_second_factor_and_it_is_logged(admin_user, officer):
    _enrol(officer)
    client = _client()
    client.force_login(admin_user)
    members = client.get(reverse("organizations:members")).content.decode()
    assert reverse("organizations:reset_two_factor", args=[officer.pk]) in members

    response = client.post(reverse("organizations:reset_two_factor", args=[officer.pk]))

    assert response.url == reverse("organizations:members")
    assert not two_factor.has_two_factor(officer)
    assert not RecoveryCode.objects.filter(user=officer).exists()
    entry = AuditEntry.objects.get(action="organizations.two_factor.reset")
    assert (entry.actor, entry.data["user"]) == (admin_user, officer.pk)


@pytest.mark.django_db
def test_a_viewer_or_another_organisations_administrator_cannot_reset(viewer, officer, outsider):
    _enrol(officer)
    for person in (viewer, outsider):
        client = _client()
        client.force_login(person)
        response = client.post(reverse("organizations:reset_two_factor", args=[officer.pk]))
        assert response.status_code in (403, 404)
    anonymous = _client().post(reverse("organizations:reset_two_factor", args=[officer.pk]))
    assert anonymous.status_code == 302
    assert two_factor.has_two_factor(officer)
