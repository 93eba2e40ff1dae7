"""SQL the ORM builds once for a query run on every request, bound afresh on each call.

The ORM builds a query's SQL anew every time it runs: for the token look-up (three joined models)
and the memberships behind every permission check that costs about 1 ms of CPU each time, where
the database answers in a tenth of that. A `PreparedQuery` lets the ORM build the SQL once, with
placeholder values of the right types, and then only puts the new values in their places. The
SQL, the joins and the conversions of the results stay the ORM's own.
"""

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, models


class PreparedQuery:
    """`build(**placeholders)` is a QuerySet whose shape never changes, only its values.

    Each placeholder must be a value found nowhere else in the query; `prepare` maps a name to
    the function turning a Python value into what the database receives (a time zone–aware
    datetime on SQLite is a string, for instance), the identity by default.
    """

    def __init__(
        self,
        build: Callable[..., models.QuerySet[Any]],
        placeholders: dict[str, Any],
        prepare: dict[str, Callable[[Any], Any]] | None = None,
    ) -> None:
        self.prepare = prepare or {}
        self.compiler = build(**placeholders).query.get_compiler(DEFAULT_DB_ALIAS)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        self.slots: list[tuple[int, str]] = []
        for name, value in placeholders.items():
            prepared = self._prepared(name, value)
            found = [
                i for i, p in enumerate(self.params) if type(p) is type(prepared) and p == prepared
            ]
            if len(found) != 1:
                raise ValueError(f"placeholder {name!r} found {len(found)} times in: {self.sql}")
            self.slots.append((found[0], name))
        columns = [column for column, _sql, _alias in self.compiler.select]
        self.converters = self.compiler.get_converters(columns)
        # For instances(): each selected model, its columns' positions and names, and the
        # relation that caches it on the first (select_related).
        info = None if self.compiler.query.values_select else self.compiler.klass_info
        self.parts = [
            (part["model"], part["select_fields"], part.get("field"))
            for part in ([info, *info.get("related_klass_infos", [])] if info else [])
        ]
        self.names = [[columns[i].target.attname for i in fields] for _m, fields, _f in self.parts]

    def _prepared(self, name: str, value: Any) -> Any:
        prepare = self.prepare.get(name)
        return value if prepare is None else prepare(value)

    def rows(self, **values: Any) -> list[Any]:
        """The result rows for these values, converted as the ORM converts them."""
        params = list(self.params)
        for index, name in self.slots:
            params[index] = self._prepared(name, values[name])
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows: list[Any] = cursor.fetchall()
        if rows and self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return rows

    def instances(self, **values: Any) -> list[models.Model]:
        """The rows as model instances, with their `select_related` relations cached."""
        assert self.parts, "instances() needs a query that selects a model"
        found = []
        for row in self.rows(**values):
            first, *related = (
                model.from_db(DEFAULT_DB_ALIAS, names, [row[i] for i in fields])
                for (model, fields, _field), names in zip(self.parts, self.names, strict=True)
            )
            for (_model, _fields, field), other in zip(self.parts[1:], related, strict=True):
                field.set_cached_value(first, other)
            found.append(first)
        return found


_prepared: dict[tuple[str, str], PreparedQuery] = {}


def prepared(name: str, make: Callable[[], PreparedQuery]) -> PreparedQuery:
    """The process's prepared query of this name for the database in use, made on first use."""
    key = (name, connection.vendor)
    query = _prepared.get(key)
    if query is None:
        query = _prepared[key] = make()
    return query
