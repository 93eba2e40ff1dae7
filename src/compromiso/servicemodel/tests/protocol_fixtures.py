"""Fixtures of the protocol tests (imported by name into each test module): a counter in the
Arica branch, a phone line in Temuco, and a counter protocol in force with three steps."""

import pytest

from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.services import StepInput

STEPS = [
    StepInput(
        "Saludar e identificarse",
        "En los primeros 10 segundos, con su nombre.",
        {"in_person": "Se pone de pie y mira a la persona.", "phone": "Dice su nombre y unidad."},
    ),
    StepInput("Escuchar sin interrumpir", "Deja terminar a la persona."),
    StepInput("Cerrar y ofrecer la encuesta", "Entrega la encuesta de satisfacción."),
]


@pytest.fixture
def counter(organization, branch):
    channel = ChannelFactory(organization=organization, kind="in_person", name="Oficinas")
    return TouchPointFactory(
        organization=organization, unit=branch, channel=channel, name="Mesón Arica"
    )


@pytest.fixture
def phone(organization, other_branch):
    channel = ChannelFactory(organization=organization, kind="phone", name="Teléfono")
    return TouchPointFactory(
        organization=organization, unit=other_branch, channel=channel, name="Fono Temuco"
    )


@pytest.fixture
def protocol_draft(organization):
    return services.create_protocol(
        organization,
        by=SYSTEM,
        name="Atención presencial",
        purpose="El mismo trato en cada oficina.",
        channel_kind="in_person",
        steps=STEPS,
    )


@pytest.fixture
def protocol(protocol_draft):
    return services.activate_protocol(protocol_draft, by=SYSTEM)


def outcomes(protocol, *values, comment=""):
    """The results of an observation: the steps in order get these outcomes."""
    steps = list(protocol.steps.all())
    assert len(steps) == len(values)
    return {step.pk: (value, comment) for step, value in zip(steps, values, strict=True)}
