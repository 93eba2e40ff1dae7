"""Consistency checks of an installation (a restored one, or any): each app that keeps derived
data offers checks in its own `consistency` module, found by name like Django's admin modules, so
this kernel names no app above it. A check yields readable problems; none means consistent."""

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from django.db.models import QuerySet

Check = Callable[[], Iterator[str]]
CHECKS: dict[str, Check] = {}


def register(name: str) -> Callable[[Check], Check]:
    """Register a check under a name shown in the report (`cases.events`)."""

    def wrap(check: Check) -> Check:
        CHECKS[name] = check
        return check

    return wrap


def discover() -> dict[str, Check]:
    autodiscover_modules("consistency")
    return dict(sorted(CHECKS.items()))


def run_checks() -> Iterator[tuple[str, str]]:
    """(check name, problem) for every problem found by every registered check."""
    for name, check in discover().items():
        for problem in check():
            yield name, problem


def stored_file_problems(rows: "QuerySet[Any]", label: str) -> Iterator[str]:
    """Rows with a `file`, `size` and `sha256`: each file must exist in its storage with the
    size and SHA-256 recorded when it was uploaded."""
    from compromiso.core.backup import file_digest

    for row in rows.exclude(file="").iterator(chunk_size=500):
        name = row.file.name
        storage = row.file.storage
        if not storage.exists(name):
            yield f"{label} {row.pk}: its file {name} is missing from the storage"
            continue
        with storage.open(name, "rb") as stream:
            size, digest = file_digest(stream)
        if size != row.size:
            yield f"{label} {row.pk}: its file {name} has {size} bytes, {row.size} recorded"
        elif digest != row.sha256:
            yield f"{label} {row.pk}: its file {name} does not match its recorded SHA-256"


def same_rows(stored: list[tuple[Any, ...]], computed: list[tuple[Any, ...]]) -> bool:
    """Two lists of row values agree (in any order; floats to 6 decimals)."""

    def value(v: Any) -> Any:
        if isinstance(v, float | Decimal):
            return round(float(v), 6)
        if isinstance(v, dict):
            return tuple(sorted((str(k), value(x)) for k, x in v.items()))
        if isinstance(v, list):
            return tuple(value(x) for x in v)
        return v

    def norm(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(value(v) for v in row)

    return sorted(map(norm, stored), key=repr) == sorted(map(norm, computed), key=repr)


def values_of(row: Any, skip: tuple[str, ...] = ("id",)) -> tuple[Any, ...]:
    """A model instance's concrete field values, primary key left out."""
    return tuple(
        getattr(row, f.attname)
        for f in row._meta.concrete_fields
        if f.attname not in skip and not f.primary_key
    )
