import factory

from compromiso.catalog.models import Attribute, Channel, Service, TouchPoint
from compromiso.organizations.tests.factories import OrganizationFactory, UnitFactory


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    organization = factory.SubFactory(OrganizationFactory)
    kind = "web"
    name = factory.Sequence(lambda n: f"Canal {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    provider_unit = factory.SubFactory(
        UnitFactory, organization=factory.SelfAttribute("..organization")
    )
    code = factory.Sequence(lambda n: f"S{n:03d}")
    name = factory.Sequence(lambda n: f"Servicio {n}")


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Atributo {n}")


class TouchPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TouchPoint

    organization = factory.SubFactory(OrganizationFactory)
    unit = factory.SubFactory(UnitFactory, organization=factory.SelfAttribute("..organization"))
    channel = factory.SubFactory(
        ChannelFactory, organization=factory.SelfAttribute("..organization")
    )
    name = factory.Sequence(lambda n: f"Punto {n}")
