"""Helpers shared by the role × route matrices (`test_route_matrix.py`,
`test_route_matrix_writes.py`, `test_route_matrix_foreign_fields.py`)."""

import importlib.util
from pathlib import Path
from typing import Any

from django.test import Client

from compromiso.organizations.models import Membership, Organization

WALK = Path(__file__).resolve().parents[4] / "e2e" / "test_accessibility.py"


def walk_module() -> Any:
    """The accessibility walk's module: its route list and table of sample arguments."""
    spec = importlib.util.spec_from_file_location("accessibility_walk", WALK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first_pk(label: str, path: str, organization: Organization, field: str = "pk") -> int | None:
    """`field` of the organisation's first row of the model (`path` leads to its organisation)."""
    from django.apps import apps

    model = apps.get_model(label)
    return (
        model.objects.filter(**{path: organization})
        .order_by("pk")
        .values_list(field, flat=True)
        .first()
    )


def signed_in(membership: Membership) -> Client:
    """A browser signed in as the member, working in the member's organisation."""
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session["organization_id"] = membership.organization_id
    session.save()
    return client


def example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A value of the schema: only the required fields of an object."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: example(part, components)
            for name, part in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return 1
    if kind == "boolean":
        return False
    return {"date": "2026-12-01", "date-time": "2026-12-01T10:00:00Z"}.get(
        schema.get("format", ""), "Matrix"
    )
