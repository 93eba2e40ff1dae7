"""Backups and restore: the database and the stored files in one archive with a manifest.

The archive is a tar file holding:

- `manifest.json`: versions (Compromiso, Django, Python, the database server), the applied
  migrations, the row count of every table, and the size and SHA-256 of every other member;
- the database: `database.dump` (PostgreSQL's custom format, written by `pg_dump`) or
  `database.sqlite3` (a copy made with SQLite's online backup API);
- `media/…`: every file of the default storage (attachments, audit files, imports).

The row counts describe exactly the rows in the dump: on PostgreSQL they are counted in the
snapshot `pg_dump` reads (`pg_export_snapshot`), on SQLite in the copy itself. The database is
copied before the files, and a file is written to storage before its row is committed, so every
file a row of the dump names is in the archive. Restoring verifies every hash before it writes
anything and refuses a target that already holds tables or files unless forced.
"""

import datetime as dt
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import django
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    seconds: float
    size: int


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    seconds: float
    files: int
    warnings: list[str] = field(default_factory=list)


# --- PostgreSQL binaries -------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """The path of `pg_dump` or `pg_restore`: PG_BIN_DIR if set, then the newest
    /usr/lib/postgresql/<major>/bin (Debian keeps every major version there), then PATH."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += [v / name for v in versions]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(
        f"{name} was not found: install PostgreSQL's client programs (Debian: "
        f"postgresql-client) or set PG_BIN_DIR to the folder that holds {name}."
    )


def _pg_env(params: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if params.get(key):
            env[var] = str(params[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")


# --- Reading an installation ------------------------------------------------------------------


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[alias])
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_counts(cursor: Any, tables: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def current_counts(alias: str = "default") -> dict[str, int]:
    """Rows per table of the database as it is now."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return table_counts(cursor, connection.introspection.table_names(cursor))


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under `folder` of a storage, through the storage API only (so the same
    walk reads a local folder and an S3 bucket)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_files(storage, f"{folder}/{sub}" if folder else sub)


def file_digest(stream: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it (a file streamed into the tar)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("compromiso")
    except PackageNotFoundError:
        return ""


# --- Backup -----------------------------------------------------------------------------------


def create_backup(path: Path, *, alias: str = "default", media: bool = True) -> BackupResult:
    """Write the archive to `path` (through a temporary name: a half-written archive never
    carries the final name)."""
    started = time.monotonic()
    path = Path(path)
    connection = connections[alias]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "compromiso": _version(),
        "django": django.get_version(),
        "python": platform.python_version(),
        "database": {"vendor": connection.vendor},
        "migrations": applied_migrations(alias),
        "files": {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="compromiso-backup-") as work:
        work_dir = Path(work)
        if connection.vendor == "postgresql":
            db_file = work_dir / PG_DUMP
            server, counts = _dump_postgresql(alias, db_file)
        elif connection.vendor == "sqlite":
            db_file = work_dir / SQLITE_COPY
            server, counts = _copy_sqlite(alias, db_file)
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        manifest["database"].update(server_version=server, file=db_file.name)
        manifest["row_counts"] = counts
        with tarfile.open(partial, "w") as archive:
            with db_file.open("rb") as stream:
                size, digest = file_digest(stream)
            archive.add(db_file, arcname=db_file.name)
            manifest["files"][db_file.name] = {"size": size, "sha256": digest}
            if media:
                _add_media(archive, manifest["files"])
            manifest["duration_seconds"] = round(time.monotonic() - started, 3)
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(time.time())
            archive.addfile(info, io.BytesIO(data))
    partial.replace(path)
    return BackupResult(path, manifest, time.monotonic() - started, path.stat().st_size)


def _dump_postgresql(alias: str, target: Path) -> tuple[str, dict[str, int]]:
    """pg_dump in the custom format, reading the snapshot exported by a transaction that counts
    the rows of every table in the same snapshot."""
    connection = connections[alias]
    params = connection.get_connection_params()
    raw = connection.get_new_connection(params)
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server = cursor.fetchone()
            command = [
                pg_binary("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={params.get('dbname') or connection.settings_dict['NAME']}",
            ]
            dump = subprocess.Popen(
                command,
                env=_pg_env(connection.settings_dict),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                cursor.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                )
                counts = table_counts(cursor, [row[0] for row in cursor.fetchall()])
            finally:
                _out, err = dump.communicate()
            cursor.execute("COMMIT")
        if dump.returncode != 0:
            raise BackupError(f"pg_dump failed ({dump.returncode}): {err.strip()}")
    finally:
        raw.close()
    return str(server), counts


def _copy_sqlite(alias: str, target: Path) -> tuple[str, dict[str, int]]:
    """SQLite's online backup API: a consistent copy while others keep writing."""
    connection = connections[alias]
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        counts = table_counts(cursor, [row[0] for row in cursor.fetchall()])
    finally:
        copy.close()
    return sqlite3.sqlite_version, counts


def _add_media(archive: tarfile.TarFile, files: dict[str, Any]) -> None:
    for name in storage_files(default_storage):
        size = default_storage.size(name)
        info = tarfile.TarInfo(MEDIA_PREFIX + name)
        info.size = size
        info.mtime = int(time.time())
        with default_storage.open(name, "rb") as stream:
            reader = _Hashing(stream)
            archive.addfile(info, reader)
        files[MEDIA_PREFIX + name] = {"size": size, "sha256": reader.digest.hexdigest()}


# --- Reading an archive -----------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of an archive, or of a manifest.json given directly."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} does not exist or is not a file.")
    if path.suffix == ".json":
        return dict(json.loads(path.read_text(encoding="utf-8")))
    try:
        with tarfile.open(path, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except (tarfile.TarError, KeyError, json.JSONDecodeError) as error:
        raise BackupError(f"{path} is not a Compromiso backup (no readable manifest).") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} has backup format {manifest.get('format')}, not {FORMAT}.")
    return dict(manifest)


def verify_archive(path: Path) -> dict[str, Any]:
    """Check every member's size and SHA-256 against the manifest; returns the manifest."""
    manifest = read_manifest(path)
    expected = manifest["files"]
    seen: set[str] = set()
    with tarfile.open(path, "r") as archive:
        for member in archive:
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile():
                raise BackupError(f"The archive holds {member.name}, which its manifest omits.")
            stream = archive.extractfile(member)
            assert stream is not None
            size, digest = file_digest(stream)
            want = expected[member.name]
            if size != want["size"] or digest != want["sha256"]:
                raise BackupError(
                    f"{member.name} in the archive does not match its manifest (damaged copy)."
                )
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The archive lacks {len(missing)} file(s), first {missing[0]}.")
    return manifest


# --- Restore ----------------------------------------------------------------------------------


def target_problems(alias: str = "default") -> list[str]:
    """Why the target is not empty: tables in its database, files in its storage."""
    problems = []
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if tables:
        problems.append(f"the database already has {len(tables)} table(s)")
    first = next(storage_files(default_storage), None)
    if first is not None:
        problems.append(f"the file storage already holds files (for example {first})")
    return problems


def restore_backup(path: Path, *, alias: str = "default", force: bool = False) -> RestoreResult:
    """Restore an archive into this installation's database and storage, which must be empty
    unless `force` (then the database is emptied first and same-named files replaced)."""
    started = time.monotonic()
    manifest = verify_archive(path)
    connection = connections[alias]
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"The backup is of a {vendor} database; this installation uses {connection.vendor}."
        )
    problems = target_problems(alias)
    if problems and not force:
        raise BackupError(
            "The target is not empty: "
            + "; ".join(problems)
            + ". Restore into a fresh database and an empty storage, or pass --force to "
            "replace what is there."
        )
    with (
        tempfile.TemporaryDirectory(prefix="compromiso-restore-") as work,
        tarfile.open(path, "r") as archive,
    ):
        db_name = manifest["database"]["file"]
        archive.extract(db_name, work, filter="data")
        db_file = Path(work) / db_name
        if vendor == "postgresql":
            _restore_postgresql(alias, db_file, force=force)
        else:
            _restore_sqlite(alias, db_file)
        files = 0
        for member in archive:
            if not member.name.startswith(MEDIA_PREFIX):
                continue
            name = member.name.removeprefix(MEDIA_PREFIX)
            stream = archive.extractfile(member)
            assert stream is not None
            if default_storage.exists(name):
                default_storage.delete(name)
            saved = default_storage.save(name, File(stream, name=name))
            if saved != name:
                raise BackupError(f"The storage stored {name} as {saved}.")
            files += 1
    return RestoreResult(manifest, time.monotonic() - started, files)


def _restore_postgresql(alias: str, dump: Path, *, force: bool) -> None:
    connection = connections[alias]
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    name = connection.get_connection_params().get("dbname") or connection.settings_dict["NAME"]
    _run(
        [
            pg_binary("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={name}",
            str(dump),
        ],
        _pg_env(connection.settings_dict),
    )


def _restore_sqlite(alias: str, copy: Path) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    source = sqlite3.connect(copy)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def compare_counts(expected: dict[str, int], alias: str = "default") -> list[str]:
    """Differences between a manifest's row counts and the database's."""
    actual = current_counts(alias)
    problems = []
    for table, count in sorted(expected.items()):
        if table not in actual:
            problems.append(f"table {table} is missing (the backup had {count} rows)")
        elif actual[table] != count:
            problems.append(f"table {table} has {actual[table]} rows, the backup had {count}")
    return problems


def default_archive_name(now: dt.datetime | None = None) -> Path:
    moment = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(os.environ.get("BACKUP_DIR", str(Path(settings.BASE_DIR) / "var" / "backups")))
    return folder / f"compromiso-{moment}.tar"
