"""Staff see the interface in their own language, and dates in their organisation's time zone.

The order: the language a person chose with the switcher (its cookie), then their preferred
language, then their organisation's default language. The browser's Accept-Language (Django's
LocaleMiddleware) decides only for visitors and API callers.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

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
