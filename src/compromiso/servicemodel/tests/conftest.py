import pytest

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services

TEXT = {
    "project_name": "Contigo, siempre",
    "slogans": "Te recibimos, te resolvemos.\nUn mismo trato.",
    "value_proposition": "Le recibimos con prontitud y le resolvemos a la primera.",
    "quality_policy": "Nos comprometemos a una atención de calidad conocida por todos.",
    "tangible_arguments": "Plazos publicados.",
    "intangible_arguments": "Un trato cálido.",
    "axes": [("Acogida", "Recibimos con prontitud."), ("Resolución", "A la primera.")],
    "promises": ["Le atenderemos en 15 minutos.", "Responderemos su reclamo en plazo."],
}


@pytest.fixture
def draft(organization):
    return services.create_service_model(organization, by=SYSTEM, **TEXT)


@pytest.fixture
def published(draft):
    services.approve_service_model(draft, by=SYSTEM, reference="Resolución 12")
    return services.publish_service_model(draft, by=SYSTEM)


# The attention protocols' fixtures live with their helpers.
from compromiso.servicemodel.tests.protocol_fixtures import (  # noqa: E402, F401
    counter,
    phone,
    protocol,
    protocol_draft,
)
