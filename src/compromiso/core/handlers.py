"""The WSGI application: Django's handler, with shorter middleware chains for token API calls and
for the anonymous public case form.

A request to the JSON API that carries a bearer token is stateless: the token is its only
credential (the API authenticates nothing else, and no API view reads a session, a cookie, a
flash message or a CSRF token). It goes through the middleware that still means something for it
— metrics, security headers, the caller's language, the common checks, `Cache-Control: private`
for an authenticated answer, the content security policy and frame options — and skips the rest:
static files, sessions, CSRF, session authentication, the staff language and time zone (both
already skip /api/), messages, htmx, axes (log-in throttling) and the site's error pages (which
leave /api/ alone).

The public case form (`/o/<slug>/cases/new/`, GET and POST) asked by a browser that sends no
session cookie and no flash-message cookie is an anonymous citizen's: session authentication
would find nobody, and the form view reads no session, no message and no `request.htmx`. It
skips static files, sessions, session authentication (replaced by a middleware that sets an
AnonymousUser, which is what it would have found), the staff idle timeout, language and
two-factor enrolment, `PrivateSessionMiddleware` (which acts only for a signed-in person),
messages, htmx and axes (settings.PUBLIC_FORM_SKIPPED_MIDDLEWARE). It keeps metrics, security
headers, the visitor's language, the common checks, CSRF (the token is checked against the CSRF
cookie, not the session), the time zone reset after the request (the view activates the
organisation's zone), frame options, CSP, the site's error pages and read-your-writes; the rate
limit is in the view. A browser with a session cookie (a signed-in staff member, a citizen
following a case) takes the full chain.

Every other request, API calls without a token included (a 401, the docs), takes the full chain
of settings.MIDDLEWARE.
"""

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.handlers.wsgi import WSGIHandler

TOKEN_API_PREFIX = "/api/v1/"
# Named in settings (TOKEN_API_SKIPPED_MIDDLEWARE), beside the MIDDLEWARE it is taken from.
SKIPPED_FOR_TOKEN_API = frozenset(settings.TOKEN_API_SKIPPED_MIDDLEWARE)

# portal/urls.py's `case_new`: `o/<slug:slug>/cases/new/`, no language prefix (the site has no
# i18n_patterns). Anything else (no trailing slash, a query string is not in PATH_INFO) is not
# matched and takes the full chain.
PUBLIC_FORM_PATH = re.compile(r"/o/[-a-zA-Z0-9_]+/cases/new/\Z")
SKIPPED_FOR_PUBLIC_FORM = frozenset(settings.PUBLIC_FORM_SKIPPED_MIDDLEWARE)
AUTHENTICATION = "django.contrib.auth.middleware.AuthenticationMiddleware"
ANONYMOUS_VISITOR = "compromiso.core.middleware.AnonymousVisitorMiddleware"
# A browser carrying one of these has state that only the full chain reads: a session (a
# signed-in person, a tracked case, anything kept between pages) or flash messages waiting to be
# shown. Matched anywhere in the Cookie header, so that no spelling of it is missed (a cookie
# that merely contains the name also takes the full chain, which is always safe).
STATEFUL_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name)


def is_token_api(environ: dict[str, Any]) -> bool:
    return str(environ.get("PATH_INFO", "")).startswith(TOKEN_API_PREFIX) and str(
        environ.get("HTTP_AUTHORIZATION", "")
    ).startswith("Bearer ")


def is_anonymous_public_form(environ: dict[str, Any]) -> bool:
    if PUBLIC_FORM_PATH.match(str(environ.get("PATH_INFO", ""))) is None:
        return False
    cookies = str(environ.get("HTTP_COOKIE", ""))
    return not any(name in cookies for name in STATEFUL_COOKIES)


def token_api_middleware() -> list[str]:
    return [path for path in settings.MIDDLEWARE if path not in SKIPPED_FOR_TOKEN_API]


def public_form_middleware() -> list[str]:
    return [
        ANONYMOUS_VISITOR if path == AUTHENTICATION else path
        for path in settings.MIDDLEWARE
        if path not in SKIPPED_FOR_PUBLIC_FORM
    ]


class ShortChain:
    """A handler (Django's WSGIHandler, or the test client's) built with the middleware that
    `middleware()` lists instead of settings.MIDDLEWARE."""

    def middleware(self) -> list[str]:
        raise NotImplementedError

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = self.middleware()
        try:
            super().load_middleware(is_async)  # type: ignore[misc]
        finally:
            settings.MIDDLEWARE = full


class TokenApiHandler(ShortChain, WSGIHandler):
    """Django's handler built with settings.MIDDLEWARE less SKIPPED_FOR_TOKEN_API."""

    def middleware(self) -> list[str]:
        return token_api_middleware()


class PublicFormHandler(ShortChain, WSGIHandler):
    """Django's handler built with settings.MIDDLEWARE less SKIPPED_FOR_PUBLIC_FORM, an
    AnonymousUser in place of session authentication."""

    def middleware(self) -> list[str]:
        return public_form_middleware()


class CompromisoHandler(WSGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.token_api = TokenApiHandler()
        self.public_form = PublicFormHandler()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if is_token_api(environ):
            return self.token_api(environ, start_response)
        if is_anonymous_public_form(environ):
            return self.public_form(environ, start_response)
        return super().__call__(environ, start_response)
