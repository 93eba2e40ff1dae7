"""`compromiso serve --production [ADDRESS]`: the application under gunicorn, with the task
worker and the scheduler beside it, from the same environment variables as `compromiso serve`.

1. `collectstatic` puts the static files in STATIC_ROOT, where WhiteNoise serves them from;
2. the task worker (`compromiso worker`, django-tasks-db's `db_worker`) starts as a child;
3. the scheduler (`compromiso scheduler`, core/schedule.py) starts as a child: it enqueues the
   periodic jobs at their times, for the worker to run;
4. gunicorn starts as a child with `compromiso.config.gunicorn` (workers, timeout, logs).

Like `make demo`, they run together and stop together: SIGTERM or SIGINT (Ctrl-C) stops them
gracefully (gunicorn finishes the requests under way, the worker its current task), and if one
of them ends on its own the others are stopped and the command exits with the first one's code,
for the service manager to restart the whole. ADDRESS is HOST:PORT or PORT (default BIND, else
127.0.0.1:8000). The database must be migrated first (`compromiso migrate`).
"""

import os
import signal
import subprocess
import sys
import time
from types import FrameType

STOP_SECONDS = 30


def _address(args: list[str]) -> str:
    given = [arg for arg in args if not arg.startswith("-")]
    address = given[0] if given else os.environ.get("BIND", "127.0.0.1:8000")
    return f"127.0.0.1:{address}" if address.isdigit() else address


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "compromiso.cli", *args]


def serve(args: list[str]) -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "compromiso.config.settings")
    if env.get("DEBUG", "").strip().lower() not in {"0", "false", "no", "off"}:
        print(
            "Warning: DEBUG is on; set DEBUG=false (with SECRET_KEY, ALLOWED_HOSTS and "
            "DATABASE_URL) for production.",
            file=sys.stderr,
            flush=True,
        )
    subprocess.run(_command("collectstatic", "--noinput", "--verbosity", "0"), env=env, check=True)

    stopping: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    children = [
        subprocess.Popen(_command("worker"), env=env),
        subprocess.Popen(_command("scheduler"), env=env),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "python:compromiso.config.gunicorn",
                "--bind",
                _address(args),
            ],
            env=env,
        ),
    ]
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        ended = next((child for child in children if child.poll() is not None), None)
        _stop_all(children)
    if stopping or ended is None:
        return 0
    return ended.returncode or 1


def _stop_all(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
