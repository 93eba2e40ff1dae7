"""GET /staff: the staff list in the token's scope, filtered and paginated."""

import pytest

from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import StaffRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(organization, region, branch, other_branch):
    counter = TouchPointFactory(organization=organization, unit=branch, name="Mesón")
    make = services.create_staff_member
    ana = make(organization, by=SYSTEM, unit=branch, code="1", name="Ana", touch_points=[counter])
    make(organization, by=SYSTEM, unit=branch, code="2", name="Bea", role=StaffRole.BACK_OFFICE)
    make(organization, by=SYSTEM, unit=other_branch, code="3", name="Tom", is_manager=True)
    services.deactivate_staff_member(
        make(organization, by=SYSTEM, unit=region, code="4", name="Zoe"), by=SYSTEM
    )
    return {"ana": ana, "counter": counter}


def _codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["items"]]


def test_the_list_gives_each_person_with_their_touch_points(api_as, viewer, staff, branch):
    body = api_as(viewer).get("/staff").json()

    assert body["count"] == 4
    ana = body["items"][0]
    assert ana == {
        "id": staff["ana"].pk,
        "code": "1",
        "name": "Ana",
        "email": "",
        "unit": branch.pk,
        "role": "contact",
        "is_manager": False,
        "touch_points": [staff["counter"].pk],
        "user": None,
        "is_active": True,
    }


def test_filters_by_unit_subtree_role_touch_point_state_and_text(api_as, viewer, staff, region):
    api = api_as(viewer)

    assert _codes(api.get("/staff", unit=region.pk)) == ["1", "2", "4"]
    assert _codes(api.get("/staff", role="back_office")) == ["2"]
    assert _codes(api.get("/staff", touch_point=staff["counter"].pk)) == ["1"]
    assert _codes(api.get("/staff", is_active="false")) == ["4"]
    assert _codes(api.get("/staff", is_manager="true")) == ["3"]
    assert _codes(api.get("/staff", q="bE")) == ["2"]
    assert _codes(api.get("/staff", unit=999999)) == []
    assert _codes(api.get("/staff", limit=2, offset=1)) == ["2", "3"]


def test_a_unit_head_sees_their_units_people_only(api_as, unit_head, staff):
    assert _codes(api_as(unit_head).get("/staff")) == ["1", "2"]


def test_another_organisation_sees_none_of_it(api_as, outsider, staff, region):
    assert _codes(api_as(outsider).get("/staff")) == []
    assert _codes(api_as(outsider).get("/staff", unit=region.pk)) == []


def test_the_list_needs_a_token(anonymous_api):
    assert anonymous_api.get("/staff").status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"unit": "abc"},
        {"unit": "0"},
        {"unit": "99999999999999999999999"},
        {"role": "chief"},
        {"touch_point": "-1"},
        {"is_active": "maybe"},
        {"q": "x" * 101},
        {"q": "a\x00b"},
        {"limit": "0"},
        {"limit": "201"},
        {"offset": "-1"},
    ],
)
def test_malformed_parameters_are_422_json(api_as, viewer, staff, params):
    response = api_as(viewer).get("/staff", **params)

    assert response.status_code == 422
    assert response.json()["code"]
