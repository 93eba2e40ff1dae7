"""What every API input goes through: the checks the web forms make (core/validators.py) —
no NUL characters, integers a column can hold, dates within plausible years, times with their
offset — and the page bounds of every list."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field, FilterSchema, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema, field_validator

from compromiso.core.ids import MAX_ID
from compromiso.core.validators import validate_input

MAX_PAGE = 200
DEFAULT_PAGE = 100


def checked[T](value: T) -> T:
    """validate_input as a pydantic validator: a refusal becomes a 422 on the field."""
    try:
        validate_input(value)
    except ValidationError as error:
        raise ValueError(" ".join(str(m) for m in error.messages)) from error
    return value


class InputSchema(Schema):
    """The base of every request body."""

    @field_validator("*", mode="after")
    @classmethod
    def _as_the_forms_check(cls, value: Any) -> Any:
        return checked(value)


class InputFilter(FilterSchema):
    """The base of every filter read from the query string."""

    @field_validator("*", mode="after")
    @classmethod
    def _as_the_forms_check(cls, value: Any) -> Any:
        return checked(value)


# For parameters outside a schema (query and path parameters).
PlausibleDate = Annotated[dt.date, AfterValidator(checked)]
SearchText = Annotated[str, AfterValidator(checked)]


# A wall-clock time of the organisation (office hours): it has no offset, because the offset
# changes with daylight saving; OpenAPI's "time" format would demand one.
def _text_time(value: Any) -> Any:
    if not isinstance(value, str | dt.time):
        raise ValueError(gettext("Give the time as text, HH:MM or HH:MM:SS."))
    return value


def _without_offset(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise ValueError(gettext("Give the local time without an offset, HH:MM or HH:MM:SS."))
    return value


LocalTime = Annotated[
    dt.time,
    BeforeValidator(_text_time),
    AfterValidator(_without_offset),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?$",
            "description": "Local time in the organisation's time zone (HH:MM[:SS]), no offset",
            "examples": ["09:00:00"],
        }
    ),
]


class Page(LimitOffsetPagination):
    """limit (1–200, default 100) and offset (0–2⁶³−1): beyond either, a 422."""

    class Input(Schema):
        limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="Rows per page")
        offset: int = Field(0, ge=0, le=MAX_ID, description="Rows to skip")
