"""Helpers shared by the PostgreSQL benchmarks: throwaway databases, virtualenvs, servers."""

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PG_URL = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def psql(sql: str, database: str = "postgres") -> str:
    """Run SQL with psycopg (from the project's environment) and return the first cell."""
    import psycopg

    with psycopg.connect(f"{PG_URL}/{database}", autocommit=True) as connection:
        cursor = connection.execute(sql)
        row = cursor.fetchone() if cursor.description else None
        return str(row[0]) if row else ""


def require_postgresql() -> None:
    try:
        psql("SELECT 1")
    except Exception as error:
        sys.exit(
            f"PostgreSQL is not reachable at {PG_URL} ({error}). Start it, e.g. "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )


@contextlib.contextmanager
def database(name: str) -> Iterator[str]:
    """A fresh database, dropped afterwards; yields its URL."""
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_URL}/{name}"
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def venv(path: Path, packages: list[str]) -> Path:
    """A virtualenv of its own (so nothing is added to the project's), created once."""
    python = path / "bin" / "python"
    digest = hashlib.sha1("\n".join(packages).encode()).hexdigest()[:12]
    stamp = path / f".installed-{digest}"
    if not stamp.exists():
        if path.exists():
            shutil.rmtree(path)
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
        stamp.touch()
    return path / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server(command: list[str], env: dict[str, str], port: int, cwd: Path) -> Iterator[None]:
    """Start a server and wait until it accepts connections; stop it afterwards."""
    log = (VAR / f"server-{port}.log").open("w")
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        # Granian accepts connections once its workers have loaded the application: on a busy
        # two-core machine four Django processes can take over a minute.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited; see {log.name}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"server did not start; see {log.name}")
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
