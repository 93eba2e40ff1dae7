"""Mystery shopping through its services: a round is an audit of kind "mystery"; its schedule
is stored reproducibly, never on a closure day; recorded visits become protocol observations by
mystery shopping that protocol compliance counts (figures worked out by hand); who may record
which visit; and every refusal of bad input."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from scipy.stats import binomtest

from compromiso.audits import services
from compromiso.audits.models import AuditKind, MysteryAnswer, VisitStatus
from compromiso.audits.mystery_results import export_table, round_results
from compromiso.audits.tests import mystery_fixtures
from compromiso.audits.tests.mystery_fixtures import ALL_MET, MARCH, moment, visit_at
from compromiso.cases.tests.factories import CaseFactory
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.organizations.models import ClosureDay
from compromiso.servicemodel import services as servicemodel
from compromiso.servicemodel.compliance import protocol_compliance
from compromiso.servicemodel.models import CheckMethod, ProtocolCheck
from compromiso.servicemodel.tests.protocol_fixtures import outcomes

pytestmark = pytest.mark.django_db

counter = mystery_fixtures.counter
phone = mystery_fixtures.phone
protocol = mystery_fixtures.protocol
protocol_draft = mystery_fixtures.protocol_draft
certificates = mystery_fixtures.certificates
counter_scenario = mystery_fixtures.counter_scenario
phone_scenario = mystery_fixtures.phone_scenario
second_auditor = mystery_fixtures.second_auditor
mystery_round = mystery_fixtures.mystery_round
scheduled = mystery_fixtures.scheduled


def record(visit, by, protocol, *values, day=3, wait=5, service=8, answers=ALL_MET, **extra):
    return services.record_visit(
        visit,
        by=by,
        visited_at=moment(day),
        steps=outcomes(protocol, *values) if protocol is not None else {},
        answers=answers,
        wait_minutes=wait,
        service_minutes=service,
        **extra,
    )


def test_a_round_is_an_audit_of_kind_mystery_with_its_window_scope_and_observers(
    mystery_round, counter, phone, auditor, quality_manager
):
    audit = mystery_round.audit

    assert audit.kind == AuditKind.MYSTERY
    assert (audit.planned_start, audit.planned_end) == MARCH
    assert (audit.period_start, audit.period_end) == MARCH
    assert set(audit.touch_points.all()) == {counter, phone}
    assert list(mystery_round.observers.all()) == [auditor]
    assert audit.lead == quality_manager
    assert mystery_round.slots == (9, 10, 11, 12, 13)


def test_only_a_manager_creates_a_round_and_only_with_the_organisations_rows(
    organization, auditor, quality_manager, viewer, counter, other_organization
):
    window = {"planned_start": MARCH[0], "planned_end": MARCH[1]}
    with pytest.raises(PermissionDenied):
        services.create_round(organization, by=auditor, reference="R1", title="R", **window)
    foreign = TouchPointFactory(organization=other_organization)
    with pytest.raises(ValidationError) as refused:
        services.create_round(
            organization,
            by=quality_manager,
            reference="R1",
            title="R",
            touch_points=[foreign],
            **window,
        )
    assert "touch_points" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.create_round(
            organization,
            by=quality_manager,
            reference="R1",
            title="R",
            observers=[viewer],
            **window,
        )
    assert "observers" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.create_round(
            organization,
            by=quality_manager,
            reference="R1",
            title="R",
            afternoon_from=16,
            **window,
        )
    assert "afternoon_to" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.create_round(
            organization,
            by=quality_manager,
            reference="R1",
            title="R",
            planned_start=MARCH[1],
            planned_end=MARCH[0],
        )


def test_the_schedule_is_stored_reproducibly_spread_and_never_on_a_closure_day(
    organization, mystery_round, quality_manager, counter, phone, auditor, second_auditor
):
    closed = dt.date(2026, 3, 4)
    ClosureDay.objects.create(organization=organization, date=closed, name="Cierre")
    services.update_round(mystery_round, by=quality_manager, observers=[auditor, second_auditor])

    result = services.schedule_round(mystery_round, by=quality_manager, seed=99)
    zone = organization.zone
    first = [
        (v.touch_point_id, v.scenario_id, v.scheduled_at.astimezone(zone))
        for v in mystery_round.visits.order_by("number")
    ]
    services.schedule_round(mystery_round, by=quality_manager, seed=99)
    again = [
        (v.touch_point_id, v.scenario_id, v.scheduled_at.astimezone(zone))
        for v in mystery_round.visits.order_by("number")
    ]

    assert result.visits == 6
    assert result.skipped == []
    assert again == first
    assert closed not in {when.date() for _tp, _sc, when in first}
    assert all(when.weekday() < 5 and 9 <= when.hour < 14 for _tp, _sc, when in first)
    assert Counter(tp for tp, _sc, _when in first) == {counter.pk: 3, phone.pk: 3}
    # Observers take the visits in turn.
    assert Counter(mystery_round.visits.values_list("observer", flat=True)) == {
        auditor.pk: 3,
        second_auditor.pk: 3,
    }
    entry = AuditEntry.objects.filter(action="audits.mystery.scheduled").order_by("pk").last()
    assert entry.data["seed"] == 99
    assert entry.data["replaced"] == 6


def test_a_touch_point_without_a_fitting_scenario_is_skipped_and_named(
    organization, mystery_round, quality_manager, branch
):
    web = TouchPointFactory(
        organization=organization,
        unit=branch,
        channel=ChannelFactory(organization=organization, kind="web", name="Web"),
        name="Portal",
    )
    services.update_round(
        mystery_round,
        by=quality_manager,
        touch_points=[*mystery_round.audit.touch_points.all(), web],
    )

    result = services.schedule_round(mystery_round, by=quality_manager)

    assert result.skipped == [web]
    assert not mystery_round.visits.filter(touch_point=web).exists()


def test_a_proportional_round_gives_more_visits_where_more_cases_came_in(
    organization, mystery_round, quality_manager, counter, phone
):
    # The window is 12 days; the previous 12 days are 18 Feb to 1 Mar.
    before = dt.datetime(2026, 2, 20, 15, tzinfo=dt.UTC)
    for _ in range(9):
        CaseFactory(organization=organization, touch_point=counter, received_at=before)
    CaseFactory(organization=organization, touch_point=phone, received_at=before)
    CaseFactory(  # inside the window: not counted
        organization=organization, touch_point=phone, received_at=moment(5)
    )
    services.update_round(
        mystery_round, by=quality_manager, allocation="proportional", visits_per_stratum=5
    )

    services.schedule_round(mystery_round, by=quality_manager)

    # 10 visits: one each, the other 8 shared 9:1 = 7.2, 0.8 → 7 + 1 and 0 + 1 (remainder).
    visits = Counter(mystery_round.visits.values_list("touch_point", flat=True))
    assert visits == {counter.pk: 8, phone.pk: 2}


def test_recorded_visits_count_in_protocol_compliance_by_mystery_shopping(
    organization, scheduled, auditor, protocol, counter
):
    first, second = visit_at(scheduled, counter, 0), visit_at(scheduled, counter, 1)
    record(first, auditor, protocol, "met", "met", "not_met", day=3, wait=5)
    record(
        second,
        auditor,
        protocol,
        "met",
        "na",
        "met",
        day=5,
        wait=12,
        answers={"outcome": ("not_met", "Tardó 40 minutos."), "information": ("met", "")},
    )
    # A supervisor's observation in the same days: not mystery shopping.
    servicemodel.record_protocol_check(
        protocol,
        counter,
        by=SYSTEM,
        observed_on=dt.date(2026, 3, 4),
        method=CheckMethod.SUPERVISION,
        results=outcomes(protocol, "not_met", "not_met", "not_met"),
    )

    mystery = protocol_compliance(organization, *MARCH, method=CheckMethod.MYSTERY)
    everything = protocol_compliance(organization, *MARCH)

    # Mystery: met 2 + 2 = 4 of applicable 3 + 2 = 5 (one not applicable left out).
    assert (mystery.numerator, mystery.denominator, mystery.observations) == (4, 5, 2)
    # Every method: 4 of 8.
    assert (everything.numerator, everything.denominator) == (4, 8)
    checks = ProtocolCheck.objects.filter(method=CheckMethod.MYSTERY)
    assert set(checks.values_list("observer", flat=True)) == {auditor.pk}
    assert set(first.checks.values_list("observed_on", flat=True)) == {dt.date(2026, 3, 3)}

    results = round_results(scheduled)
    assert (results.done, results.planned) == (2, 6)
    assert (results.compliance.met, results.compliance.applicable) == (4, 5)
    low, high = binomtest(4, 5).proportion_ci(method="wilson")
    # Wilson's interval of 4/5, against SciPy's, to the tenth shown: 37.6 % to 96.4 %.
    assert results.compliance.interval == (Decimal("37.6"), Decimal("96.4"))
    assert float(results.compliance.interval[0]) == pytest.approx(100 * low, abs=0.05)
    assert float(results.compliance.interval[1]) == pytest.approx(100 * high, abs=0.05)
    assert results.compliance.value == Decimal("80.0")
    by_step = {line.subject.order: (line.rate.met, line.rate.applicable) for line in results.steps}
    assert by_step == {1: (2, 2), 2: (1, 1), 3: (1, 2)}
    assert results.steps[0].subject.order == 3  # the step failing most comes first
    assert (results.outcome.met, results.outcome.applicable) == (1, 2)
    assert (results.information.met, results.information.applicable) == (2, 2)
    assert results.median_wait == 8.5  # of 5 and 12
    [line] = results.touch_points
    assert (line.subject, line.visits, line.rate.met, line.rate.applicable) == (counter, 2, 4, 5)


def test_a_touch_point_without_a_protocol_records_the_scenario_alone(scheduled, auditor, phone):
    visit = visit_at(scheduled, phone)

    record(visit, auditor, None)

    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    assert not visit.checks.exists()
    assert MysteryAnswer.objects.filter(visit=visit).count() == 2


def test_a_correction_of_a_recorded_visit_changes_the_figures_and_is_logged(
    organization, scheduled, auditor, protocol, counter
):
    visit = visit_at(scheduled, counter)
    record(visit, auditor, protocol, "met", "met", "not_met", day=3)

    record(visit, auditor, protocol, "met", "met", "met", day=4, wait=7, notes="Corregido.")

    share = protocol_compliance(organization, *MARCH, method=CheckMethod.MYSTERY)
    assert (share.numerator, share.denominator, share.observations) == (3, 3, 1)
    assert set(visit.checks.values_list("observed_on", flat=True)) == {dt.date(2026, 3, 4)}
    entry = AuditEntry.objects.get(action="audits.mysteryvisit.corrected")
    step = str(protocol.steps.order_by("order").last().pk)
    assert entry.data["steps"] == {step: ["not_met", "met"]}
    assert set(entry.data["fields"]) == {"visited_at", "wait_minutes", "notes"}
    assert ProtocolCheck.objects.filter(method=CheckMethod.MYSTERY).count() == 1


def test_only_the_assigned_observer_or_the_rounds_lead_records_a_visit(
    scheduled, auditor, second_auditor, quality_manager, viewer, protocol, counter
):
    services.update_round(scheduled, by=quality_manager, observers=[auditor, second_auditor])
    visit = visit_at(scheduled, counter)
    assert visit.observer == auditor

    for intruder in (second_auditor, viewer):
        with pytest.raises(PermissionDenied):
            record(visit, intruder, protocol, "met", "met", "met")
    record(visit, quality_manager, protocol, "met", "met", "met")  # the lead may
    visit.refresh_from_db()
    assert visit.observer == auditor
    assert visit.recorded_by == quality_manager


def test_someone_of_another_organisation_records_nothing(scheduled, outsider, protocol, counter):
    with pytest.raises(PermissionDenied):
        record(visit_at(scheduled, counter), outsider, protocol, "met", "met", "met")


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"visited_at": dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)}, "visited_at"),
        ({"visited_at": dt.datetime(1999, 3, 3, 10, tzinfo=dt.UTC)}, "visited_at"),
        ({"wait_minutes": -3}, "wait_minutes"),
        ({"service_minutes": 601}, "service_minutes"),
        ({"answers": {"outcome": ("met", "")}}, "answers"),
        ({"answers": {"outcome": ("yes", ""), "information": ("met", "")}}, "answers"),
        ({"notes": "x" * 2001}, "notes"),
    ],
)
def test_bad_input_for_a_visit_is_refused_and_nothing_is_stored(
    scheduled, auditor, protocol, counter, extra, field
):
    visit = visit_at(scheduled, counter)
    fields = {
        "visited_at": moment(3),
        "steps": outcomes(protocol, "met", "met", "met"),
        "answers": ALL_MET,
        "wait_minutes": 5,
        "service_minutes": 5,
    }
    fields.update(extra)

    with pytest.raises(ValidationError) as refused:
        services.record_visit(visit, by=auditor, **fields)

    assert field in refused.value.message_dict
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert not ProtocolCheck.objects.exists()


def test_the_steps_must_be_exactly_those_of_the_checklist(
    organization, scheduled, auditor, protocol, counter
):
    visit = visit_at(scheduled, counter)
    steps = outcomes(protocol, "met", "met", "met")
    other = servicemodel.create_protocol(
        organization,
        by=SYSTEM,
        name="Otro",
        channel_kind="in_person",
        steps=[servicemodel.StepInput("Sonreír")],
    )
    foreign_step = other.steps.get().pk  # a draft: not in force at the counter

    for wrong in (
        dict(list(steps.items())[:2]),  # a step missing
        {**steps, foreign_step: ("met", "")},  # a step of another protocol
    ):
        with pytest.raises(ValidationError) as refused:
            services.record_visit(
                visit, by=auditor, visited_at=moment(3), steps=wrong, answers=ALL_MET
            )
        assert "steps" in refused.value.message_dict
    assert not ProtocolCheck.objects.exists()


def test_a_visit_is_missed_once_its_time_has_come_and_cancelled_with_a_reason(
    scheduled, auditor, second_auditor, quality_manager, protocol, counter, phone
):
    missed, cancelled = visit_at(scheduled, counter), visit_at(scheduled, phone)

    services.close_visit(missed, by=auditor, status="missed")
    with pytest.raises(ValidationError):
        services.close_visit(cancelled, by=quality_manager, status="cancelled")
    with pytest.raises(PermissionDenied):
        services.close_visit(cancelled, by=auditor, status="cancelled", reason="Huelga")
    services.close_visit(cancelled, by=quality_manager, status="cancelled", reason="Huelga")
    with pytest.raises(services.MysteryError):
        record(missed, auditor, protocol, "met", "met", "met")
    with pytest.raises(services.MysteryError):
        services.schedule_round(scheduled, by=quality_manager)  # a visit is settled

    results = round_results(scheduled)
    assert results.statuses == {"planned": 4, "done": 0, "missed": 1, "cancelled": 1}
    assert results.planned == 5


def test_a_future_visit_cannot_be_marked_missed(
    organization, quality_manager, auditor, mystery_round
):
    today = organization.today()
    services.update_round(
        mystery_round,
        by=quality_manager,
        planned_start=today + dt.timedelta(days=30),
        planned_end=today + dt.timedelta(days=60),
    )
    services.schedule_round(mystery_round, by=quality_manager)

    with pytest.raises(services.MysteryError):
        services.close_visit(mystery_round.visits.first(), by=auditor, status="missed")


def test_a_visit_is_reassigned_only_to_an_observer_of_the_round(
    scheduled, quality_manager, auditor, second_auditor, counter
):
    visit = visit_at(scheduled, counter)

    with pytest.raises(ValidationError):
        services.assign_visit(visit, by=quality_manager, observer=second_auditor)
    with pytest.raises(PermissionDenied):
        services.assign_visit(visit, by=auditor, observer=None)
    services.assign_visit(visit, by=quality_manager, observer=None)
    visit.refresh_from_db()
    assert visit.observer is None


def test_scenarios_are_kept_by_auditors_and_managers_with_the_organisations_rows(
    organization, auditor, viewer, certificates, other_organization
):
    fields = {
        "service": certificates,
        "channel_kind": "in_person",
        "title": "Reclamo verbal",
        "script": "Quiere dejar un reclamo de palabra.",
        "expected_outcome": "Le ofrecen el formulario y le dan su código de seguimiento.",
    }
    scenario = services.save_scenario(organization, by=auditor, **fields)
    assert scenario.channel_kind == "in_person"

    with pytest.raises(PermissionDenied):
        services.save_scenario(organization, by=viewer, **{**fields, "title": "Otro"})
    foreign_service = ServiceFactory(organization=other_organization)
    foreign_channel = ChannelFactory(organization=other_organization, kind="in_person")
    phone_channel = ChannelFactory(organization=organization, kind="phone", name="Fono")
    for bad, field in (
        ({"service": foreign_service}, "service"),
        ({"channel": foreign_channel}, "channel"),
        ({"channel": phone_channel}, "channel"),  # not an in-person channel
        ({"script": "x" * 5001}, "script"),
        ({"title": "Reclamo verbal"}, "title"),  # taken
        ({"expected_outcome": "  "}, "expected_outcome"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.save_scenario(organization, by=auditor, **{**fields, "title": "Nuevo", **bad})
        assert field in refused.value.message_dict or "__all__" in refused.value.message_dict


def test_the_export_lists_every_visit_and_neutralises_formulas(
    scheduled, auditor, protocol, counter
):
    visit = visit_at(scheduled, counter)
    record(visit, auditor, protocol, "met", "not_met", "met", notes='=HYPERLINK("x")')

    header, rows = export_table(scheduled)
    rows = list(rows)

    assert len(rows) == 6
    row = next(r for r in rows if r[0] == visit.number)
    assert row[10:12] == [2, 3]
    assert row[-1] == '=HYPERLINK("x")'  # neutralised when written (core.exports)
    assert len(header) == len(row)
