"""Factories of the audit nouns, for tests: rows made directly, without the services' checks."""

import datetime as dt

import factory

from compromiso.audits.models import Audit, AuditProgramme
from compromiso.organizations.tests.factories import OrganizationFactory


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditProgramme

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Programa de auditorías {2026 + n}")
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 12, 31)
    objectives = "Comprobar que se cumplen los compromisos de la carta en cada punto de contacto."


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    organization = factory.SubFactory(OrganizationFactory)
    reference = factory.Sequence(lambda n: f"AUD-2026-{n + 1:02d}")
    title = "Auditoría de la atención presencial"
    objectives = "Verificar los compromisos de atención presencial."
    scope = "Sucursales de la región."
    criteria = "Carta de servicios vigente y protocolos de atención."
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 6, 30)
    planned_start = dt.date(2026, 7, 6)
    planned_end = dt.date(2026, 7, 17)
