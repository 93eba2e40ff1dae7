"""Ids from URLs, query strings and forms are parsed one way: crafted ids are a 404 or are
ignored, never a 500."""

import datetime as dt
import string

import pytest
from django.urls import Resolver404, resolve, reverse
from hypothesis import example, given
from hypothesis import strategies as st

from compromiso.cases.models import Category
from compromiso.cases.tests.factories import CaseFactory
from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.charters import services as charters
from compromiso.core.ids import MAX_ID, IdConverter, parse_id, parse_ids

CRAFTED = [
    "²",
    "١٢",
    "１２",
    "0",
    "-1",
    "+1",
    " 1",
    "1 ",
    "1.0",
    "1e3",
    "",
    "x",
    "1" * 23,
    "9" * 19,
]


@given(st.integers(min_value=1, max_value=MAX_ID))
def test_every_id_in_range_round_trips_through_its_decimal_text(number):
    assert parse_id(str(number)) == number
    assert parse_id(number) == number
    assert IdConverter().to_python(str(number)) == number


@given(st.integers().filter(lambda n: not 1 <= n <= MAX_ID))
@example(0)
@example(MAX_ID + 1)
@example(10**22)
def test_numbers_outside_a_bigints_positive_range_are_no_id(number):
    assert parse_id(str(number)) is None
    assert parse_id(number) is None


@given(st.text())
@example("²")
@example("١٢")
@example("12\n")
def test_text_is_an_id_only_when_it_is_plain_ascii_digits(text):
    parsed = parse_id(text)
    plain = bool(text) and all(c in string.digits for c in text) and 1 <= int(text) <= MAX_ID
    assert (parsed is not None) == plain
    if plain:
        assert parsed == int(text)


def test_other_values_are_no_id():
    assert parse_id(None) is None
    assert parse_id(True) is None
    assert parse_id(3.0) is None
    assert parse_ids(["3", "²", "3", "x", "2"]) == [3, 2]


@pytest.mark.parametrize("crafted", CRAFTED[:-1])
def test_a_url_with_a_crafted_id_matches_no_page(crafted):
    with pytest.raises(Resolver404):
        resolve(f"/staff/cases/{crafted}/")


def test_the_largest_id_still_matches_and_reverses():
    assert resolve(f"/staff/cases/{MAX_ID}/").kwargs == {"pk": MAX_ID}
    assert reverse("cases:detail", args=[MAX_ID]) == f"/staff/cases/{MAX_ID}/"


@pytest.mark.django_db
@pytest.mark.parametrize("crafted", CRAFTED)
def test_staff_pages_answer_crafted_ids_without_a_server_error(client, quality_manager, crafted):
    client.force_login(quality_manager)
    case = CaseFactory(organization=quality_manager.memberships.first().organization)
    pages = [
        ("get", f"/staff/cases/{crafted}/", {}),
        ("get", f"/staff/cases/{case.pk}/?canned={crafted}", {}),
        ("get", f"/staff/catalog/services/?unit={crafted}", {}),
        ("get", f"/staff/improvement/new/?case={crafted}&commitment={crafted}", {}),
        ("get", f"/staff/improvement/new/?wave={crafted}&driver={crafted}", {}),
        ("get", f"/staff/improvement/new/?root_cause={crafted}", {}),
        ("get", f"/staff/audit/cases/case/{crafted}/", {}),
        ("get", f"/staff/cases/?after=2026-01-01T00:00:00%2B00:00_{crafted}", {}),
        ("post", "/staff/cases/assign/", {"case": [crafted]}),
        ("post", "/staff/switch/", {"organization": crafted}),
        ("post", "/staff/cases/taxonomy/", {"toggle_category": crafted}),
        ("post", "/staff/cases/taxonomy/", {"toggle_cause": crafted}),
    ]
    client.raise_request_exception = False
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (method, url, data, response.status_code)


@pytest.mark.django_db
def test_a_crafted_taxonomy_toggle_is_not_found_and_changes_nothing(client, quality_manager):
    client.force_login(quality_manager)
    client.post(reverse("cases:taxonomy"), {"install_causes": "1"})
    before = list(Category.objects.values_list("pk", "is_active"))

    response = client.post(reverse("cases:taxonomy"), {"toggle_category": "²"})

    assert response.status_code == 404
    assert list(Category.objects.values_list("pk", "is_active")) == before


@pytest.mark.django_db
def test_the_history_of_a_row_without_its_own_organisation_opens(
    client, organization, quality_manager, branch
):
    service = ServiceFactory(organization=organization, provider_unit=branch, name="Licencias")
    charter = charters.create_charter(
        organization,
        by=quality_manager,
        title="Carta",
        profile="cl_public",
        language="es",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2026, 12, 31),
        services=[service],
    )
    commitment = charters.save_commitment(
        charter,
        by=quality_manager,
        service=service,
        text="Respondemos en 10 días hábiles.",
        indicator="% respondidos en 10 días hábiles",
        source="cases_within_days",
        threshold_days=10,
        case_kind="complaint",
        comparator="gte",
        target=90,
        periodicity="monthly",
    )
    client.force_login(quality_manager)

    response = client.get(f"/staff/audit/charters/commitment/{commitment.pk}/")
    capitalised = client.get(f"/staff/audit/organizations/Organization/{organization.pk}/")

    assert response.status_code == 200
    assert capitalised.status_code == 200
