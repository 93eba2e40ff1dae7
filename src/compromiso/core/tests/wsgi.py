"""Driving the WSGI application itself in a test, as a server calls it (core/handlers.py picks
a middleware chain per request, which Django's test client would not show)."""

import contextlib
import io
from collections.abc import Callable, Iterator
from typing import Any

from django.core import signals
from django.db import close_old_connections


@contextlib.contextmanager
def keep_test_transaction() -> Iterator[None]:
    """Like Django's test client: the handler must not close the tests' connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call(
    application: Callable[..., Any],
    method: str,
    path: str,
    body: bytes = b"",
    *,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request: its status, headers (in order, repeated ones kept) and body. `headers` are
    named as sent (`Accept-Language`)."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": content_type,
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in (headers or {}).items()},
    }
    answer: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = response_headers

    content = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], content
