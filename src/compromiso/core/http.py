"""Typed requests for views behind login_required."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from compromiso.organizations.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: "User"  # the signed-in staff member
    htmx: HtmxDetails


def report(
    request: HttpRequest,
    call: Callable[[], Any],
    done: str | Callable[[Any], str] | None = None,
) -> Any:
    """Run a service call from a view: a refusal (DomainError, ValidationError) becomes error
    messages on the page, success the `done` message (or `done(result)`); returns the call's
    result or None.
    PermissionDenied passes through (403)."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from compromiso.core.errors import DomainError

    try:
        result = call()
    except DomainError as error:
        messages.error(request, error.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, done(result) if callable(done) else done if done is not None else _("Done.")
        )
        return result
    return None


def report_form_errors(request: HttpRequest, form: Any) -> None:
    """A form posted from another page (which it redirects back to): its errors as messages."""
    from django.contrib import messages

    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, str(problem))
