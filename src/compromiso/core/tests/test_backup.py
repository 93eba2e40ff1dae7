"""Backups, restore and the consistency check (core/backup.py and its three commands).

The drill backs up a live installation while cases keep arriving through the public API,
restores it into a fresh database and storage, and checks the result: on PostgreSQL when the
suite runs on PostgreSQL (pg_dump / pg_restore), on SQLite otherwise (the online backup API)."""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

import compromiso
from compromiso.cases import services
from compromiso.cases.models import Attachment, Case
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.actors import PUBLIC
from compromiso.core.backup import BackupError, create_backup, restore_backup, verify_archive
from compromiso.core.tests.production import free_port
from compromiso.organizations.models import Membership, User
from compromiso.organizations.services import create_api_token

SRC = Path(compromiso.__file__).resolve().parents[1]
# Bound of each command of the drill: each takes about 4 s of CPU (docs/reliability.md), far
# more wall time when other work shares the two cores.
COMMAND_SECONDS = 300


def _file_case(organization, channel, n):
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=channel,
        subject=f"Cobro duplicado {n}",
        description="Me cobraron dos veces el certificado.",
        requester_name="Ana Pérez",
        uploads=[SimpleUploadedFile(f"boleta-{n}.txt", f"Boleta número {n}\n".encode())],
        by=PUBLIC,
    )
    return case


@pytest.fixture
def seeded(organization):
    channel = ChannelFactory(organization=organization, kind="web")
    cases = [_file_case(organization, channel, n) for n in range(3)]
    return organization, channel, cases


def _check(*args):
    """`compromiso check_consistency` in this process: (exit status, what it wrote)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("check_consistency", *args, stdout=out, stderr=err)
    except SystemExit as stop:
        return stop.code, out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_consistent_installation_passes_and_each_kind_of_damage_is_named(seeded):
    _organization, _channel, cases = seeded
    status, report = _check()
    assert status == 0, report
    assert "Consistent" in report

    Case.objects.filter(pk=cases[0].pk).update(status="closed")
    attachment = Attachment.objects.get(case=cases[1])
    default_storage.delete(attachment.file.name)
    other = Attachment.objects.get(case=cases[2])
    with default_storage.open(other.file.name, "wb") as stream:
        stream.write(b"altered after upload\n")

    status, report = _check()
    assert status == 1
    assert f"case {cases[0].tracking_code}: its state is “closed”" in report
    assert f"case {cases[0].tracking_code}: it is closed without an answer date" in report
    assert f"attachment {attachment.pk}: its file {attachment.file.name} is missing" in report
    assert f"attachment {other.pk}: its file" in report


@pytest.mark.django_db(transaction=True)
def test_facts_that_disagree_with_the_cases_are_reported(seeded):
    from compromiso.cases import facts
    from compromiso.cases.models import CaseDailyFact

    facts.refresh(seeded[0])
    assert CaseDailyFact.objects.exists()
    status, report = _check()
    assert status == 0, report
    CaseDailyFact.objects.update(received=99)
    status, report = _check()
    assert status == 1
    assert "the case facts of" in report
    assert "disagree with its cases" in report


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_target_that_is_not_empty_and_changes_nothing(seeded, tmp_path):
    archive = create_backup(tmp_path / "b.tar").path
    before = Case.objects.count()
    with pytest.raises(BackupError, match="The target is not empty"):
        restore_backup(archive)
    assert Case.objects.count() == before
    status, report = _check("--manifest", str(archive))
    assert status == 0, report


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_before_anything_is_written(seeded, tmp_path):
    archive = create_backup(tmp_path / "b.tar").path
    manifest = verify_archive(archive)
    assert manifest["row_counts"]["cases_case"] == 3
    assert sum(name.startswith("media/") for name in manifest["files"]) == 3
    damaged = tmp_path / "damaged.tar"
    data = bytearray(archive.read_bytes())
    marker = data.find(b"Boleta n")
    data[marker] ^= 0x01
    damaged.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match its manifest"):
        restore_backup(damaged, force=True)
    assert Case.objects.count() == 3
    with pytest.raises(BackupError, match="not a Compromiso backup"):
        restore_backup(_not_a_backup(tmp_path))


def _not_a_backup(tmp_path):
    path = tmp_path / "other.tar"
    with tarfile.open(path, "w") as archive:
        archive.add(__file__, arcname="readme.txt")
    return path


# --- The restore drill --------------------------------------------------------------------------


def _compromiso(args, env, timeout=COMMAND_SECONDS):
    return subprocess.run(
        [sys.executable, "-c", "from compromiso.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class _Databases:
    """Two fresh databases of the suite's kind: the live source and the restore target."""

    def __init__(self, tmp_path):
        self.vendor = connection.vendor
        self.tmp_path = tmp_path
        if self.vendor == "postgresql":
            settings = connection.settings_dict
            self.base = (
                f"postgres://{settings['USER']}"
                + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
                + f"@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
            )
            self.names = [f"drill_{kind}_{os.getpid()}" for kind in ("src", "dst")]
            for name in self.names:
                self._admin(f'DROP DATABASE IF EXISTS "{name}"')
                self._admin(f'CREATE DATABASE "{name}"')

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(f"{self.base}/postgres", autocommit=True) as admin:
            admin.execute(sql)

    def url(self, kind):
        if self.vendor == "postgresql":
            return f"{self.base}/{self.names[kind == 'dst']}"
        return f"sqlite:///{self.tmp_path / f'{kind}.sqlite3'}"

    def tracking_codes(self, kind):
        sql = "SELECT tracking_code FROM cases_case"
        if self.vendor == "postgresql":
            import psycopg

            with psycopg.connect(self.url(kind).replace("postgres://", "postgresql://")) as db:
                return {row[0] for row in db.execute(sql)}
        with sqlite3.connect(self.tmp_path / f"{kind}.sqlite3") as db:
            return {row[0] for row in db.execute(sql)}

    def drop(self):
        if self.vendor == "postgresql":
            for name in self.names:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _file_through_the_api(port, token, channel_id, stop, acknowledged, errors):
    """File cases one after another until told to stop; note when each was acknowledged."""
    body = json.dumps(
        {
            "kind": "complaint",
            "channel": channel_id,
            "subject": "Cobro duplicado en la sucursal",
            "description": "Me cobraron dos veces el certificado de nacimiento.",
            "requester_name": "Ana Pérez",
        }
    ).encode()
    while not stop.is_set():
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/cases",
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                code = json.loads(response.read())["tracking_code"]
                acknowledged.append((time.monotonic(), code, response.status))
        except (urllib.error.URLError, OSError) as error:
            errors.append(repr(error))
            time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_restore_drill_backup_under_load_restores_every_acknowledged_case(seeded, tmp_path):
    started = time.monotonic()
    organization, channel, _cases = seeded
    user = User.objects.create_user("drill", "drill@example.org", "drill-pass")
    Membership.objects.create(user=user, organization=organization, role="quality_manager")
    _token, token = create_api_token(user=user, organization=organization, name="drill")
    seed = create_backup(tmp_path / "seed.tar").path

    databases = _Databases(tmp_path)
    base_env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "TASKS_BACKEND": "immediate",
        "EMAIL_BACKEND": "file",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
    }
    source = {**base_env, "DATABASE_URL": databases.url("src"), "MEDIA_ROOT": str(tmp_path / "m1")}
    target = {**base_env, "DATABASE_URL": databases.url("dst"), "MEDIA_ROOT": str(tmp_path / "m2")}
    server = None
    try:
        seeded_run = _compromiso(["restore", str(seed)], source)
        assert seeded_run.returncode == 0, seeded_run.stderr

        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from compromiso.cli import main; main()",
                "serve",
                f"127.0.0.1:{port}",
                "--skip-checks",
            ],
            env=source,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Generous bounds for a loaded machine; on an idle one the server answers in seconds.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5):
                    break
            except urllib.error.HTTPError:
                break  # it answers (a 503 only says the task backlog is stale)
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        stop, acknowledged, errors = threading.Event(), [], []
        filer = threading.Thread(
            target=_file_through_the_api,
            args=(port, token, channel.pk, stop, acknowledged, errors),
        )
        filer.start()
        while len(acknowledged) < 5 and time.monotonic() < deadline and filer.is_alive():
            time.sleep(0.1)
        assert len(acknowledged) >= 5, errors[-3:]
        backup_started = time.monotonic()
        backed_up = _compromiso(["backup", str(tmp_path / "drill.tar")], source)
        backup_ended = time.monotonic()
        time.sleep(0.5)  # a few more cases after the backup: they must not break anything
        stop.set()
        filer.join(timeout=30)
        assert backed_up.returncode == 0, backed_up.stderr
        server.terminate()
        server.wait(timeout=20)
        server = None

        restore_started = time.monotonic()
        restored = _compromiso(["restore", str(tmp_path / "drill.tar")], target)
        restore_seconds = time.monotonic() - restore_started
        assert restored.returncode == 0, restored.stderr
        checked = _compromiso(
            ["check_consistency", "--manifest", str(tmp_path / "drill.tar")], target
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "Consistent" in checked.stdout

        before_backup = {code for at, code, status in acknowledged if at < backup_started}
        restored_codes = databases.tracking_codes("dst")
        assert len(before_backup) >= 5
        assert before_backup <= restored_codes
        manifest = verify_archive(tmp_path / "drill.tar")
        assert manifest["row_counts"]["cases_case"] == len(restored_codes)
        assert sum(name.startswith("media/") for name in manifest["files"]) == 3
        print(  # the drill's figures, for docs/reliability.md
            f"\nDRILL {connection.vendor}: archive {(tmp_path / 'drill.tar').stat().st_size} B, "
            f"backup {backup_ended - backup_started:.2f} s (whole command), "
            f"restore {restore_seconds:.2f} s (whole command), "
            f"acknowledged before the backup {len(before_backup)}, "
            f"during or after it {len(acknowledged) - len(before_backup)}, "
            f"in the backup {manifest['row_counts']['cases_case']}, "
            f"manifest duration {manifest['duration_seconds']} s, errors {len(errors)}, "
            f"drill {time.monotonic() - started:.1f} s"
        )
    finally:
        if server is not None:
            server.kill()
            server.wait()
        databases.drop()
