"""Production settings: a client cannot claim HTTPS unless a proxy is trusted, and e-mail is never
printed into the logs unless the operator chose so."""

import os
import subprocess
import sys

PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.SECURE_PROXY_SSL_HEADER); print(settings.MAILERS['default']['BACKEND'])"
)
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-production-secret-key-for-the-settings-test-0123456789",
    "ALLOWED_HOSTS": "compromiso.example",
    "DATABASE_URL": "sqlite:///:memory:",
    "DJANGO_SETTINGS_MODULE": "compromiso.config.settings",
}


def _start(**environment):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("EMAIL_", "TRUSTED_PROXY", "DEBUG"))
    }
    env.update(PRODUCTION, **environment)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=env, capture_output=True, text=True, check=False
    )


def test_the_forwarded_protocol_header_is_ignored_unless_a_proxy_is_trusted():
    direct = _start(EMAIL_HOST="smtp.example.org")
    proxied = _start(EMAIL_HOST="smtp.example.org", TRUSTED_PROXY="true")

    assert direct.stdout.splitlines()[0] == "None"
    assert proxied.stdout.splitlines()[0] == "('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_without_a_mail_server_refuses_to_start():
    started = _start()

    assert started.returncode != 0
    assert "EMAIL_HOST" in started.stderr
    assert "ImproperlyConfigured" in started.stderr


def test_production_keeps_mail_on_the_console_or_in_files_only_when_chosen(tmp_path):
    console = _start(EMAIL_BACKEND="console")
    files = _start(EMAIL_BACKEND="file", EMAIL_FILE_PATH=str(tmp_path))
    smtp = _start(EMAIL_HOST="smtp.example.org")

    assert console.stdout.splitlines()[1] == "django.core.mail.backends.console.EmailBackend"
    assert files.stdout.splitlines()[1] == "django.core.mail.backends.filebased.EmailBackend"
    assert smtp.stdout.splitlines()[1] == "django.core.mail.backends.smtp.EmailBackend"
