"""What the settings give without any environment: Argon2 log-ins, e-mail kept in files."""

from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.mail import send_mail
from django.test import override_settings
from django.urls import reverse

from compromiso.config import settings as project
from compromiso.organizations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_pbkdf2_password_still_logs_in_and_is_rehashed_with_argon2(client):
    assert project.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=project.PASSWORD_HASHERS):
        # An account from before the change (few iterations, to keep the test quick).
        old = PBKDF2PasswordHasher().encode("s3creto-largo", "saltsaltsalt", iterations=1000)
        user = UserFactory(username="antigua")
        user.password = old
        user.save(update_fields=["password"])

        response = client.post(
            reverse("login"), {"username": "antigua", "password": "s3creto-largo"}
        )

        assert response.status_code == 302
        user.refresh_from_db()
        assert user.password.startswith("argon2$")
        assert user.check_password("s3creto-largo")


def test_without_an_smtp_server_each_e_mail_is_written_to_a_file(tmp_path):
    mailer = project.MAILERS["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(mailer["OPTIONS"]["file_path"]) == project.BASE_DIR / "var" / "mail"
    folder = tmp_path / "mail"
    with override_settings(MAILERS={"default": {**mailer, "OPTIONS": {"file_path": str(folder)}}}):
        send_mail("Acuse de recibo", "Recibimos su caso.", None, ["ana@example.org"])

    (written,) = folder.iterdir()
    assert "Recibimos su caso." in written.read_text()
