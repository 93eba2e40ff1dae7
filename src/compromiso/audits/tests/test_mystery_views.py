"""The staff pages of mystery shopping: who sees what (anonymous, another organisation, a
viewer, an observer who is not assigned, the observer, the manager), the visit's checklist as a
phone posts it, and hostile input on every form: oversized, markup, ids of another
organisation, negative minutes, dates in the future."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from compromiso.audits.models import (
    AuditAccess,
    MysteryRound,
    MysteryScenario,
    MysteryVisit,
    VisitStatus,
)
from compromiso.audits.tests import mystery_fixtures
from compromiso.audits.tests.mystery_fixtures import visit_at
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory
from compromiso.servicemodel.models import CheckMethod, ProtocolCheck

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

XSS = '<script>alert("x")</script>'


def pages(round_, visit):
    pk = round_.audit_id
    return [
        reverse("audits:mystery"),
        reverse("audits:mystery_scenarios"),
        reverse("audits:mystery_round", kwargs={"pk": pk}),
        reverse("audits:mystery_results", kwargs={"pk": pk}),
        reverse("audits:mystery_export", kwargs={"pk": pk}),
        reverse("audits:mystery_visit", kwargs={"pk": pk, "visit": visit.pk}),
    ]


def checklist(protocol, *values, **extra):
    """The visit form as a phone posts it."""
    data = {
        "visited_at": "2026-03-03T10:15",
        "wait_minutes": "4",
        "service_minutes": "9",
        "notes": "",
        "item_outcome": "met",
        "item_information": "met",
    }
    for step, value in zip(protocol.steps.order_by("order"), values, strict=True):
        data[f"step_{step.pk}"] = value
        data[f"comment_{step.pk}"] = ""
    data.update(extra)
    return data


def visit_url(round_, visit):
    return reverse("audits:mystery_visit", kwargs={"pk": round_.audit_id, "visit": visit.pk})


def test_anonymous_people_are_sent_to_log_in(client, scheduled, counter):
    for url in pages(scheduled, visit_at(scheduled, counter)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_someone_of_another_organisation_finds_no_round(client, outsider, scheduled, counter):
    client.force_login(outsider)
    for url in pages(scheduled, visit_at(scheduled, counter))[2:]:
        assert client.get(url).status_code == 404


def test_a_viewer_may_not_see_the_scripts_or_the_schedule(client, viewer, scheduled, counter):
    client.force_login(viewer)
    for url in pages(scheduled, visit_at(scheduled, counter)):
        assert client.get(url).status_code == 403


def test_an_audit_that_is_no_mystery_round_has_no_mystery_pages(client, auditor, audit):
    client.force_login(auditor)
    assert client.get(reverse("audits:mystery_round", kwargs={"pk": audit.pk})).status_code == 404


def test_the_observer_sees_the_round_the_scenario_and_the_checklist(
    client, auditor, scheduled, counter, protocol
):
    client.force_login(auditor)
    visit = visit_at(scheduled, counter)

    listing = client.get(reverse("audits:mystery")).content.decode()
    page = client.get(reverse("audits:mystery_round", kwargs={"pk": scheduled.audit_id}))
    form = client.get(visit_url(scheduled, visit)).content.decode()

    assert "MS-2026-01" in listing
    assert page.status_code == 200
    assert "Mesón Arica" in page.content.decode()
    assert "Sale con el certificado en menos de 15 minutos." in form
    for step in protocol.steps.all():
        assert step.behaviour in form
    assert 'name="item_outcome"' in form


def test_the_observer_records_a_visit_from_the_phone(client, auditor, scheduled, counter, protocol):
    client.force_login(auditor)
    visit = visit_at(scheduled, counter)

    response = client.post(visit_url(scheduled, visit), checklist(protocol, "met", "na", "not_met"))

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.DONE
    assert (visit.wait_minutes, visit.service_minutes) == (4, 9)
    [check] = ProtocolCheck.objects.all()
    assert check.method == CheckMethod.MYSTERY
    assert check.observer == auditor
    # The form's 10:15 is the organisation's time (Santiago, UTC−3 in March).
    assert timezone.localtime(visit.visited_at, dt.UTC).hour == 13
    # The recorded visit reopens with its answers, to be corrected.
    page = client.get(visit_url(scheduled, visit)).content.decode()
    assert "Save the correction" in page or "Guardar la corrección" in page


def test_an_observer_not_assigned_to_the_visit_cannot_record_it(
    client, quality_manager, auditor, second_auditor, scheduled, counter, protocol
):
    scheduled.observers.add(second_auditor)
    client.force_login(second_auditor)
    visit = visit_at(scheduled, counter)
    assert visit.observer == auditor

    page = client.get(visit_url(scheduled, visit))
    response = client.post(visit_url(scheduled, visit), checklist(protocol, "met", "met", "met"))

    assert page.status_code == 200
    assert 'name="visited_at"' not in page.content.decode()
    assert response.status_code == 403
    assert not ProtocolCheck.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"visited_at": "2999-01-01T10:00"},
        {"visited_at": (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")},
        {"visited_at": "ayer"},
        {"wait_minutes": "-5"},
        {"service_minutes": "99999999999999999999"},
        {"notes": "x" * 2001},
        {"item_outcome": "maybe"},
        {"item_information": ""},
        {"comment_0": "x"},  # replaced below by a real step's oversized comment
    ],
)
def test_hostile_input_on_the_visit_form_is_refused_and_nothing_is_kept(
    client, auditor, scheduled, counter, protocol, bad
):
    client.force_login(auditor)
    visit = visit_at(scheduled, counter)
    data = checklist(protocol, "met", "met", "met")
    if "comment_0" in bad:
        first = protocol.steps.order_by("order").first()
        bad = {f"comment_{first.pk}": "x" * 501}
    data.update(bad)

    response = client.post(visit_url(scheduled, visit), data)

    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    assert not ProtocolCheck.objects.exists()


def test_a_step_result_missing_or_foreign_is_refused(client, auditor, scheduled, counter, protocol):
    client.force_login(auditor)
    visit = visit_at(scheduled, counter)
    data = checklist(protocol, "met", "met", "met")
    first = protocol.steps.order_by("order").first()
    del data[f"step_{first.pk}"]
    data["step_999999"] = "met"  # a step of nothing here: ignored, never stored

    response = client.post(visit_url(scheduled, visit), data)

    assert response.status_code == 200
    assert not ProtocolCheck.objects.exists()


def test_markup_in_scripts_and_notes_is_shown_as_text(
    client, auditor, scheduled, counter, protocol, counter_scenario
):
    MysteryScenario.objects.filter(pk=counter_scenario.pk).update(
        title=XSS, script=XSS, persona=XSS, expected_outcome=XSS
    )
    client.force_login(auditor)
    visit = visit_at(scheduled, counter)
    client.post(visit_url(scheduled, visit), checklist(protocol, "met", "met", "met", notes=XSS))

    for url in (
        visit_url(scheduled, visit),
        reverse("audits:mystery_scenarios"),
        reverse("audits:mystery_round", kwargs={"pk": scheduled.audit_id}),
    ):
        html = client.get(url).content.decode()
        assert XSS not in html
        assert "&lt;script&gt;" in html


def test_a_scenario_is_written_by_an_auditor_and_bad_input_keeps_what_was_typed(
    client, auditor, organization, certificates, other_organization
):
    client.force_login(auditor)
    url = reverse("audits:mystery_scenario_new")
    data = {
        "title": "Trámite por teléfono",
        "service": str(certificates.pk),
        "channel_kind": "phone",
        "channel": "",
        "persona": "Persona mayor",
        "script": "Llama para pedir hora.",
        "expected_outcome": "Le dan hora en la llamada.",
        "active": "on",
    }
    foreign = ServiceFactory(organization=other_organization)
    for bad in (
        {"script": "x" * 5001},
        {"service": str(foreign.pk)},
        {"channel": str(ChannelFactory(organization=other_organization).pk)},
        {"channel_kind": "carrier pigeon"},
        {"service": "1" * 30},
    ):
        response = client.post(url, {**data, **bad})
        assert response.status_code == 200
        assert "Persona mayor" in response.content.decode()  # nothing typed is lost
    assert not MysteryScenario.objects.exists()

    assert client.post(url, data).status_code == 302
    scenario = MysteryScenario.objects.get()
    assert scenario.organization == organization
    edit = reverse("audits:mystery_scenario_edit", kwargs={"pk": scenario.pk})
    assert client.post(edit, {**data, "active": ""}).status_code == 302
    scenario.refresh_from_db()
    assert scenario.active is False


def test_a_scenario_of_another_organisation_is_not_found(
    client, auditor, other_organization, outsider
):
    foreign = MysteryScenario.objects.create(
        organization=other_organization,
        service=ServiceFactory(organization=other_organization),
        channel_kind="phone",
        title="Ajena",
        script="x",
        expected_outcome="y",
    )
    client.force_login(auditor)
    url = reverse("audits:mystery_scenario_edit", kwargs={"pk": foreign.pk})
    assert client.get(url).status_code == 404


def test_a_manager_creates_and_schedules_a_round_and_foreign_ids_are_refused(
    client,
    quality_manager,
    auditor,
    counter,
    phone,
    counter_scenario,
    phone_scenario,
    other_organization,
):
    client.force_login(quality_manager)
    url = reverse("audits:mystery_new")
    data = {
        "reference": "MS-2026-02",
        "title": "Ronda de abril",
        "objectives": "",
        "planned_start": "2026-04-06",
        "planned_end": "2026-04-17",
        "touch_points": [str(counter.pk), str(phone.pk)],
        "scenarios": [str(counter_scenario.pk), str(phone_scenario.pk)],
        "observers": [str(auditor.pk)],
        "weekdays": ["0", "1", "2", "3", "4"],
        "morning_from": "9",
        "morning_to": "14",
        "afternoon_from": "16",
        "afternoon_to": "18",
        "visits_per_stratum": "2",
        "allocation": "equal",
    }
    foreign_point = TouchPointFactory(organization=other_organization)
    for bad in (
        {"touch_points": [str(foreign_point.pk)]},
        {"observers": [str(999999)]},
        {"planned_end": "2026-04-01"},
        {"morning_to": "8"},
        {"visits_per_stratum": "0"},
        {"weekdays": ["9"]},
        {"reference": "x" * 31},
    ):
        response = client.post(url, {**data, **bad})
        assert response.status_code == 200, bad
        assert "Ronda de abril" in response.content.decode()
    assert not MysteryRound.objects.exists()

    response = client.post(url, data)
    round_ = MysteryRound.objects.get()
    assert response.status_code == 302
    assert round_.slots == (9, 10, 11, 12, 13, 16, 17)

    schedule = reverse("audits:mystery_schedule", kwargs={"pk": round_.audit_id})
    client.post(schedule, {"seed": "123"})
    assert MysteryVisit.objects.filter(round=round_).count() == 4
    client.post(schedule, {"seed": "-1"})  # refused, the schedule stays
    round_.refresh_from_db()
    assert round_.seed == 123


def test_an_auditor_may_not_create_or_schedule_a_round(client, auditor, mystery_round):
    client.force_login(auditor)
    assert client.get(reverse("audits:mystery_new")).status_code == 403
    schedule = reverse("audits:mystery_schedule", kwargs={"pk": mystery_round.audit_id})
    assert client.post(schedule, {"seed": "5"}).status_code == 403
    assert not mystery_round.visits.exists()


def test_the_results_page_and_the_export(client, auditor, scheduled, counter, protocol):
    client.force_login(auditor)
    visit = visit_at(scheduled, counter)
    client.post(visit_url(scheduled, visit), checklist(protocol, "met", "met", "not_met"))

    page = client.get(reverse("audits:mystery_results", kwargs={"pk": scheduled.audit_id}))
    export = client.get(reverse("audits:mystery_export", kwargs={"pk": scheduled.audit_id}))

    assert page.status_code == 200
    assert "66.7" in page.content.decode() or "66,7" in page.content.decode()
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 7  # the header and six visits


def test_closing_and_reassigning_from_the_visit_page(
    client, quality_manager, auditor, scheduled, counter, phone
):
    client.force_login(quality_manager)
    visit = visit_at(scheduled, counter)
    close = reverse(
        "audits:mystery_visit_close", kwargs={"pk": scheduled.audit_id, "visit": visit.pk}
    )
    assign = reverse(
        "audits:mystery_visit_assign", kwargs={"pk": scheduled.audit_id, "visit": visit.pk}
    )

    client.post(close, {"status": "cancelled", "reason": ""})  # a reason is needed
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED
    client.post(assign, {"observer": ""})
    visit.refresh_from_db()
    assert visit.observer is None
    client.post(close, {"status": "deleted", "reason": "x"})
    client.post(close, {"status": "cancelled", "reason": "Oficina en obras"})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
    assert client.get(close).status_code == 405


def test_a_peer_auditor_granted_the_round_records_in_the_audited_organisations_time(
    client, outsider, quality_manager, scheduled, counter, protocol
):
    now = timezone.now()
    AuditAccess.objects.create(
        audit=scheduled.audit,
        user=outsider,
        granted_by=quality_manager,
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(days=1),
    )
    visit = visit_at(scheduled, counter)
    MysteryVisit.objects.filter(pk=visit.pk).update(observer=None)  # anyone conducting may
    client.force_login(outsider)  # works in Catalonia: Madrid time on their own pages

    response = client.post(visit_url(scheduled, visit), checklist(protocol, "met", "met", "met"))

    assert response.status_code == 302
    visit.refresh_from_db()
    # 10:15 in Santiago (UTC−3), the audited organisation's time, not Madrid's.
    assert timezone.localtime(visit.visited_at, dt.UTC).hour == 13
    assert visit.observer == outsider
    # Nothing else of the organisation opens to them.
    assert client.get(reverse("audits:mystery_round", kwargs={"pk": 10**9})).status_code == 404
