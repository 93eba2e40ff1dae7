"""How every endpoint reaches rows: through the permission layer, in the token's organisation."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from compromiso.organizations.models import Organization


def organization_of(request: HttpRequest) -> Organization:
    """The organisation the request's token was issued for."""
    organization: Organization = request.api_organization  # type: ignore[attr-defined]
    return organization


def get_visible[M: models.Model](queryset: models.QuerySet[M], pk: int) -> M:
    """One row the caller may see, or 404 — never a 403 that would reveal it exists."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def resolve[M: models.Model](
    queryset: models.QuerySet[M], pk: int | None, field: str, message: str
) -> M | None:
    """A referenced id, resolved among rows the caller may see; unknown ids are field errors."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ValidationError({field: message})
    return obj


def resolve_many[M: models.Model](
    queryset: models.QuerySet[M], pks: list[int], field: str
) -> list[M]:
    found = list(queryset.filter(pk__in=pks))
    if len(found) != len(set(pks)):
        raise ValidationError({field: _("One or more ids are unknown.")})
    return found


def changed_fields(payload: Any) -> dict[str, Any]:
    """The fields a PATCH body actually sent."""
    data: dict[str, Any] = payload.dict(exclude_unset=True)
    return data
