import pytest

from compromiso.audits.tests.factories import AuditFactory, ProgrammeFactory


@pytest.fixture
def programme(organization):
    return ProgrammeFactory(organization=organization)


@pytest.fixture
def audit(organization, programme):
    return AuditFactory(organization=organization, programme=programme)


from compromiso.audits.tests.engage_fixtures import (  # noqa: E402, F401
    counter,
    external,
    major,
    peer,
    planned,
    running,
    service,
)

# The fieldwork tests' fixtures (requests, sampling, checklist) live with their helpers.
from compromiso.audits.tests.fieldwork_fixtures import (  # noqa: E402, F401
    arica_counter,
    arica_phone,
    charter,
    field_audit,
    in_english,
    in_person,
    phone_channel,
    team_auditor,
    temuco_counter,
    temuco_head,
)
