"""The staff home page shows the quality manager the open improvement actions due soon or
overdue (earliest first), and a responsible person their own; never another organisation's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from compromiso.improvement.models import ImprovementAction
from compromiso.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

HOME = "organizations:overview"


def _action(organization, unit, *, days, title, status="in_progress", responsible=None):
    return ImprovementAction.objects.create(
        organization=organization,
        owner_unit=unit,
        title=title,
        description="…",
        status=status,
        responsible=responsible,
        due_date=timezone.localdate() + dt.timedelta(days=days),
    )


def _panel(response):
    panels = [
        p for p in response.context["panels"] if p.template == "improvement/home_actions.html"
    ]
    return panels[0] if panels else None


def test_quality_manager_sees_actions_due_overdue_first(
    client, organization, other_organization, branch, quality_manager
):
    soon = _action(organization, branch, days=7, title="Due next week")
    late = _action(organization, branch, days=-3, title="Three days late")
    _action(organization, branch, days=90, title="Due in a quarter")
    _action(organization, branch, days=-3, title="Already closed", status="closed")
    _action(
        other_organization, UnitFactory(organization=other_organization), days=-1, title="Alien"
    )
    client.force_login(quality_manager)

    response = client.get(reverse(HOME))

    assert _panel(response).context["actions"] == [late, soon]
    html = response.content.decode()
    for hidden in ("Due in a quarter", "Already closed", "Alien"):
        assert hidden not in html


def test_a_responsible_person_sees_only_their_own_actions(
    client, organization, branch, officer, viewer
):
    mine = _action(organization, branch, days=2, title="Mine", responsible=officer)
    _action(organization, branch, days=1, title="Someone else's")
    client.force_login(officer)

    assert _panel(client.get(reverse(HOME))).context["actions"] == [mine]

    client.force_login(viewer)
    assert _panel(client.get(reverse(HOME))) is None
