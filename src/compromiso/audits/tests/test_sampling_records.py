"""Sampling records: the population read from live data in the audited period, drawn
reproducibly, kept without personal data, verified by drawing again; the pages, their
permissions and hostile input."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from compromiso.audits import sampling, services
from compromiso.audits.models import SamplingRecord
from compromiso.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.usefixtures("in_english")

SANTIAGO = zoneinfo.ZoneInfo("America/Santiago")


@pytest.fixture
def cases(field_audit, arica_counter, arica_phone):
    """30 cases in the period (Jan–Jun 2026): 20 at the counter, 10 on the phone line, plus
    one the day before and one the day after the period (organisation's time)."""
    made = []
    for n in range(30):
        touch_point = arica_counter if n < 20 else arica_phone
        made.append(
            CaseFactory(
                organization=field_audit.organization,
                channel=touch_point.channel,
                touch_point=touch_point,
                received_at=dt.datetime(2026, 1 + n % 6, 1 + n % 27, 10, tzinfo=SANTIAGO),
            )
        )
    CaseFactory(
        organization=field_audit.organization,
        channel=arica_counter.channel,
        received_at=dt.datetime(2025, 12, 31, 23, 59, tzinfo=SANTIAGO),
    )
    CaseFactory(
        organization=field_audit.organization,
        channel=arica_counter.channel,
        received_at=dt.datetime(2026, 7, 1, 0, 0, tzinfo=SANTIAGO),
    )
    return made


def draw(audit, by, **fields):
    arguments = {"title": "Casos del semestre", "population": "cases", "method": "random"}
    arguments.update(fields)
    return services.draw_sample(audit, by=by, **arguments)


def test_cases_of_the_period_are_the_population_in_the_organisations_days(
    field_audit, team_auditor, cases
):
    record = draw(field_audit, team_auditor, sample_size=5, seed=123)
    assert record.population_size == 30
    keys = [str(case.pk) for case in sorted(cases, key=lambda c: c.pk)]
    assert record.items == [
        {"key": key, "label": c.tracking_code, "pk": c.pk, "code": c.tracking_code}
        for key in sampling.draw_random(keys, 5, 123)
        for c in cases
        if str(c.pk) == key
    ]
    assert record.fingerprint == sampling.fingerprint(
        "random", keys, 5, 123, [item["key"] for item in record.items]
    )


def test_a_drawn_case_keeps_no_personal_data(field_audit, team_auditor, cases):
    record = draw(field_audit, team_auditor, sample_size=30, seed=1)
    stored = str(record.items)
    assert "Ana Pérez" not in stored
    assert "Esperé" not in stored
    assert "Demora" not in stored
    assert set(record.items[0]) == {"key", "label", "pk", "code"}


def test_the_seed_is_generated_when_left_empty_and_shown(field_audit, team_auditor, cases):
    record = draw(field_audit, team_auditor, sample_size=3)
    assert 0 <= record.seed < 2**48
    again = draw(field_audit, team_auditor, sample_size=3, seed=record.seed)
    assert again.items == record.items
    assert again.fingerprint == record.fingerprint


def test_stratified_by_touch_point_takes_the_proportional_share(field_audit, team_auditor, cases):
    record = draw(
        field_audit, team_auditor, sample_size=9, seed=5, method="stratified", strata="touch_point"
    )
    strata = [item["stratum"] for item in record.items]
    # 20 and 10 of 30, n = 9: quotas 6 and 3.
    assert strata.count("Mesón Arica") == 6
    assert strata.count("Fono Arica") == 3


def test_filter_by_touch_point(field_audit, team_auditor, cases, arica_phone):
    record = draw(
        field_audit, team_auditor, sample_size=2, seed=5, filters={"touch_point": arica_phone.pk}
    )
    assert record.population_size == 10


def test_filters_of_another_organisation_are_refused(
    field_audit, team_auditor, cases, other_organization
):
    from compromiso.catalog.tests.factories import TouchPointFactory

    foreign = TouchPointFactory(organization=other_organization)
    with pytest.raises(ValidationError) as refused:
        draw(field_audit, team_auditor, sample_size=2, filters={"touch_point": foreign.pk})
    assert "touch_point" in refused.value.message_dict


def test_verify_matches_and_then_differs_when_a_late_case_enters_the_period(
    field_audit, team_auditor, cases, arica_counter
):
    record = draw(field_audit, team_auditor, sample_size=10, seed=77)
    assert services.verify_sample(record, by=team_auditor).matches
    CaseFactory(
        organization=field_audit.organization,
        channel=arica_counter.channel,
        received_at=dt.datetime(2026, 3, 3, 9, tzinfo=SANTIAGO),
    )
    checked = services.verify_sample(record, by=team_auditor)
    assert not checked.matches
    assert checked.population_size == 31


@pytest.mark.parametrize("size", [0, 31])
def test_sample_size_must_be_one_to_the_population(field_audit, team_auditor, cases, size):
    with pytest.raises(ValidationError) as refused:
        draw(field_audit, team_auditor, sample_size=size)
    assert "sample_size" in refused.value.message_dict


def test_an_empty_population_is_refused(field_audit, team_auditor):
    with pytest.raises(ValidationError) as refused:
        draw(field_audit, team_auditor, sample_size=1)
    assert "population" in refused.value.message_dict


def test_another_population_is_pasted_and_kept_to_draw_again(field_audit, team_auditor):
    pasted = "\n".join(f"EXP-{n:04d}" for n in range(1, 201)) + "\n\nEXP-0001\n"
    record = draw(
        field_audit,
        team_auditor,
        population="other",
        method="systematic",
        sample_size=20,
        seed=9,
        keys_text=pasted,
    )
    assert record.population_size == 200  # blank lines and the repeat dropped
    step = 10
    start = __import__("random").Random(9).randrange(step)
    assert [item["key"] for item in record.items] == [
        f"EXP-{start + 1 + i * step:04d}" for i in range(20)
    ]
    assert services.verify_sample(record, by=team_auditor).matches


def test_an_oversized_pasted_list_is_refused_with_a_clear_message(field_audit, team_auditor):
    pasted = "\n".join(str(n) for n in range(10_001))
    with pytest.raises(ValidationError) as refused:
        draw(field_audit, team_auditor, population="other", sample_size=5, keys_text=pasted)
    assert "10,001" in refused.value.message_dict["keys"][0]
    assert "10,000" in refused.value.message_dict["keys"][0]


def test_judgement_sample_by_tracking_codes(field_audit, team_auditor, cases):
    chosen = f"{cases[4].tracking_code}\n{cases[2].tracking_code}\n"
    record = draw(field_audit, team_auditor, method="judgement", chosen_text=chosen)
    assert record.sample_size == 2
    assert [item["pk"] for item in record.items] == sorted([cases[2].pk, cases[4].pk])
    assert services.verify_sample(record, by=team_auditor).matches
    with pytest.raises(ValidationError):
        draw(field_audit, team_auditor, method="judgement", chosen_text="OIRS-NO-EXISTE")


def test_a_unit_head_may_not_draw(field_audit, unit_head, cases):
    with pytest.raises(PermissionDenied):
        draw(field_audit, unit_head, sample_size=2)


# --- Pages ----------------------------------------------------------------------------------


def test_auditor_draws_on_the_page_and_sees_seed_fingerprint_and_codes(
    client, field_audit, team_auditor, cases
):
    client.force_login(team_auditor)
    page = client.get(reverse("audits:sample_new", args=[field_audit.pk]))
    assert page.status_code == 200
    assert '<td class="text-end">30</td>' in page.content.decode()
    response = client.post(
        reverse("audits:sample_new", args=[field_audit.pk]),
        {
            "title": "Reclamos",
            "population": "cases",
            "method": "random",
            "sample_size": "4",
            "seed": "31337",
        },
    )
    record = SamplingRecord.objects.get()
    assert response.status_code == 302
    detail = client.get(reverse("audits:sample", args=[field_audit.pk, record.pk])).content.decode()
    assert "31337" in detail
    assert record.fingerprint in detail
    assert record.items[0]["code"] in detail
    verified = client.post(reverse("audits:sample_verify", args=[field_audit.pk, record.pk]))
    assert verified.status_code == 200
    assert "the fingerprint matches" in verified.content.decode()


def test_an_oversized_paste_on_the_page_keeps_the_form_and_says_why(
    client, field_audit, team_auditor
):
    client.force_login(team_auditor)
    response = client.post(
        reverse("audits:sample_new", args=[field_audit.pk]),
        {
            "title": "Otra",
            "population": "other",
            "method": "random",
            "sample_size": "5",
            "keys": "\n".join(str(n) for n in range(10_500)),
        },
    )
    assert response.status_code == 400
    assert "10,500" in response.content.decode()
    assert SamplingRecord.objects.count() == 0


@pytest.mark.parametrize(
    "posted",
    [
        {"sample_size": "-3"},
        {"sample_size": "99999999999999999999999"},
        {"seed": "-1"},
        {"seed": str(2**63)},
        {"method": "lottery"},
        {"population": "citizens"},
        {"touch_point": "1 OR 1=1"},
        {"title": "x" * 201},
    ],
)
def test_hostile_sample_forms_are_refused_without_an_error_page(
    client, field_audit, team_auditor, cases, posted
):
    client.force_login(team_auditor)
    data = {"title": "T", "population": "cases", "method": "random", "sample_size": "2"}
    data.update(posted)
    response = client.post(reverse("audits:sample_new", args=[field_audit.pk]), data)
    assert response.status_code == 400
    assert SamplingRecord.objects.count() == 0


def test_permissions_on_the_sampling_pages(
    client, field_audit, team_auditor, viewer, outsider, cases
):
    record = draw(field_audit, team_auditor, sample_size=2, seed=1)
    client.force_login(viewer)
    assert client.get(reverse("audits:sampling", args=[field_audit.pk])).status_code == 200
    assert client.get(reverse("audits:sample_new", args=[field_audit.pk])).status_code == 403
    client.force_login(outsider)
    for url in (
        reverse("audits:sampling", args=[field_audit.pk]),
        reverse("audits:sample", args=[field_audit.pk, record.pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("audits:sample_verify", args=[field_audit.pk, record.pk])).status_code
        == 404
    )
    client.logout()
    response = client.get(reverse("audits:sampling", args=[field_audit.pk]))
    assert response.status_code == 302


def test_a_record_of_another_audit_is_not_found(client, field_audit, team_auditor, cases):
    from compromiso.audits.tests.factories import AuditFactory

    record = draw(field_audit, team_auditor, sample_size=2, seed=1)
    other = AuditFactory(organization=field_audit.organization)
    client.force_login(team_auditor)
    assert client.get(reverse("audits:sample", args=[other.pk, record.pk])).status_code == 404
