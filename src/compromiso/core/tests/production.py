"""Starting the production server from a test: a free port, the environment of a production
deployment on the test's own folders, and the process in a group of its own (so that nothing is
left behind when the test fails)."""

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

import compromiso
from compromiso.core.pgcluster import free_port

__all__ = ["free_port", "server_env", "start"]


def server_env(tmp_path: Path, database_url: str, **settings: str) -> dict[str, str]:
    """This process's environment less pytest's and Django's own, with production settings
    (DEBUG off, e-mail to files, static and media files under `tmp_path`) and `settings`."""
    source = str(Path(compromiso.__file__).resolve().parents[1])
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("METRICS_", "PYTEST", "DJANGO_"))
    }
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")])),
        DEBUG="false",
        SECRET_KEY="production-server-test-" + "k" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        EMAIL_BACKEND="file",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        TASKS_BACKEND="database",
    )
    env.update(settings)
    return env


def start(command: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """`command` (arguments after `python -m`) in a process group of its own."""
    return subprocess.Popen(
        [sys.executable, "-m", *command],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
