"""Visitors' personal data: a visit's phone and address go the day after the day after the
visit (open visits keep them); appointments, contacts' notes and imported files follow the
organisation's retention; export and erasure find visits and appointments by address."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from compromiso.attention import privacy, services
from compromiso.attention.models import (
    Appointment,
    Contact,
    ContactKind,
    ContactOutcome,
    Visit,
    VisitState,
)
from compromiso.core import personal_data
from compromiso.core.actors import PUBLIC

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
VISIT_AT = dt.datetime(2026, 5, 20, 23, 30, tzinfo=SANTIAGO)  # already 21 May in UTC


def _visit(queue, at=VISIT_AT, state=VisitState.LEFT, **fields):
    visit = services.issue_ticket(
        queue, by=PUBLIC, at=at, phone="+56 9 1111 2222", email="ana@example.org", **fields
    )
    Visit.objects.filter(pk=visit.pk).update(state=state)
    return visit


def _retention(organization):
    """What the daily retention job sends (cases/privacy.py)."""
    before = timezone.now() - dt.timedelta(days=organization.case_retention_days)
    return personal_data.retention_due.send(sender=Visit, organization=organization, before=before)


def test_a_visit_s_phone_is_kept_on_the_day_after_and_erased_the_day_after_that(
    organization, general_queue
):
    visit = _visit(general_queue)
    assert visit.day == dt.date(2026, 5, 20)

    with time_machine.travel(dt.datetime(2026, 5, 21, 23, 59, tzinfo=SANTIAGO), tick=False):
        _retention(organization)
    visit.refresh_from_db()
    assert (visit.phone, visit.email) == ("+56 9 1111 2222", "ana@example.org")

    with time_machine.travel(dt.datetime(2026, 5, 22, 0, 1, tzinfo=SANTIAGO), tick=False):
        _retention(organization)
    visit.refresh_from_db()
    assert (visit.phone, visit.email) == ("", "")
    assert visit.number
    assert visit.state == VisitState.LEFT


def test_an_open_visit_keeps_its_phone(organization, general_queue):
    visit = _visit(general_queue, state=VisitState.WAITING)
    with time_machine.travel(dt.datetime(2026, 5, 25, 12, tzinfo=SANTIAGO), tick=False):
        privacy.expire(organization=organization, before=timezone.now())
    visit.refresh_from_db()
    assert visit.phone == "+56 9 1111 2222"


def test_another_organisation_s_retention_leaves_the_visit_alone(
    organization, other_organization, general_queue
):
    visit = _visit(general_queue)
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=SANTIAGO), tick=False):
        _retention(other_organization)
    visit.refresh_from_db()
    assert visit.phone


def test_appointments_contacts_and_imports_follow_the_organisation_s_retention(
    organization, office, general_queue
):
    old = dt.datetime(2025, 1, 10, 10, tzinfo=SANTIAGO)
    recent = dt.datetime(2026, 5, 10, 10, tzinfo=SANTIAGO)
    kept, expired = (
        Appointment.objects.create(
            organization=organization,
            branch=office,
            queue=general_queue,
            starts_at=moment,
            ends_at=moment + dt.timedelta(minutes=15),
            code=code,
            secret_hash="x",
            name="Ana Pérez",
            email="ana@example.org",
            phone="+56 9 1111 2222",
        )
        for moment, code in ((recent, "KEEP"), (old, "GONE"))
    )
    note = Contact.objects.create(
        organization=organization,
        kind=ContactKind.PHONE,
        outcome=ContactOutcome.RESOLVED,
        started_at=old,
        note="Llamó Ana Pérez, RUT 12.345.678-5",
    )
    before = dt.datetime(2026, 1, 1, tzinfo=SANTIAGO)

    privacy.expire(organization=organization, before=before)

    kept.refresh_from_db()
    expired.refresh_from_db()
    note.refresh_from_db()
    assert (kept.name, kept.email) == ("Ana Pérez", "ana@example.org")
    assert (expired.name, expired.email, expired.phone) == (personal_data.ERASED, "", "")
    assert note.note == ""


def test_export_and_erasure_find_visits_and_appointments_by_address(
    organization, office, general_queue
):
    visit = _visit(general_queue)
    other = _visit(general_queue, at=VISIT_AT + dt.timedelta(minutes=1))
    Visit.objects.filter(pk=other.pk).update(email="otro@example.org")

    exported = privacy.export(organization=organization, email="ANA@example.org")
    assert [v["ticket"] for v in exported["attention_visits"]] == [visit.number]
    assert exported["attention_visits"][0]["phone"] == "+56 9 1111 2222"

    erased = privacy.erase(organization=organization, email="ana@example.org")

    visit.refresh_from_db()
    other.refresh_from_db()
    assert erased == 1
    assert (visit.phone, visit.email) == ("", "")
    assert other.email == "otro@example.org"


def test_the_privacy_receivers_are_connected(organization, general_queue):
    visit = _visit(general_queue)
    replies = personal_data.export_requested.send(
        sender=Visit, organization=organization, email="ana@example.org", national_id=""
    )
    assert any(isinstance(reply, dict) and reply.get("attention_visits") for _r, reply in replies)
    assert visit.pk
