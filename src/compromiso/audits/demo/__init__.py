"""Demo data of the audits app, one module per part, loaded in order by `compromiso demo`."""

from typing import Any

from compromiso.audits.demo import programme


def load(context: dict[str, Any]) -> None:
    programme.load(context)
