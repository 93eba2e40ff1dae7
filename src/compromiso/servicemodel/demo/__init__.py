"""Demo of the service model app, one module per noun, loaded in order (`compromiso demo`): the
protocols before the training that teaches them, the staff list before the training that counts
it."""

from typing import Any

from compromiso.servicemodel.demo import model, people, project, protocols, training


def load(context: dict[str, Any]) -> None:
    model.load(context)
    protocols.load(context)
    people.load(context)
    training.load(context)
    project.load(context)
