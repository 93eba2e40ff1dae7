"""SQL the ORM builds once for a query run on every request, bound afresh on each call.

The ORM builds a query's SQL anew every time it runs: for the token look-up (three joined models)
and the memberships behind every permission check that costs about 1 ms of CPU each time, where
the database answers in a tenth of that. A `PreparedQuery` lets the ORM build the SQL once, with
placeholder values of the right types, and then only puts the new values in their places. The
SQL, the joins and the conversions of the results stay the ORM's own.

This rests on four calls of the ORM's SQL compiler that Django does not document:
`Query.get_compiler(using)`, `SQLCompiler.as_sql()`, `SQLCompiler.select` (a list of
(expression, sql, alias)) and `SQLCompiler.get_converters(expressions)` with
`apply_converters(rows, converters)`. `core/tests/test_prepared.py` pins each of them and checks
the rows against the ORM's own on every backend the suite runs on, so a Django upgrade that
changes them fails the suite instead of a request. The queries select plain values
(`values_list`); model instances are made from them by the public `Model.from_db`.
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


_prepared: dict[tuple[str, str], PreparedQuery] = {}


def prepared(name: str, make: Callable[[], PreparedQuery]) -> PreparedQuery:
    """The process's prepared query of this name for the database in use, made on first use."""
    key = (name, connection.vendor)
    query = _prepared.get(key)
    if query is None:
        query = _prepared[key] = make()
    return query
