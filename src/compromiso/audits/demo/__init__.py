"""Demo of the audits app, one module per part, loaded in order (`compromiso demo`)."""

from typing import Any

from compromiso.audits.demo import report


def load(context: dict[str, Any]) -> None:
    report.load(context)
