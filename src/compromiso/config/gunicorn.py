"""Gunicorn's configuration for `compromiso serve --production` (`gunicorn -c
python:compromiso.config.gunicorn compromiso.config.wsgi:application` runs it by hand).

Everything comes from the environment, like the settings:

- WEB_CONCURRENCY: worker processes (default 2 × CPU cores + 1);
- GUNICORN_THREADS: threads per worker (default 32): queue displays and boards hold a
  server-sent event stream open for minutes, each in a thread of its own, waiting on one
  shared watcher per process, so a worker must not be a single thread;
- DATABASE_POOL_SIZE: PostgreSQL connections per worker, shared by its threads (default 8, or
  the threads if fewer): a thread takes one while it handles a request and gives it back, and a
  display's stream gives its one back before it starts waiting. workers × DATABASE_POOL_SIZE, plus
  the task worker, the scheduler and the administrators' sessions, must stay under PostgreSQL's
  max_connections (100 by default); the server says so at start when it does not;
- GUNICORN_TIMEOUT: seconds a request may take before its worker is replaced (default 30);
- GUNICORN_MAX_REQUESTS: recycle a worker after this many requests (default 0, never);
- GUNICORN_KEEPALIVE: seconds an idle connection is kept open for the client's next request
  (default 5, for browsers connecting directly, which resend a request the server closed its
  connection under). Behind a proxy or load balancer that keeps connections to gunicorn open, set
  it above that proxy's idle timeout, so that gunicorn never closes a connection the proxy is
  about to reuse;
- BIND: the address when none is given on the command line (default 127.0.0.1:8000);
- METRICS_DIR: where the workers add up their request counters for /metrics (default a
  temporary folder made at start and removed at exit).

The access log (one line per request, without the query string) and the error log go to the
standard output and error, for the service manager or the container runtime to collect.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

wsgi_app = "compromiso.config.wsgi:application"
bind = [os.environ.get("BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 32)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
# Read by the settings when each worker loads the application.
os.environ.setdefault("DATABASE_POOL_SIZE", str(min(threads, 8)))
graceful_timeout = 20
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or 5)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 0)
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address, request line without the query string (it may carry a search or a code),
# status, bytes, milliseconds.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
proc_name = "compromiso"
control_socket_disable = True  # gunicorn's control socket sits at one path per user: off
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"  # the workers' heartbeat files, off a possibly slow disk

_made_metrics_dir: list[str] = []


def on_starting(server: Any) -> None:
    """Give the workers an empty folder to add up their /metrics counters in."""
    folder = os.environ.get("METRICS_DIR", "")
    if not folder:
        folder = tempfile.mkdtemp(prefix="compromiso-metrics-")
        _made_metrics_dir.append(folder)
        os.environ["METRICS_DIR"] = folder
    Path(folder).mkdir(parents=True, exist_ok=True)
    for stale in Path(folder).glob("*.json"):
        stale.unlink(missing_ok=True)
    _check_connections(server)


def _check_connections(server: Any) -> None:
    """Warn when the workers' pools could ask PostgreSQL for more connections than it allows
    (read with psycopg alone: Django is loaded by each worker, never before the fork)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as link:
            row = link.execute("SHOW max_connections").fetchone()
    except psycopg.Error:  # the database may come up later; the workers will say so
        return
    allowed = int(row[0]) if row else 0
    wanted = workers * int(os.environ["DATABASE_POOL_SIZE"]) + 5
    if wanted > allowed:
        server.log.warning(
            "%s workers × DATABASE_POOL_SIZE=%s connections (+5 for the task worker and the "
            "scheduler) exceed PostgreSQL's max_connections=%s: lower one of them or raise it.",
            workers,
            os.environ["DATABASE_POOL_SIZE"],
            allowed,
        )


def post_worker_init(worker: Any) -> None:
    """On SIGTERM (a graceful stop) the worker's display and board streams end at once, and the
    screens reconnect to a process still serving, before gunicorn stops the worker."""
    import signal

    from compromiso.attention.streams import STOPPING

    stop = signal.getsignal(signal.SIGTERM)

    def stopping(signum: int, frame: Any) -> None:
        STOPPING.set()
        if callable(stop):
            stop(signum, frame)

    signal.signal(signal.SIGTERM, stopping)


def worker_exit(server: Any, worker: Any) -> None:
    """A worker leaving (restart, scale-down, shutdown) writes its last counters."""
    from compromiso.core.metrics import flush

    flush()


def on_exit(server: Any) -> None:
    for folder in _made_metrics_dir:
        shutil.rmtree(folder, ignore_errors=True)
