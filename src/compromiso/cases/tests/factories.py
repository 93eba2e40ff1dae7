import factory

from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.organizations.tests.factories import OrganizationFactory


class CaseFactory(factory.django.DjangoModelFactory):
    """A case row as intake leaves it; tests that exercise intake call services.receive_case."""

    class Meta:
        model = Case

    organization = factory.SubFactory(OrganizationFactory)
    channel = factory.SubFactory(
        ChannelFactory, organization=factory.SelfAttribute("..organization")
    )
    tracking_code = factory.Sequence(lambda n: f"OIRS-2026-T{n:05d}")
    secret_hash = "x" * 64
    kind = "complaint"
    subject = "Demora en la atención"
    description = "Esperé dos horas."
    requester_name = "Ana Pérez"
    deadline_amount = 20
    deadline_unit = "business_days"
