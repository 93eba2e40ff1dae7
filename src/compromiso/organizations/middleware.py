"""Staff see the interface in their own language, and dates in their organisation's time zone.

The order: the language a person chose with the switcher (its cookie), then their preferred
language, then their organisation's default language. The browser's Accept-Language (Django's
LocaleMiddleware) decides only for visitors and API callers.

Also here: the idle timeout of staff sessions, and the enrolment of a second factor where an
organisation requires one.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from compromiso.core.middleware import TOUCH_SECONDS
from compromiso.organizations import two_factor
from compromiso.organizations.current import current_organization


class StaffLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith("/api/")
        ):
            language = getattr(user, "preferred_language", "")
            if not language:
                organization = current_organization(request)
                language = organization.language if organization else ""
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class OrganizationTimeZoneMiddleware:
    """Staff pages show and compute dates in the time zone of the organisation being worked in.

    Public pages activate the zone of the organisation they belong to in the view (a tracking
    code or survey link names it); the zone is reset after every request, so none leaks into the
    next one served by the same thread.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            organization = current_organization(request)
            if organization is not None:
                timezone.activate(organization.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# A browser that had a staff session carries this mark (no secret in it): when it comes back
# with the session gone, the log-in page can say the session ended for want of activity.
STAFF_MARK_COOKIE = "compromiso_staff"
STAFF_MARK_SECONDS = 12 * 3600


class StaffIdleTimeoutMiddleware:
    """Ends a signed-in session idle for more than SESSION_IDLE_TIMEOUT_MINUTES and lets the
    log-in page say why (`request.staff_session_ended` holds the minutes).

    The last activity is the session's `seen_at` (core's PrivateSessionMiddleware moves it on at
    most once a minute, after this middleware has looked), so a session ends between the timeout
    and a minute after it; the session store itself also forgets it after that time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        minutes = int(settings.SESSION_IDLE_TIMEOUT_MINUTES)
        user = getattr(request, "user", None)
        was_signed_in = user is not None and user.is_authenticated
        ended = False
        if was_signed_in:
            seen = int(request.session.get("seen_at", 0) or 0)
            if seen and time.time() - seen >= minutes * 60 + TOUCH_SECONDS:
                logout(request)
                ended = True
        elif request.COOKIES.get(STAFF_MARK_COOKIE):
            ended = True  # the session store already forgot the session
        request.staff_session_ended = minutes if ended else None  # type: ignore[attr-defined]
        response = self.get_response(request)
        after = getattr(request, "user", None)
        if after is not None and after.is_authenticated:
            if not request.COOKIES.get(STAFF_MARK_COOKIE):
                response.set_cookie(
                    STAFF_MARK_COOKIE,
                    "1",
                    max_age=STAFF_MARK_SECONDS,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
        elif (was_signed_in and not ended) or (
            ended and request.path == reverse("login") and request.method == "GET"
        ):
            # Logged out on purpose, or the log-in page has now said why.
            response.delete_cookie(STAFF_MARK_COOKIE, samesite="Lax")
        return response


class TwoFactorEnrolmentMiddleware:
    """Someone whose organisation requires a second factor and who has none yet can open only
    the page that sets it up (and log out, or change the language) until it is done."""

    OPEN_PREFIXES = ("/static/", "/media/", "/health/", "/metrics", "/api/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(two_factor.VERIFIED_SESSION_KEY)
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            enrol_url = reverse("organizations:two_factor")
            if request.path not in (enrol_url, reverse("logout")) and two_factor.must_enrol(user):
                return redirect(enrol_url)
        return self.get_response(request)
