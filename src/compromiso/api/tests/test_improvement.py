"""Improvement actions through the API, scoped like the pages."""

import datetime as dt

import pytest
from django.utils import timezone

from compromiso.cases import services as case_services
from compromiso.cases.models import RootCause
from compromiso.core.actors import SYSTEM
from compromiso.improvement import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(organization):
    case_services.install_root_causes(organization, by=SYSTEM)
    return RootCause.objects.get(organization=organization, code="TIE")


def _create(organization, unit, by, **extra):
    return services.create_action(
        organization,
        by=by,
        title="Cita previa",
        description="Abrir cita previa.",
        owner_unit=unit,
        due_date=timezone.localdate() + dt.timedelta(days=30),
        **extra,
    )


def test_the_api_lists_actions_and_figures_in_scope(
    api_as, organization, branch, other_branch, quality_manager, unit_head, waiting
):
    mine = _create(organization, branch, quality_manager, origins=[{"root_cause": waiting}])
    _create(organization, other_branch, quality_manager, origins=[{"root_cause": waiting}])

    everything = api_as(quality_manager).get("/improvement-actions").json()
    scoped = api_as(unit_head).get("/improvement-actions").json()
    figures = api_as(unit_head).get("/improvement-actions/figures").json()
    detail = api_as(unit_head).get(f"/improvement-actions/{mine.pk}").json()

    assert everything["count"] == 2
    assert [a["id"] for a in scoped["items"]] == [mine.pk]
    assert figures["all"]["open"] == 1
    assert detail["origins"][0]["root_cause"] == waiting.pk


def test_the_effect_gives_exact_intervals_and_names_their_methods(
    api_as, organization, branch, quality_manager, waiting
):
    from compromiso.improvement.models import ActionStatus

    action = _create(organization, branch, quality_manager, origins=[{"root_cause": waiting}])
    services.move_action(action, ActionStatus.APPROVED, by=quality_manager)
    services.move_action(action, ActionStatus.IN_PROGRESS, by=quality_manager)

    effect = api_as(quality_manager).get(f"/improvement-actions/{action.pk}").json()["effect"]

    # No case before and none since: Garwood's upper end for 0 cases is 3.6889 per exposure,
    # and no ratio can be told.
    before = effect["before"]
    assert before["count"] == 0
    assert before["low"] == 0
    assert before["high"] == pytest.approx(3.688879 / before["months"], rel=1e-5)
    assert before["method"] == effect["after"]["method"] == "garwood"
    assert effect["ratio_method"] == "conditional-binomial"
    assert (effect["ratio"], effect["ratio_low"], effect["ratio_high"]) == (None, None, None)
