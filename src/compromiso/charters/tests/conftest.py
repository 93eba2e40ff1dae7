import datetime as dt

import pytest
import time_machine

from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.charters import services
from compromiso.charters.completeness import required_sections


@pytest.fixture
def web(organization):
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


@pytest.fixture
def service(organization, branch):
    return ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")


@pytest.fixture
def draft(organization, quality_manager, service):
    """A two-year Chilean charter of the whole organisation, covering one service."""
    return services.create_charter(
        organization,
        by=quality_manager,
        title="Carta de servicios",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        services=[service],
    )


def commit(charter, by, service, **extra):
    fields = {
        "service": service,
        "text": "Respondemos sus reclamos en 10 días hábiles.",
        "indicator": "% de reclamos respondidos en 10 días hábiles",
        "source": "cases_within_days",
        "threshold_days": 10,
        "case_kind": "complaint",
        "comparator": "gte",
        "target": 90,
        "periodicity": "monthly",
    }
    fields.update(extra)
    return services.save_commitment(charter, by=by, **fields)


def fill_sections(charter, by):
    services.save_sections(
        charter,
        {kind: f"Texto de {kind}." for kind in required_sections(charter.profile)},
        by=by,
    )


@pytest.fixture
def published(draft, quality_manager, service):
    """The draft, completed, approved and published (on 2025-01-02)."""
    commit(draft, quality_manager, service)
    fill_sections(draft, quality_manager)
    services.submit_for_review(draft, by=quality_manager)
    services.approve_charter(draft, by=quality_manager, reference="Resolución Exenta N° 123")
    with time_machine.travel(dt.datetime(2025, 1, 2, 12, tzinfo=dt.UTC), tick=False):
        services.publish_charter(draft, by=quality_manager)
    draft.refresh_from_db()
    return draft
