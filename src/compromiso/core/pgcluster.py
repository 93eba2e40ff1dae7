"""Throwaway PostgreSQL clusters for tests and measurements: a primary made with `initdb` in a
temporary folder, started on a free port, and streaming replicas of it made with
`pg_basebackup -R`.

    with pgcluster.throwaway() as primary:
        replica = primary.replica()
        primary.execute("CREATE TABLE t (n int)")
        replica.wait_for(primary)           # replayed everything the primary wrote so far
        replica.stop(); replica.start()

Nothing here imports Django. The binaries come from PG_BIN_DIR (default the Debian path of
PostgreSQL 15); `available()` says whether they are there, for tests to skip cleanly without
them. PostgreSQL refuses to run as root: when this process is root the clusters run as the
`postgres` system user, in folders owned by it. Every cluster listens on 127.0.0.1 only, with
trust authentication for the user `postgres`.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BIN_DIR = Path(os.environ.get("PG_BIN_DIR", "/usr/lib/postgresql/15/bin"))
START_SECONDS = 30
SUPERUSER = "postgres"

_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{folder}'
wal_level = replica
max_wal_senders = 10
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 60
logging_collector = off
"""


def available() -> bool:
    """True when the PostgreSQL server binaries are installed (and, as root, the postgres user)."""
    needed = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
    if not all((BIN_DIR / name).is_file() for name in needed):
        return False
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_owner() -> dict[str, Any]:
    """Popen arguments that run a server binary as the postgres user when we are root."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def _run(*command: str | Path, timeout: float = 120) -> None:
    result = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **_as_owner(),
    )
    if result.returncode != 0:
        raise RuntimeError(f"{Path(str(command[0])).name} failed: {result.stderr or result.stdout}")


class Cluster:
    """One PostgreSQL server: its data folder, port and log."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self.log = folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and self._accepts()

    def _accepts(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
            return True
        return False

    def start(self) -> None:
        _run(BIN_DIR / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start")
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                self.query("SELECT 1")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: `fast` (clean), or `immediate` (as a crash would leave it)."""
        if (self.data / "postmaster.pid").exists():
            _run(BIN_DIR / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    def connect(self, database: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=5)

    def execute(self, sql: str, params: Any = None, database: str = "postgres") -> None:
        with self.connect(database) as connection:
            connection.execute(sql, params)

    def query(self, sql: str, params: Any = None, database: str = "postgres") -> Any:
        """The first cell of the first row (None without rows)."""
        with self.connect(database) as connection:
            row = connection.execute(sql, params).fetchone()
            return row[0] if row else None

    def replica(self) -> "Cluster":
        """A streaming replica of this (running) cluster, started, in a folder of its own."""
        folder = Path(tempfile.mkdtemp(prefix="compromiso-pg-replica-"))
        _own(folder)
        replica = Cluster(folder, free_port())
        _run(
            BIN_DIR / "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-D",
            replica.data,
            "-R",  # standby.signal and primary_conninfo: it streams from this cluster
            "-X",
            "stream",
            "--no-sync",
            "-c",
            "fast",
        )
        with (replica.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(f"\nport = {replica.port}\nunix_socket_directories = '{folder}'\n")
        replica.start()
        return replica

    def wait_for(self, primary: "Cluster", timeout: float = 30) -> None:
        """Wait until this replica replayed everything the primary had written when called."""
        target = primary.query("SELECT pg_current_wal_insert_lsn()::text")
        deadline = time.monotonic() + timeout
        while True:
            done = self.query(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target], database="postgres"
            )
            if done:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the replica did not reach {target} in {timeout} s")
            time.sleep(0.05)

    def remove(self) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def primary() -> Cluster:
    """A new cluster ready to be streamed from, started."""
    folder = Path(tempfile.mkdtemp(prefix="compromiso-pg-"))
    _own(folder)
    cluster = Cluster(folder, free_port())
    _run(
        BIN_DIR / "initdb",
        "-D",
        cluster.data,
        "-U",
        SUPERUSER,
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    )
    with (cluster.data / "postgresql.conf").open("a") as conf:
        conf.write(_SETTINGS.format(port=cluster.port, folder=folder))
    with (cluster.data / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    cluster.start()
    return cluster


@contextlib.contextmanager
def throwaway() -> Iterator[Cluster]:
    """A primary for the duration of the block; it and every replica made of it are removed."""
    cluster = primary()
    made: list[Cluster] = [cluster]
    make_replica = cluster.replica

    def tracked_replica() -> Cluster:
        replica = make_replica()
        made.append(replica)
        return replica

    cluster.replica = tracked_replica  # type: ignore[method-assign]
    try:
        yield cluster
    finally:
        for each in reversed(made):
            each.remove()
