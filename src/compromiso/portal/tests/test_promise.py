"""The public promise page: the service model in force and, per channel, the public protocols in
force as the steps users can expect; never a draft, a hidden or a retired protocol, nor another
organisation's."""

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.charters.tests.conftest import draft, published, service, web  # noqa: F401
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import (
    Protocol,
    ProtocolOverride,
    ProtocolStatus,
    ProtocolStep,
    StepVariant,
)

pytestmark = pytest.mark.django_db

TEXT = {
    "project_name": "Contigo, siempre",
    "slogans": "Te recibimos, te resolvemos.",
    "value_proposition": "Le resolvemos a la primera.",
    "quality_policy": "Política interna para el personal.",
    "tangible_arguments": "Plazos publicados.",
    "intangible_arguments": "Un trato cálido.",
    "axes": [("Acogida", "Recibimos con prontitud.")],
    "promises": ["Le atenderemos en 15 minutos."],
}


def _model(organization):
    model = services.create_service_model(organization, by=SYSTEM, **TEXT)
    services.approve_service_model(model, by=SYSTEM, reference="Resolución 12")
    return services.publish_service_model(model, by=SYSTEM)


@pytest.fixture
def in_force(organization):
    return _model(organization)


def _protocol(organization, name, kind="in_person", **fields):
    protocol = Protocol.objects.create(
        organization=organization,
        name=name,
        channel_kind=kind,
        status=fields.pop("status", ProtocolStatus.ACTIVE),
        **fields,
    )
    step = ProtocolStep.objects.create(protocol=protocol, order=1, behaviour=f"{name}: saludar")
    StepVariant.objects.create(step=step, channel_kind="in_person", text="De pie, mirando")
    StepVariant.objects.create(step=step, channel_kind="phone", text="Antes del tercer tono")
    return protocol


@pytest.fixture
def channels(organization, branch):
    counter = ChannelFactory(organization=organization, kind="in_person", name="Oficinas")
    phone = ChannelFactory(organization=organization, kind="phone", name="Teléfono")
    return {
        "counter": TouchPointFactory(organization=organization, unit=branch, channel=counter),
        "phone": TouchPointFactory(organization=organization, unit=branch, channel=phone),
    }


def _page(client, organization):
    return client.get(reverse("portal:promise", args=[organization.slug]))


def test_anyone_reads_the_promise_with_the_steps_per_channel(
    client, organization, in_force, channels
):
    _protocol(organization, "Acogida")
    _protocol(organization, "Llamadas", kind="phone")

    response = _page(client, organization)

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Contigo, siempre",
        "Le atenderemos en 15 minutos.",
        "Acogida",
        "Plazos publicados.",
    ):
        assert text in html
    assert "Política interna para el personal." not in html  # the quality policy stays inside
    shown = [
        (c.kind, [(p.name, [(s.behaviour, s.on_channel) for s in p.steps]) for p in c.protocols])
        for c in response.context["channels"]
    ]
    assert shown == [
        ("in_person", [("Acogida", [("Acogida: saludar", "De pie, mirando")])]),
        ("phone", [("Llamadas", [("Llamadas: saludar", "Antes del tercer tono")])]),
    ]


def test_hidden_draft_and_retired_protocols_are_never_shown(
    client, organization, in_force, channels
):
    _protocol(organization, "Interno", is_public=False)
    _protocol(organization, "Borrador", status=ProtocolStatus.DRAFT)
    _protocol(organization, "Retirado", status=ProtocolStatus.RETIRED)

    response = _page(client, organization)

    assert response.context["channels"] == []
    html = response.content.decode()
    for name in ("Interno", "Borrador", "Retirado"):
        assert name not in html


def test_a_protocol_follows_the_touch_points_it_is_added_to_or_excluded_from(
    client, organization, in_force, channels
):
    added = _protocol(organization, "Solo en Arica", kind="")
    ProtocolOverride.objects.create(protocol=added, touch_point=channels["phone"], applies=True)
    excluded = _protocol(organization, "No por teléfono", kind="phone")
    ProtocolOverride.objects.create(protocol=excluded, touch_point=channels["phone"], applies=False)

    kinds = {
        c.kind: [p.name for p in c.protocols]
        for c in _page(client, organization).context["channels"]
    }

    assert kinds == {"phone": ["Solo en Arica"]}


def test_a_channel_kind_without_an_active_touch_point_shows_nothing(
    client, organization, in_force, channels
):
    _protocol(organization, "Correo", kind="email")
    channels["phone"].is_active = False
    channels["phone"].save()
    _protocol(organization, "Llamadas", kind="phone")

    assert _page(client, organization).context["channels"] == []


def test_without_a_published_model_the_page_is_a_friendly_404(client, organization, channels):
    services.create_service_model(organization, by=SYSTEM, **TEXT)  # a draft only
    _protocol(organization, "Acogida")

    response = _page(client, organization)

    assert response.status_code == 404
    assert "Contigo, siempre" not in response.content.decode()


def test_another_organisations_promise_never_shows_here(
    client, organization, other_organization, in_force
):
    other = _model(other_organization)
    other.project_name = "Promesa ajena"
    other.save()

    assert "Promesa ajena" not in _page(client, organization).content.decode()
    assert "Promesa ajena" in _page(client, other_organization).content.decode()
    assert client.get(reverse("portal:promise", args=["no-such-slug"])).status_code == 404


def test_the_charter_pages_and_home_link_to_the_promise_only_when_there_is_one(
    request, client, organization
):
    charter = request.getfixturevalue("published")  # charters' test fixtures
    link = reverse("portal:promise", args=[organization.slug])
    pages = [
        reverse("portal:charters", args=[organization.slug]),
        reverse("portal:charter", args=[organization.slug, charter.pk]),
        reverse("portal:home"),
    ]
    assert all(link not in client.get(page).content.decode() for page in pages)

    _model(organization)

    assert all(link in client.get(page).content.decode() for page in pages)
