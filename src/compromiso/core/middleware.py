"""Signed-in sessions: an idle timeout, and pages that no shared or browser cache keeps; the
anonymous visitor of the public form's short middleware chain."""

import time
from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

TOUCH_SECONDS = 60  # a session's expiry moves on at most once a minute: one write, not one a page


class PrivateSessionMiddleware:
    """A session expires after SESSION_COOKIE_AGE seconds without a request (settings:
    SESSION_IDLE_MINUTES), enforced by the server's session store; every page served to a
    signed-in person carries `Cache-Control: private, no-store`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            now = int(time.time())
            if now - int(request.session.get("seen_at", 0)) >= TOUCH_SECONDS:
                request.session["seen_at"] = now  # saved: expiry and cookie move on
        response = self.get_response(request)
        after = getattr(request, "user", None)  # the log-in view replaces it
        if signed_in or (after is not None and after.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


class AnonymousVisitorMiddleware:
    """In the anonymous public form's short chain (core/handlers.py), in place of sessions and
    session authentication: the request comes without a session cookie, so it is
    AnonymousUser's, as AuthenticationMiddleware would have found; templates and error pages read
    `user` as on every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        return self.get_response(request)
