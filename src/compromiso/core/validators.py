"""Checks shared by the web forms and the API, so both doors refuse the same input."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from compromiso.core.ids import MAX_ID

# Dates this service records or plans: charters, waves, deadlines, cases. A year outside is a
# typing slip (2999, 1900) or a probe (year 1), never a real date here.
FIRST_YEAR = 2000
LAST_YEAR = 2100

prohibit_null_characters = ProhibitNullCharactersValidator()  # Django's forms refuse NUL too


def validate_plausible_date(value: dt.date) -> None:
    """Refuse a date or time outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="implausible_date",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


def validate_aware(value: dt.datetime) -> None:
    """Refuse a date and time without its offset from UTC (it would be read in some zone)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            _("Give the time with its offset from UTC, e.g. 2026-03-01T09:30:00-03:00."),
            code="naive_datetime",
        )


def validate_stored_integer(value: int) -> None:
    """Refuse an integer no database column here can hold."""
    if not -MAX_ID - 1 <= value <= MAX_ID:
        raise ValidationError(_("This number is too large."), code="too_large")


def validate_input(value: Any) -> None:
    """Every check above that applies to `value` (recursing into lists and dicts)."""
    if isinstance(value, str):
        prohibit_null_characters(value)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        validate_stored_integer(value)
    elif isinstance(value, dt.datetime):
        validate_aware(value)
        validate_plausible_date(value)
    elif isinstance(value, dt.date):
        validate_plausible_date(value)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            validate_input(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            validate_input(key)
            validate_input(item)
