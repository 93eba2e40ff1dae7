"""The WSGI application: Django's handler, with a shorter middleware chain for token API calls.

A request to the JSON API that carries a bearer token is stateless: the token is its only
credential (the API authenticates nothing else, and no API view reads a session, a cookie, a
flash message or a CSRF token). It goes through the middleware that still means something for it
— metrics, security headers, the caller's language, the common checks, `Cache-Control: private`
for an authenticated answer, the content security policy and frame options — and skips the rest:
static files, sessions, CSRF, session authentication, the staff language and time zone (both
already skip /api/), messages, htmx, axes (log-in throttling) and the site's error pages (which
leave /api/ alone). Every other request, API calls without a token included (a 401, the docs),
takes the full chain of settings.MIDDLEWARE.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

TOKEN_API_PREFIX = "/api/v1/"
# Named in settings (TOKEN_API_SKIPPED_MIDDLEWARE), beside the MIDDLEWARE it is taken from.
SKIPPED_FOR_TOKEN_API = frozenset(settings.TOKEN_API_SKIPPED_MIDDLEWARE)


def is_token_api(environ: dict[str, Any]) -> bool:
    return str(environ.get("PATH_INFO", "")).startswith(TOKEN_API_PREFIX) and str(
        environ.get("HTTP_AUTHORIZATION", "")
    ).startswith("Bearer ")


class TokenApiHandler(WSGIHandler):
    """Django's handler built with settings.MIDDLEWARE less SKIPPED_FOR_TOKEN_API."""

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [path for path in full if path not in SKIPPED_FOR_TOKEN_API]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class CompromisoHandler(WSGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.token_api = TokenApiHandler()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if is_token_api(environ):
            return self.token_api(environ, start_response)
        return super().__call__(environ, start_response)
