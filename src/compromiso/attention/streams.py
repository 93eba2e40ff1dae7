"""Server-sent events for displays and boards: each open connection waits for its branch's
`version` counter (bumped by every queue service) to move, then receives the branch's state.

One process may hold hundreds of displays of the same branch. They do not each query the
database: a process-wide watcher reads a branch's version at most once per `FRESH` seconds and
computes its state once per version, in one worker thread of its own (so one database connection
serves every stream of the process), and every connection is handed the same result. Under an
ASGI server a connection is a coroutine awaiting that thread's results, holding no thread of its
own; under a WSGI server (the development server) each connection is a thread that waits on the
same shared results.

The stream sends the state at once, then on every change; a comment every `HEARTBEAT` seconds
keeps proxies from closing it; after `LIFETIME` it ends and the browser's EventSource connects
again (after `RETRY_MS`)."""

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.db import Error as DatabaseError
from django.db import connection, connections
from django.http import HttpRequest, StreamingHttpResponse

from compromiso.attention.live import branch_state, load_branch
from compromiso.attention.models import Branch

POLL = 0.25  # seconds between looks at the version
FRESH = 0.2  # a version read this recently is shared with every stream
HEARTBEAT = 15.0
LIFETIME = 600.0
RETRY_MS = 1000

State = tuple[int, dict[str, Any]]

# Set when the server process is asked to stop (the production server's SIGTERM, see
# config/gunicorn.py): every stream ends within POLL seconds, and the screen's EventSource
# reconnects after RETRY_MS to a process still serving, instead of holding the stop for the
# server's whole graceful timeout.
STOPPING = threading.Event()


def _guarded[T](work: Callable[[], T]) -> T:
    """Run database work in the watcher's thread; a broken connection is dropped and opened
    again on the next call."""
    try:
        return work()
    except DatabaseError:
        connection.close()
        raise


class Watcher:
    """Shared, coalesced reads of branch versions and states (thread-safe)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="attention-live")
        self._lock = threading.Lock()
        self._versions: dict[int, tuple[float, int]] = {}
        self._version_reads: dict[int, Future[int]] = {}
        self._states: dict[tuple[int, bool], State] = {}
        self._state_reads: dict[tuple[int, bool], Future[State]] = {}

    def _read_version(self, branch_id: int) -> int:
        try:
            value = _guarded(
                lambda: (
                    Branch.objects.filter(pk=branch_id).values_list("version", flat=True).first()
                )
            )
        except BaseException:
            with self._lock:
                self._version_reads.pop(branch_id, None)
            raise
        version = -1 if value is None else int(value)
        with self._lock:  # (a failed read leaves its future failed; the next call reads again)
            self._versions[branch_id] = (time.monotonic(), version)
            self._version_reads.pop(branch_id, None)
        return version

    def version(self, branch_id: int) -> Future[int]:
        """The branch's version (-1 when it is gone), read at most once per FRESH seconds."""
        with self._lock:
            known = self._versions.get(branch_id)
            if known is not None and time.monotonic() - known[0] < FRESH:
                done: Future[int] = Future()
                done.set_result(known[1])
                return done
            pending = self._version_reads.get(branch_id)
            if pending is None:
                pending = self._executor.submit(self._read_version, branch_id)
                self._version_reads[branch_id] = pending
            return pending

    def _compute(self, branch_id: int, staff: bool) -> State:
        def work() -> State:
            branch = load_branch(pk=branch_id)
            return branch.version, branch_state(branch, staff=staff)

        try:
            result = _guarded(work)
        except BaseException:
            with self._lock:
                self._state_reads.pop((branch_id, staff), None)
            raise
        with self._lock:
            self._states[(branch_id, staff)] = result
            self._versions[branch_id] = (time.monotonic(), result[0])
            self._state_reads.pop((branch_id, staff), None)
        return result

    def close(self) -> None:
        """Close the thread's database connection and stop the thread (tests)."""
        self._executor.submit(lambda: connection.close()).result()
        self._executor.shutdown()

    def run[T](self, work: Callable[[], T]) -> Future[T]:
        """Any other database read of a stream, in the watcher's thread (its connection)."""
        return self._executor.submit(_guarded, work)

    def state(self, branch_id: int, *, staff: bool, newer_than: int) -> Future[State]:
        """The branch's state at a version above `newer_than`, computed once per version."""
        key = (branch_id, staff)
        with self._lock:
            known = self._states.get(key)
            if known is not None and known[0] > newer_than:
                done: Future[State] = Future()
                done.set_result(known)
                return done
            pending = self._state_reads.get(key)
            if pending is None:
                pending = self._executor.submit(self._compute, branch_id, staff)
                self._state_reads[key] = pending
            return pending


WATCHER = Watcher()


def event(payload: dict[str, Any], *, version: int) -> str:
    data = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f"id: {version}\nevent: state\ndata: {data}\n\n"


def _first() -> str:
    return f"retry: {RETRY_MS}\n: connected\n\n"


async def stream(
    branch_id: int,
    *,
    staff: bool = False,
    lifetime: float = LIFETIME,
    watcher: Watcher = WATCHER,
) -> AsyncIterator[str]:
    """The event stream of one connection, as a coroutine (ASGI)."""
    yield _first()
    sent = -1
    started = last_beat = time.monotonic()
    while time.monotonic() - started < lifetime and not STOPPING.is_set():
        try:
            version = await asyncio.wrap_future(watcher.version(branch_id))
            if version < 0:
                return
            if version > sent:
                sent, payload = await asyncio.wrap_future(
                    watcher.state(branch_id, staff=staff, newer_than=sent)
                )
                yield event(payload, version=sent)
                last_beat = time.monotonic()
        except DatabaseError:  # a passing failure: look again on the next turn
            pass
        if time.monotonic() - last_beat >= HEARTBEAT:
            yield ": heartbeat\n\n"
            last_beat = time.monotonic()
        await asyncio.sleep(POLL)


def _release_connections() -> None:
    for database in connections.all(initialized_only=True):
        if not database.in_atomic_block:
            database.close()


def stream_sync(
    branch_id: int,
    *,
    staff: bool = False,
    lifetime: float = LIFETIME,
    watcher: Watcher = WATCHER,
) -> Iterator[str]:
    """The same stream for a WSGI server: a thread per connection, sharing the watcher. The
    thread gives back its database connection first (to the pool, under the production server):
    the watcher reads for every stream, and a display stays connected for minutes."""
    _release_connections()
    yield _first()
    sent = -1
    started = last_beat = time.monotonic()
    while time.monotonic() - started < lifetime and not STOPPING.is_set():
        try:
            version = watcher.version(branch_id).result()
            if version < 0:
                return
            if version > sent:
                sent, payload = watcher.state(branch_id, staff=staff, newer_than=sent).result()
                yield event(payload, version=sent)
                last_beat = time.monotonic()
        except DatabaseError:  # a passing failure: look again on the next turn
            pass
        if time.monotonic() - last_beat >= HEARTBEAT:
            yield ": heartbeat\n\n"
            last_beat = time.monotonic()
        time.sleep(POLL)


def response(request: HttpRequest, branch_id: int, *, staff: bool = False) -> StreamingHttpResponse:
    """An event-stream response: a coroutine stream under ASGI, a thread's under WSGI."""
    content: AsyncIterator[str] | Iterator[str]
    if isinstance(request, ASGIRequest):
        content = stream(branch_id, staff=staff)
    else:
        content = stream_sync(branch_id, staff=staff)
    answer = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    answer["Cache-Control"] = "no-cache, no-store"
    answer["X-Accel-Buffering"] = "no"  # nginx: pass events through at once
    return answer
