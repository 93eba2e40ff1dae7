"""Field helpers shared by the audit models: long text with a hard limit, money and days."""

from decimal import Decimal
from typing import Any

from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models


def long_text(label: Any, limit: int = 5000, **options: Any) -> Any:
    """A text field that refuses more than `limit` characters, in forms and in `full_clean`."""
    options.setdefault("blank", True)
    return models.TextField(
        label, max_length=limit, validators=[MaxLengthValidator(limit)], **options
    )


def money(label: Any, **options: Any) -> Any:
    options.setdefault("default", Decimal("0"))
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, validators=[MinValueValidator(0)], **options
    )


def days(label: Any, **options: Any) -> Any:
    """Person-days, in halves if need be."""
    options.setdefault("default", Decimal("0"))
    return models.DecimalField(
        label, max_digits=7, decimal_places=1, validators=[MinValueValidator(0)], **options
    )
