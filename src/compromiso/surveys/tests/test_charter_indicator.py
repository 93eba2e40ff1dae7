"""A charter commitment measured by the surveys: the service's net score and % satisfied per
period, read from the score counts; a period without answers has no value."""

import datetime as dt
from decimal import Decimal

import pytest

from compromiso.charters import indicators
from compromiso.charters import services as charter_services
from compromiso.surveys import services
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def charter(organization, quality_manager, licences):
    return charter_services.create_charter(
        organization,
        by=quality_manager,
        title="Carta",
        valid_from=dt.date(2026, 1, 1),
        valid_to=dt.date(2027, 12, 31),
        services=[licences],
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [("survey_net_score", Decimal("25.00")), ("survey_satisfied", Decimal("50.00"))],
)
def test_survey_indicators_per_period(wave, licences, charter, quality_manager, source, expected):
    march = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    for score in (7, 6, 5, 3):  # 2 satisfied, 1 dissatisfied of 4
        services.submit_response(
            wave, service=licences, answers=answers_for(wave, score), submitted_at=march
        )
    commitment = charter_services.save_commitment(
        charter,
        by=quality_manager,
        service=licences,
        text="Sus usuarios están satisfechos.",
        indicator="Satisfacción neta",
        source=source,
        comparator="gte",
        target=Decimal(40),
        periodicity="monthly",
    )

    march_value = indicators.measure(commitment, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    april_value = indicators.measure(commitment, dt.date(2026, 4, 1), dt.date(2026, 4, 30))

    assert (march_value.value, march_value.n) == (expected, 4)
    assert april_value.value is None
