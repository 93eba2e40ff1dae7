"""The JSON API at /api/v1/, with its OpenAPI document and docs (also at /api/docs)."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from compromiso.api import cases, catalog, charters, improvement, organizations, surveys
from compromiso.api.auth import TokenAuth
from compromiso.api.errors import error_body, install_error_handlers

api = NinjaAPI(
    title="Compromiso API",
    version="1.0.0",
    description=(
        "Service charters, cases, surveys and the organisation structure. Authenticate with a "
        "personal access token: `Authorization: Bearer cmp_…`. Errors are JSON objects with a "
        "stable `code`, a `message` in the caller's language and, for invalid input, `fields`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/", organizations.router)
api.add_router("/", catalog.router)
api.add_router("/", cases.router)
api.add_router("/", charters.router)
api.add_router("/", surveys.router)
api.add_router("/", improvement.router)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown paths under /api/ answer in JSON like every other API error."""
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)
