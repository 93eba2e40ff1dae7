"""PDF documents with Typst (from PyPI: no system libraries). A document is a Typst source
file that reads its data from `sys.inputs.data` as JSON, so user text is always data and never
markup: nothing a user types can inject Typst code."""

import json
from pathlib import Path
from typing import Any

import typst
from django.core.serializers.json import DjangoJSONEncoder


def render_pdf(source: Path, data: dict[str, Any]) -> bytes:
    """Compile `source` with `data` available as `json(bytes(sys.inputs.data))`."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    result = typst.compile(
        str(source),
        root=str(source.parent),
        sys_inputs={"data": payload},
        format="pdf",
    )
    assert isinstance(result, bytes)
    return result
