"""What each snapshot freezes: the figures of the read models for the audit period, checked
against values computed by hand, in the organisation's own dates; and the fingerprint."""

import datetime as dt
import hashlib
import math

import pytest
from django.core.exceptions import ValidationError

from compromiso.audits import snapshots
from compromiso.audits.models import SamplingRecord
from compromiso.audits.tests.factories import AuditFactory
from compromiso.audits.tests.test_snapshots_fixtures import *  # noqa: F403 (fixtures)
from compromiso.audits.tests.test_snapshots_fixtures import local, receive
from compromiso.catalog.tests.factories import TouchPointFactory

pytestmark = pytest.mark.django_db


def test_the_fingerprint_is_the_sha256_of_the_canonical_json():
    payload = {"d": dt.date(2026, 6, 30), "b": "ñ", "a": [1, 2.5, None]}

    assert snapshots.canonical_json(payload) == '{"a":[1,2.5,null],"b":"ñ","d":"2026-06-30"}'
    assert snapshots.fingerprint(payload) == (
        "0df45e8a6c840cac00d1193d056a7c69859fd0cff8777bcfd74fb6bf173901ff"
    )
    assert (
        snapshots.fingerprint(payload)
        == hashlib.sha256('{"a":[1,2.5,null],"b":"ñ","d":"2026-06-30"}'.encode()).hexdigest()
    )


def test_a_frozen_payload_keeps_its_fingerprint():
    payload = {"when": dt.date(2026, 1, 31), "value": 66.67, "rows": [(1, "a")]}
    stored = snapshots.frozen(payload)

    assert stored == {"when": "2026-01-31", "value": 66.67, "rows": [[1, "a"]]}
    assert snapshots.fingerprint(stored) == snapshots.fingerprint(payload)


def test_touch_point_cases_match_the_hand_count_in_local_dates(audit, web_point, period_cases):
    payload = snapshots.touch_point_cases(audit, web_point)

    totals = payload["totals"]
    # Three in March plus one at 23:30 local time on 30 June (03:30 UTC on 1 July); the one at
    # 00:30 on 1 July and the phone one are left out.
    assert totals["received"] == 4
    assert totals["answered"] == 3
    assert totals["answered_on_time"] == 66.7  # 2 of 3 within the deadline
    assert totals["median_days"] == 2  # 1, 2 and ~44 business days
    assert payload["by_kind"] == [["Reclamo", 4]]
    assert [row[0] for row in payload["months"]] == ["2026-03", "2026-05", "2026-06"]
    assert payload["touch_point"]["name"] == "Web Arica"


def test_a_case_at_23_30_local_time_on_the_last_day_counts_in_the_period(
    audit, organization, web, licences, web_point, case_sample
):
    """America/Santiago is UTC−4 in June: 23:30 on 30 June is 03:30 UTC on 1 July."""
    last = receive(organization, web, licences, local(dt.date(2026, 6, 30), 23, 30))
    assert last.received_at.astimezone(dt.UTC).date() == dt.date(2026, 7, 1)
    case_sample.items = [last.pk]
    case_sample.save()

    figures = snapshots.touch_point_cases(audit, web_point)
    sample = snapshots.case_sample(audit, case_sample)

    assert {month: received for month, received, _answered in figures["months"]}[
        "2026-06"
    ] == 2  # this one and the fixture's own case at 23:30
    assert sample["cases"][0]["received_on"] == dt.date(2026, 6, 30)


def test_a_commitments_measurements_in_the_period(audit, commitment, measurements, period_cases):
    payload = snapshots.commitment_measurements(audit, commitment)

    rows = payload["measurements"]
    assert [r["period"] for r in rows] == ["2026-01", "2026-02", "2026-03"]  # not December
    assert [r["value"] for r in rows] == [95, 80, None]
    assert [r["met"] for r in rows] == [True, False, None]
    assert payload["summary"] == {
        "periods": 3,
        "met": 1,
        "not_met": 1,
        "no_data": 1,
        "pending": 0,
    }
    assert payload["commitment"]["target"] == 90
    # Over the whole period: 2 of the 3 answered complaints within 10 business days.
    overall = payload["overall"]
    assert (overall["value"], overall["n"], overall["met"]) == (66.67, 3, False)


def test_a_survey_segment_net_score_with_its_interval(audit, wave, web, web_answers):
    payload = snapshots.survey_segment(audit, wave, f"channel:{web.pk}")

    # p+ = 0.6, p- = 0.2: N = 40 points, SE = √((0.6 + 0.2 − 0.4²)/10) = √0.064.
    se = math.sqrt(0.064) * 100
    assert payload["n"] == 10
    assert (payload["satisfied"], payload["dissatisfied"]) == (6, 2)
    assert payload["net"]["value"] == 40.0
    assert payload["net"]["low"] == pytest.approx(40 - 1.959964 * se, abs=0.01)
    assert payload["net"]["high"] == pytest.approx(40 + 1.959964 * se, abs=0.01)
    assert payload["shown"] is True
    assert payload["distribution"] == [[2, 2], [5, 2], [7, 6]]
    assert payload["segment"]["label"] == "Sitio web"


def test_a_survey_segment_by_user_type_reads_the_segment_counts(audit, wave, web_answers):
    payload = snapshots.survey_segment(audit, wave, "user_type:business")

    assert payload["n"] == 2
    assert payload["net"]["value"] == -100.0
    assert snapshots.survey_segment(audit, wave, "all")["n"] == 12


def test_a_case_sample_lists_codes_and_dates_never_the_requester(audit, case_sample, period_cases):
    payload = snapshots.case_sample(audit, case_sample)

    first, late = period_cases["march"][0], period_cases["march"][2]
    assert [row["code"] for row in payload["cases"]] == [first.tracking_code, late.tracking_code]
    assert [row["deadline_met"] for row in payload["cases"]] == [True, False]
    assert payload["cases"][0]["received_on"] == dt.date(2026, 3, 2)
    assert payload["missing"] == 1
    assert payload["summary"]["deadline_met_percent"] == 50.0
    text = snapshots.canonical_json(payload)
    for personal in ("Ana", "ana@example.com", "1234 5678", "Esperé", "Demora"):
        assert personal not in text


def test_protocol_compliance_at_a_touch_point_in_the_period(audit, counter, observations):
    payload = snapshots.protocol_compliance_at(audit, counter)

    assert payload["total"] == {"met": 2, "applicable": 3, "observations": 1, "percent": 66.67}
    assert [row["name"] for row in payload["protocols"]] == ["Atención presencial"]
    assert {row["behaviour"]: row["percent"] for row in payload["steps"]} == {
        "Saludar e identificarse": 100,
        "Escuchar sin interrumpir": 100,
        "Cerrar y ofrecer la encuesta": 0,
    }


def test_a_period_without_observations_has_no_value_not_zero(audit, counter, protocol):
    payload = snapshots.protocol_compliance_at(audit, counter)

    assert payload["total"]["percent"] is None


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        ("forged", {}, "snapshot_kind"),
        ("tp_cases", {"touch_point": "1 OR 1=1"}, "touch_point"),
        ("tp_cases", {"touch_point": "²"}, "touch_point"),
        ("tp_cases", {"unit": "1"}, "snapshot_kind"),
        ("commitment", {}, "commitment"),
        ("survey_segment", {"wave": ""}, "wave"),
        ("case_sample", {"sample": "99999999999999999999999"}, "sample"),
    ],
)
def test_forged_kinds_and_parameters_are_refused(audit, kind, params, field):
    with pytest.raises(ValidationError) as refused:
        snapshots.build(audit, kind, params)

    assert field in refused.value.message_dict


def test_ids_of_another_organisation_or_outside_the_scope_are_refused(
    audit, other_organization, web_point, counter, wave, commitment
):
    foreign_point = TouchPointFactory(organization=other_organization)
    foreign_audit = AuditFactory(organization=other_organization)
    foreign_sample = SamplingRecord.objects.create(
        audit=foreign_audit,
        title="Ajena",
        population="cases",
        sample_size=1,
        method="random",
        seed=1,
        items=[1],
        drawn_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
    )
    for kind, params, field in (
        ("tp_cases", {"touch_point": foreign_point.pk}, "touch_point"),
        ("protocol", {"touch_point": foreign_point.pk}, "touch_point"),
        ("case_sample", {"sample": foreign_sample.pk}, "sample"),
        (
            "survey_segment",
            {"wave": wave.pk, "segment": f"touch_point:{foreign_point.pk}"},
            "segment",
        ),
        ("survey_segment", {"wave": wave.pk, "segment": "user_type:<script>"}, "segment"),
    ):
        with pytest.raises(ValidationError) as refused:
            snapshots.build(audit, kind, params)
        assert field in refused.value.message_dict

    audit.touch_points.set([counter])  # the scope: only the counter
    with pytest.raises(ValidationError):
        snapshots.build(audit, "tp_cases", {"touch_point": web_point.pk})
    assert snapshots.build(audit, "tp_cases", {"touch_point": counter.pk}).touch_point == counter


def test_a_wave_of_another_organisation_is_refused(audit, other_organization, wave):
    wave.organization = other_organization
    wave.save(update_fields=["organization"])

    with pytest.raises(ValidationError) as refused:
        snapshots.build(audit, "survey_segment", {"wave": wave.pk})

    assert "wave" in refused.value.message_dict
