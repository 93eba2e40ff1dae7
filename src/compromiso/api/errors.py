"""Every API error is JSON: {"code": stable machine code, "message": text in the caller's
language, "fields": {field: [messages]} when input was invalid}."""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from compromiso.core.errors import DomainError

logger = logging.getLogger("django.request")


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NinjaValidationError)
    def schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            location = [
                str(part) for part in error.get("loc", ()) if part not in ("body", "payload")
            ]
            key = ".".join(location) or "__all__"
            fields.setdefault(key, []).append(str(error.get("msg", _("Invalid value."))))
        return respond(
            request, 422, error_body("invalid_input", _("The request data is not valid."), fields)
        )

    @api.exception_handler(ValidationError)
    def model_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in exc.messages]}
        return respond(
            request, 422, error_body("invalid_input", _("The request data is not valid."), fields)
        )

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return respond(request, 409, error_body(exc.code, exc.message))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(
            request, 403, error_body("forbidden", _("You do not have permission to do this."))
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body("not_found", _("Not found.")))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(
            request,
            401,
            error_body(
                "unauthenticated", _("A valid API token is required (Authorization: Bearer …).")
            ),
        )

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, error_body("too_large", _("The request body is too large.")))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {400: "bad_request", 413: "too_large", 415: "unsupported_media_type"}.get(
            exc.status_code, "error"
        )
        return respond(request, exc.status_code, error_body(code, str(exc)))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error(
            "API error: %s %s",
            request.method,
            request.path,
            exc_info=exc,
            extra={"request": request},
        )
        return respond(
            request,
            500,
            error_body("server_error", _("Something went wrong on our side; please try again.")),
        )


def json_method_not_allowed[V: Callable[..., HttpResponse]](view: V) -> V:
    """Wrap an endpoint's view so a method it does not take is answered in JSON (405)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse(
                error_body("method_not_allowed", _("This method is not allowed here.")),
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapped  # type: ignore[return-value]
