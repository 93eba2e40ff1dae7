"""The audit log: every service that changes data calls `log_action` inside its transaction."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.models import AuditEntry


def log_action(
    obj: models.Model,
    action: str,
    *,
    by: Actor,
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Record that `by` (a user, or a `SystemActor`) did `action` ("app.model.verb")."""
    if by is None:
        raise TypeError("log_action() needs an actor: a user, or a SystemActor for the system")
    person = user_of(by)
    actor = person if person is not None and person.pk is not None else None
    system_label = by.label if isinstance(by, SystemActor) else "system"
    organization_id = getattr(obj, "organization_id", None)
    if organization_id is None and obj._meta.label == "organizations.Organization":
        organization_id = obj.pk
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.get_username() if actor is not None else system_label,
        organization_id=organization_id,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        data=dict(data or {}),
    )


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of some fields, to compare after a change (foreign keys as ids)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(o.pk for o in getattr(obj, name).all()) if obj.pk else []
        elif field.is_relation and isinstance(field, models.Field):
            values[name] = getattr(obj, field.attname)
        else:
            values[name] = getattr(obj, name)
    return values


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
