"""Attachments on an S3-compatible bucket (STORAGE_BACKEND=s3, django-storages).

The server is moto's standalone S3 server (`moto[server]` from PyPI) run as a separate process
and spoken to over HTTP with boto3, as the application would speak to any S3-compatible service;
nothing is patched in this process. A citizen attaches a file through the public form, it lands
in the bucket (not in MEDIA_ROOT), staff download it through the case page, and backups and the
consistency check read it through the same storage API."""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

import compromiso
from compromiso.cases.models import Attachment, Case
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.backup import create_backup
from compromiso.core.tests.production import free_port

pytestmark = pytest.mark.slow
SRC = Path(compromiso.__file__).resolve().parents[1]
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "compromiso-test", "AWS_SECRET_ACCESS_KEY": "not-a-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server in its own process, with an empty private bucket."""
    import boto3

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("moto's S3 server did not start")
                time.sleep(0.2)
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket="compromiso-files")
        yield endpoint, client
    finally:
        server.terminate()
        server.wait(timeout=20)


def _settings_with(env):
    """The STORAGES that config/settings.py builds from an environment."""
    code = (
        "import json; from compromiso.config import settings as s; "
        "print(json.dumps(s.STORAGES['default']))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(SRC), **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return run


@pytest.fixture
def on_s3(settings, s3_endpoint):
    endpoint, client = s3_endpoint
    run = _settings_with(
        {
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": "compromiso-files",
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_LOCATION": f"test-{uuid.uuid4().hex[:8]}",
            **CREDENTIALS,
        }
    )
    assert run.returncode == 0, run.stderr
    storage = json.loads(run.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    settings.STORAGES = {
        "default": storage,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return client, storage["OPTIONS"]["location"]


def test_s3_without_a_bucket_refuses_to_start():
    run = _settings_with({"STORAGE_BACKEND": "s3", "AWS_STORAGE_BUCKET_NAME": ""})
    assert run.returncode != 0
    assert "AWS_STORAGE_BUCKET_NAME" in run.stderr


@pytest.mark.django_db(transaction=True)
def test_an_attachment_goes_to_the_bucket_and_staff_download_it(
    on_s3, client, organization, quality_manager, settings, tmp_path
):
    s3, location = on_s3
    ChannelFactory(organization=organization, kind="web", name="Sitio web")
    content = b"Boleta 4411: cobrado dos veces el 3 de marzo.\n"
    response = client.post(
        reverse("portal:case_new", args=[organization.slug]),
        {
            "kind": "complaint",
            "subject": "Cobro duplicado",
            "description": "Me cobraron dos veces el certificado.",
            "requester_name": "Ana Pérez",
            "requester_email": "ana@example.org",
            "requester_national_id": "12.345.678-5",
            "reply_channel": "email",
            "submission_id": str(uuid.uuid4()),
            "website": "",
            "attachments": [SimpleUploadedFile("boleta.txt", content)],
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    attachment = Attachment.objects.get(case=case)
    stored = s3.get_object(Bucket="compromiso-files", Key=f"{location}/{attachment.file.name}")
    assert stored["Body"].read() == content
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))

    client.force_login(quality_manager)
    download = client.get(reverse("cases:attachment", args=[case.pk, attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert "boleta.txt" in download["Content-Disposition"]

    manifest = create_backup(tmp_path / "s3.tar").manifest
    assert manifest["files"][f"media/{attachment.file.name}"]["sha256"] == attachment.sha256
    call_command("check_consistency")  # exits 1 if a file were missing or altered
