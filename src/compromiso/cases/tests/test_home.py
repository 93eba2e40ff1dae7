"""The staff home page shows each role its cases: an officer's own by deadline, a unit head's
unit with its overdue count; bounded lists, never another organisation's rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from compromiso.cases.tests.factories import CaseFactory
from compromiso.core.permissions import Role
from compromiso.organizations.home import PANEL_ROWS
from compromiso.organizations.tests.factories import MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db

HOME = "organizations:overview"


def _case(organization, unit, *, days, assignee=None, status="assigned", subject="Demora"):
    return CaseFactory(
        organization=organization,
        unit=unit,
        assignee=assignee,
        status=status,
        subject=subject,
        due_at=timezone.now() + dt.timedelta(days=days),
    )


def _panel(response, template):
    return next(p for p in response.context["panels"] if p.template == template)


def test_officer_sees_own_open_cases_by_deadline_overdue_first(
    client, organization, other_organization, branch, officer
):
    later = _case(organization, branch, days=5, assignee=officer, subject="Later one")
    overdue = _case(organization, branch, days=-2, assignee=officer, subject="Overdue one")
    soon = _case(organization, branch, days=1, assignee=officer, subject="Soon one")
    _case(organization, branch, days=-9, assignee=officer, status="closed", subject="Closed one")
    _case(organization, branch, days=-9, subject="Nobody's")
    # The officer also works for another organisation: its cases stay there.
    elsewhere = UnitFactory(organization=other_organization)
    MembershipFactory(
        user=officer, organization=other_organization, unit=elsewhere, role=Role.CASE_OFFICER
    )
    _case(other_organization, elsewhere, days=-30, assignee=officer, subject="Elsewhere")
    client.force_login(officer)

    response = client.get(reverse(HOME))

    panel = _panel(response, "cases/home_my_cases.html")
    assert panel.context["cases"] == [overdue, soon, later]
    html = response.content.decode()
    assert "Overdue one" in html
    assert "Closed one" not in html
    assert "Nobody" not in html
    assert "Elsewhere" not in html
    assert html.index("Overdue one") < html.index("Soon one") < html.index("Later one")
    with translation.override(response.context["LANGUAGE_CODE"]):
        shown = date_format(timezone.localtime(overdue.due_at), "SHORT_DATETIME_FORMAT")
    assert shown in html  # the deadline itself, not only its order


def test_officer_home_lists_ten_cases_and_links_to_the_rest(client, organization, branch, officer):
    for day in range(PANEL_ROWS + 3):
        _case(organization, branch, days=day + 1, assignee=officer)
    client.force_login(officer)

    response = client.get(reverse(HOME))

    assert len(_panel(response, "cases/home_my_cases.html").context["cases"]) == PANEL_ROWS
    assert f'href="{reverse("cases:inbox")}?mine=on"' in response.content.decode()


def test_officer_without_cases_is_told_so(client, organization, officer):
    client.force_login(officer)

    response = client.get(reverse(HOME))

    panel = _panel(response, "cases/home_my_cases.html")
    assert panel.context["cases"] == []
    assert "No hay casos abiertos." in response.content.decode()


def test_unit_head_sees_the_unit_open_cases_and_how_many_are_overdue(
    client, organization, branch, other_branch, unit_head, officer
):
    overdue = _case(organization, branch, days=-1, assignee=officer, subject="Late in Arica")
    waiting = _case(organization, branch, days=3, subject="Fresh in Arica")
    _case(organization, other_branch, days=-5, subject="In Temuco")
    client.force_login(unit_head)

    response = client.get(reverse(HOME))

    (entry,) = _panel(response, "cases/home_unit_cases.html").context["units"]
    assert entry["unit"] == branch
    assert entry["cases"] == [overdue, waiting]
    assert (entry["open_count"], entry["overdue_count"]) == (2, 1)
    html = response.content.decode()
    assert "In Temuco" not in html
    assert f"?unit={branch.pk}&amp;due=overdue" in html
    assert "cases/home_my_cases.html" not in [p.template for p in response.context["panels"]]


def test_unit_head_counts_stop_at_a_cap(client, organization, branch, unit_head):
    from compromiso.cases import home

    for _ in range(home.COUNT_CAP + 2):
        _case(organization, branch, days=-1)
    client.force_login(unit_head)

    response = client.get(reverse(HOME))

    (entry,) = _panel(response, "cases/home_unit_cases.html").context["units"]
    assert (entry["overdue_count"], entry["overdue_more"]) == (home.COUNT_CAP, True)
    assert f": {home.COUNT_CAP}+</a>" in response.content.decode()


def test_quality_manager_and_viewer_get_no_case_panels(client, quality_manager, viewer):
    for person in (quality_manager, viewer):
        client.force_login(person)
        templates = [p.template for p in client.get(reverse(HOME)).context["panels"]]
        assert not [t for t in templates if t.startswith("cases/")]
