"""Demo of the audits app, one module per noun, loaded in order (`compromiso demo`)."""

from typing import Any

from compromiso.audits.demo import mystery


def load(context: dict[str, Any]) -> None:
    mystery.load(context)
