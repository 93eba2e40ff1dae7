"""The one way an id from a URL, a query string or a form becomes an integer.

An id is 1 to 19 ASCII digits naming a value from 1 to 2⁶³ − 1 (a PostgreSQL bigint; SQLite's
integer): anything else — "²", "١", " 7", "+7", "-1", "0", 23 digits — is no id, so the page
answers as for an unknown row (404, or a field error) instead of failing in `int()` or in the
database. URL patterns write `<id:pk>` (registered in core's AppConfig) instead of `<int:pk>`.
"""

import re
from collections.abc import Iterable

MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_id(value: object) -> int | None:
    """The id `value` names, or None when it names none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The ids among `values`, in order, without repeats; the rest dropped."""
    found: dict[int, None] = {}
    for value in values:
        number = parse_id(value)
        if number is not None:
            found[number] = None
    return list(found)


class IdConverter:
    """`<id:name>` in a URL pattern: matches only what parse_id accepts, so others are a 404."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # the resolver treats it as no match: a 404
        return number

    def to_url(self, value: object) -> str:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # reverse() finds no match
        return str(number)
