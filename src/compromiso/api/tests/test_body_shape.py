"""A request body that is JSON but not an object (a list, a string, a number, null) is refused
with a JSON 400 and changes nothing, even where every field of the operation is optional."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw", ["[1, 2, 3]", '"text"', "12", "null", '{"name": NaN}', '{"name": Infinity}']
)
def test_a_patch_whose_body_is_not_an_object_is_refused(api_as, quality_manager, organization, raw):
    name = organization.name
    response = api_as(quality_manager).patch("/organization", raw=raw)

    assert response.status_code == 400
    assert response.json()["code"]
    organization.refresh_from_db()
    assert organization.name == name


def test_an_object_body_still_changes_the_organisation(api_as, quality_manager, organization):
    response = api_as(quality_manager).patch("/organization", {"name": "Servicio Renombrado"})

    assert response.status_code == 200
    organization.refresh_from_db()
    assert organization.name == "Servicio Renombrado"
