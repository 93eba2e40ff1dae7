"""Demo of the service model app, one module per noun, loaded in order (`compromiso demo`)."""

from typing import Any

from compromiso.servicemodel.demo import model, people, training


def load(context: dict[str, Any]) -> None:
    model.load(context)
    people.load(context)
    training.load(context)
