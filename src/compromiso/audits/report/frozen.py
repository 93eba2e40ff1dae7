"""The issued report, frozen: the content as JSON in the report row, read back into the same
dataclasses, with the SHA-256 of its canonical JSON as its fingerprint."""

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import types
import typing
from collections.abc import Hashable
from typing import Any, cast

from django.core.serializers.json import DjangoJSONEncoder

from compromiso.audits.report.content import ReportContent

FORMAT = 1  # bumped if the shape of the content ever changes incompatibly


def to_data(content: ReportContent) -> dict[str, Any]:
    """Plain JSON values (dates as ISO strings)."""
    data: dict[str, Any] = json.loads(
        json.dumps(dataclasses.asdict(content), cls=DjangoJSONEncoder)
    )
    data["format"] = FORMAT
    return data


def fingerprint(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _read(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        return _read(inner[0], value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_read(item, v) for v in value or []]
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _load(kind, value or {})
    if kind is dt.date:
        return None if value in (None, "") else dt.date.fromisoformat(value)
    return value


@functools.cache
def _fields(cls: Any) -> dict[str, Any]:
    """Each field of a dataclass with its type (read once per class)."""
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _load[T](cls: type[T], data: dict[str, Any]) -> T:
    fields = _fields(cast(Hashable, cls))
    return cls(**{name: _read(kind, data[name]) for name, kind in fields.items() if name in data})


def from_data(data: dict[str, Any]) -> ReportContent:
    return _load(ReportContent, data)
