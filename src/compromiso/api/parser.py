"""The API's body parser: every request body of this API is a JSON object. A list, a string, a
number or `null` is refused as unreadable (400) before any operation sees it; without this an
operation whose fields are all optional (a PATCH) took such a body as "change nothing" and
answered 200. `NaN` and `Infinity`, which Python's reader takes but JSON has not, are
unreadable too."""

import json
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class ObjectBodyParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body, parse_constant=_no_constant)
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return cast(dict[str, Any], data)
