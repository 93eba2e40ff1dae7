"""Error pages (400, 403, 404, 405, 500 and the CSRF failure) as pages of the site, in the
visitor's language, with a way back. Wired as handler400…500 in the root URLconf and
CSRF_FAILURE_VIEW; the 405 that `require_POST` answers with an empty body is given its page by
`SiteErrorPagesMiddleware`, like Django's technical 404 when DEBUG is on (the demo); the API
keeps its JSON errors.

The 500 page renders without the request's context processors, so it needs no database."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

TEMPLATE = "core/error.html"


def _back(request: HttpRequest) -> str:
    """The page the visitor came from, when it is one of ours."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        safe = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except Exception:  # a refused Host header: no way back but the home page
        safe = False
    return referer if referer and safe else ""


def _home(request: HttpRequest | None) -> str:
    user = getattr(request, "user", None)
    name = "organizations:overview" if getattr(user, "is_authenticated", False) else "portal:home"
    try:
        return reverse(name)
    except NoReverseMatch:
        return "/"


def _page(
    request: HttpRequest, status: int, title: str, message: str, **extra: Any
) -> HttpResponse:
    context = {
        "status": status,
        "title": title,
        "message": message,
        "back_url": _back(request),
        "home_url": _home(request),
        **extra,
    }
    return render(request, TEMPLATE, context, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return _page(
            request,
            413,
            _("What you sent is too large"),
            _(
                "This service accepts at most %(size)s MB of text in one form. Nothing was "
                "sent. Go back with your browser's Back button to find the form as you left it, "
                "shorten the text, and attach long documents as files."
            )
            % {"size": f"{limit / 1024 / 1024:.0f}"},
        )
    return _page(
        request,
        400,
        _("The request could not be understood"),
        _("Check the address, or go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You may not see this page"),
        _(
            "Your account does not give you access to this page. If you think it should, ask "
            "your organisation's administrator."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _(
            "The page you asked for does not exist, or is not available to you. Check the "
            "address, or start again from the home page."
        ),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("The form could not be sent"),
        _(
            "The form had expired, or your browser did not send this site's cookie. Go back, "
            "reload the page and send the form again; if this happens again, allow cookies for "
            "this site."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered with no request context (no database, no session): only the language."""
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            TEMPLATE,
            {
                "status": 500,
                "title": _("Something went wrong on our side"),
                "message": _(
                    "The error has been recorded. Please try again in a few minutes; if you "
                    "were sending a form, check afterwards whether it arrived."
                ),
                "home_url": _home(None),
                "back_url": "",
            },
        )
    return HttpResponse(html, status=500)


def method_not_allowed(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        405,
        _("This address does not open as a page"),
        _(
            "It receives a form sent from another page (for example a button). Go back to that "
            "page, or start again from the home page."
        ),
    )


class SiteErrorPagesMiddleware:
    """Error answers that Django gives outside the handlers become pages of the site: a bare
    405 (a GET on an address that only takes a form), keeping its status and Allow header, and,
    with DEBUG on (the demo), Django's technical 404 page, which lists the site's URL patterns
    (DEBUG_TECHNICAL_404=true keeps it for development). The API's JSON answers are left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            return response
        if response.status_code == 405 and not response.content:
            page = method_not_allowed(request)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        if (
            response.status_code == 404
            and settings.DEBUG
            and not getattr(settings, "DEBUG_TECHNICAL_404", False)
            and TECHNICAL_404_MARK in response.content
        ):
            return page_not_found(request)
        return response


# Django's technical 404 page (DEBUG on) says why it is shown; no page of ours says it.
TECHNICAL_404_MARK = b"<code>DEBUG = True</code>"
