"""Demo of the service model app, one module per noun, loaded in order (`compromiso demo`)."""

from typing import Any

from compromiso.servicemodel.demo import model, protocols


def load(context: dict[str, Any]) -> None:
    model.load(context)
    protocols.load(context)
