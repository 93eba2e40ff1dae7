"""An improvement action born of a breached charter commitment: its priority comes from the
size of the breach, its effect is checked on the commitment's indicator."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from compromiso.charters.models import Measurement
from compromiso.charters.tests import conftest as charter_fixtures
from compromiso.improvement import services
from compromiso.improvement.models import ActionStatus, ImprovementAction

pytestmark = pytest.mark.django_db

service = charter_fixtures.service
draft = charter_fixtures.draft
published = charter_fixtures.published


def _result(commitment, month, value, compliance):
    return Measurement.objects.create(
        commitment=commitment,
        period_start=dt.date(2025, month, 1),
        period_end=dt.date(2025, month, 28),
        value=Decimal(value),
        n=30,
        compliance=compliance,
        computed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )


@pytest.fixture
def breached(published):
    commitment = published.commitments.get()  # at least 90 %
    _result(commitment, 1, 92, "met")
    _result(commitment, 2, 81, "not_met")
    _result(commitment, 3, 72, "not_met")  # 80 % of the target: 20 points short
    return commitment


def test_an_action_from_a_breached_commitment_weighs_the_breach_and_takes_its_baseline(
    organization, branch, quality_manager, breached
):
    action = services.create_action(
        organization,
        by=quality_manager,
        title="Reforzar la OIRS",
        description="Dos analistas más en horas punta.",
        owner_unit=branch,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        origins=[{"commitment": breached}],
    )

    origin = action.origins.get()
    assert origin.cases_count == 2  # periods not met
    assert action.computed_priority == 2 * 5 + 20
    assert (action.metric, action.metric_commitment) == ("indicator", breached)
    assert action.baseline_value == Decimal("72")


def test_the_check_reads_the_indicator_after_the_action_started(
    organization, branch, quality_manager, breached
):
    with time_machine.travel(dt.datetime(2025, 3, 20, 12, tzinfo=dt.UTC), tick=False):
        action = services.create_action(
            organization,
            by=quality_manager,
            title="Reforzar la OIRS",
            description="Dos analistas más.",
            owner_unit=branch,
            due_date=dt.date(2025, 5, 1),
            origins=[{"commitment": breached}],
        )
        for step in (ActionStatus.APPROVED, ActionStatus.IN_PROGRESS):
            services.move_action(action, step, by=quality_manager)
    action.after_start = dt.date(2025, 4, 1)
    action.save()
    _result(breached, 4, 94, "met")
    with time_machine.travel(dt.datetime(2025, 5, 10, 12, tzinfo=dt.UTC), tick=False):
        services.move_action(action, ActionStatus.CHECKING, by=quality_manager)
        services.record_check(
            action, effective=True, evidence="Abril sobre la meta.", by=quality_manager
        )

    action = ImprovementAction.objects.get(pk=action.pk)
    assert action.after_value == Decimal("94")
    assert action.status == ActionStatus.EFFECTIVE


def test_one_click_from_the_commitment_page(client, quality_manager, breached, branch):
    client.force_login(quality_manager)

    commitment_page = client.get(reverse("charters:commitment", args=[breached.pk]))
    form = client.get(reverse("improvement:new"), {"commitment": breached.pk})
    created = client.post(
        reverse("improvement:new"),
        {
            "title": "Reforzar la OIRS",
            "description": "Dos analistas más.",
            "owner_unit": branch.pk,
            "due_date": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "effort": "medium",
            "commitment": breached.pk,
        },
    )

    assert f"?commitment={breached.pk}" in commitment_page.content.decode()
    assert f'value="{breached.pk}" selected' in form.content.decode()
    action = ImprovementAction.objects.get()
    assert created.status_code == 302
    page = client.get(reverse("improvement:detail", args=[action.pk])).content.decode()
    assert breached.text in page
    assert "72" in page
