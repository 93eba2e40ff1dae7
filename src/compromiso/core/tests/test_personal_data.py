"""Every field of every model that can hold text is either declared in the personal-data
registry (walked by retention, export and erasure) or listed as holding none, with why."""

from django.apps import apps
from django.db import models

from compromiso.core import personal_data

TEXT_FIELDS = (
    models.CharField,
    models.TextField,
    models.JSONField,
    models.FileField,
    models.GenericIPAddressField,
    models.BinaryField,
)
# The tables that hold a citizen's personal data: a new one is added here on purpose.
PERSONAL_TABLES = {
    "cases.Case",
    "cases.CaseEvent",
    "cases.Attachment",
    "cases.Redress",
    "cases.HandlingRating",
    "core.AuditEntry",
    "surveys.Response",
    "surveys.Answer",
    "surveys.Invitation",
    "surveys.ImportJob",
    "attention.Visit",
    "attention.Appointment",
    "attention.Contact",
    "attention.ImportJob",
}


def _our_text_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("compromiso."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, TEXT_FIELDS):
                yield model._meta.label, field.name


def _declared(label, name):
    return (
        any(e.model == label and e.field == name for e in personal_data.REGISTRY)
        or f"{label}.{name}" in personal_data.NOT_PERSONAL
        or name in personal_data.NOT_PERSONAL_FIELDS_OF.get(label, ())
        or label in personal_data.NOT_PERSONAL_MODELS
    )


def test_every_text_field_of_every_model_is_declared_personal_or_not():
    undeclared = [
        f"{label}.{name}" for label, name in _our_text_fields() if not _declared(label, name)
    ]

    assert undeclared == []


def test_the_registry_names_real_fields_and_lists_the_personal_tables():
    for entry in personal_data.REGISTRY:
        apps.get_model(entry.model)._meta.get_field(entry.field)

    assert {entry.model for entry in personal_data.REGISTRY} == PERSONAL_TABLES
