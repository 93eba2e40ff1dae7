"""The JSON API at /api/v1/, with its OpenAPI document and docs (also at /api/docs)."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from compromiso.api import (
    attention,
    audits,
    cases,
    catalog,
    charters,
    improvement,
    organizations,
    project,
    protocols,
    servicemodel,
    staff,
    surveys,
    training,
)
from compromiso.api.auth import TokenAuth
from compromiso.api.errors import error_body, install_error_handlers, json_method_not_allowed
from compromiso.api.parser import ObjectBodyParser

ERRORS = {
    400: "The request could not be read (e.g. a body that is not JSON)",
    401: "No valid API token",
    403: "The token's user may not do this",
    404: "Not found, or not visible to the token's user",
    409: "Refused in the object's current state",
    413: "The request body is too large",
    422: "Invalid input: `fields` says which and why",
    500: "A defect on our side",
}
ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "A stable machine code"},
        "message": {"type": "string", "description": "In the caller's language"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "For invalid input: the messages of each field",
        },
    },
    "required": ["code", "message"],
}


def _tuples_as_lists(node: Any) -> None:
    """A tuple (`prefixItems`, or an `items` list: a form OpenAPI 3.1 forbids) becomes a
    fixed-length list whose items are any of the tuple's types: `prefixItems` would say more,
    but validators and fuzzers still read it unevenly (one turns it back into an `items` list)."""
    if isinstance(node, dict):
        if isinstance(node.get("items"), list) or "prefixItems" in node:
            parts = node.pop("prefixItems", None) or node.pop("items")
            kinds = [part for n, part in enumerate(parts) if part not in parts[:n]]
            node["items"] = kinds[0] if len(kinds) == 1 else {"anyOf": kinds}
            node["minItems"] = node["maxItems"] = len(parts)
        for value in node.values():
            _tuples_as_lists(value)
    elif isinstance(node, list):
        for value in node:
            _tuples_as_lists(value)


class CompromisoAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, with the JSON error every operation may answer."""
        schema = super().get_openapi_schema(**kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        _tuples_as_lists(schema)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERRORS.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema

    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = json_method_not_allowed(pattern.callback)
        return urls


api = CompromisoAPI(
    title="Compromiso API",
    version="1.0.0",
    description=(
        "Service charters, cases, surveys and the organisation structure. Authenticate with a "
        "personal access token: `Authorization: Bearer cmp_…`. Errors are JSON objects with a "
        "stable `code`, a `message` in the caller's language and, for invalid input, `fields`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    parser=ObjectBodyParser(),
)
install_error_handlers(api)
api.add_router("/", organizations.router)
api.add_router("/", catalog.router)
api.add_router("/", cases.router)
api.add_router("/", charters.router)
api.add_router("/", surveys.router)
api.add_router("/", improvement.router)
api.add_router("/", servicemodel.router)
api.add_router("/", project.router)
api.add_router("/", training.router)
api.add_router("/", protocols.router)
api.add_router("/", staff.router)
api.add_router("/", audits.router)
api.add_router("/", attention.router)


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown paths under /api/ answer in JSON like every other API error."""
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)
