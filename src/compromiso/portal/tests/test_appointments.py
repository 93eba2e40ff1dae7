"""Public booking pages: book without an account, manage with the link or code and e-mail,
check in at the kiosk; hostile input and code guessing get nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.attention import slots
from compromiso.attention.models import Appointment, Branch, Queue, SlotPlan
from compromiso.attention.services import appointments as booking
from compromiso.attention.tests import conftest as attention_fixtures
from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.actors import PUBLIC

# The attention app's branch, queue and their parents, as fixtures of these tests too.
in_person = attention_fixtures.in_person
service = attention_fixtures.service
arica_point = attention_fixtures.arica_point
office = attention_fixtures.office
general_queue = attention_fixtures.general_queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(office, general_queue, organization):
    organization.weekmask = "1111111"
    organization.office_opens_at, organization.office_closes_at = dt.time(0), dt.time(23, 30)
    organization.save()
    return SlotPlan.objects.create(
        branch=office,
        queue=general_queue,
        slot_minutes=30,
        capacity=1,
        horizon_days=30,
        valid_from=dt.date(2020, 1, 1),
    )


def book_url(organization, office, queue):
    return reverse(
        "portal:appointment_book",
        kwargs={"slug": organization.slug, "branch": office.code, "queue": queue.pk},
    )


def form(chosen, **extra):
    data = {
        "slot": chosen.key,
        "name": "Ana Pérez",
        "email": "ana@example.org",
        "phone": "",
        "consent": "on",
        "website": "",
        "submission_id": "6f1c0d7e-3c1a-4b8e-9b7e-1f2a3b4c5d6e",
    }
    data.update(extra)
    return data


def first_free(queue):
    days = slots.bookable_days(queue)
    return days[min(days)][0]


def test_citizen_books_and_sees_the_confirmation(client, organization, office, general_queue, plan):
    start = client.get(reverse("portal:appointment_start", kwargs={"slug": organization.slug}))
    assert general_queue.name in start.content.decode()
    url = book_url(organization, office, general_queue)
    assert client.get(url).status_code == 200
    slot = first_free(general_queue)
    response = client.post(url, form(slot))
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert appointment.code in response["Location"]
    page = client.get(response["Location"])
    assert appointment.code in page.content.decode()
    assert appointment.starts_at == slot.starts_at
    assert appointment.language == "es"
    # The same form sent again shows the same booking.
    assert client.post(url, form(slot))["Location"].startswith(f"/appointments/{appointment.code}/")
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"name": "x" * 10_000},
        {"email": "<script>alert(1)</script>"},
        {"email": "", "phone": ""},
        {"consent": ""},
        {"website": "http://spam.example"},
        {"slot": "<script>"},
        {"slot": "20200101T1200Z"},  # the past
        {"slot": "20990101T1207Z"},  # not offered
    ],
)
def test_hostile_booking_is_refused_and_nothing_saved(
    client, organization, office, general_queue, plan, extra
):
    slot = first_free(general_queue)
    response = client.post(book_url(organization, office, general_queue), form(slot, **extra))
    assert response.status_code == 200
    assert not Appointment.objects.exists()
    assert "<script>alert" not in response.content.decode()


def test_another_branchs_queue_is_404(client, organization, office, plan, in_person):
    other = Branch.objects.create(
        organization=organization,
        touch_point=TouchPointFactory(organization=organization, channel=in_person),
        code="otra",
    )
    foreign = Queue.objects.create(branch=other, name="Otra", letter="Z")
    assert client.get(book_url(organization, office, foreign)).status_code == 404


def test_manage_with_the_key_change_and_cancel(client, organization, general_queue, plan):
    slot = first_free(general_queue)
    appointment, key = booking.book(
        general_queue, slot.starts_at, by=PUBLIC, name="Ana", email="ana@example.org"
    )
    url = reverse("portal:appointment", kwargs={"code": appointment.code})
    assert client.get(url).status_code == 404  # no key, no session
    assert client.get(url, {"key": "WRONGKEY"}).status_code == 404
    assert client.get(url, {"key": key}).status_code == 200
    later = slots.bookable_days(general_queue)
    target = next(s for d in sorted(later) for s in later[d] if s.starts_at != slot.starts_at)
    change = reverse("portal:appointment_change", kwargs={"code": appointment.code})
    assert client.post(change, {"slot": target.key}).status_code == 302
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.changes) == (target.starts_at, 1)
    assert client.post(change, {"slot": "20200101T1200Z"}).status_code == 400
    client.post(reverse("portal:appointment_cancel", kwargs={"code": appointment.code}))
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_lookup_with_code_and_email_and_guessing_gets_a_generic_answer(client, general_queue, plan):
    slot = first_free(general_queue)
    appointment, _key = booking.book(
        general_queue, slot.starts_at, by=PUBLIC, name="Ana", email="ana@example.org"
    )
    lookup = reverse("portal:appointment_lookup")
    wrong = client.post(lookup, {"code": appointment.code, "email": "eve@example.org"})
    unknown = client.post(lookup, {"code": "ZZZZZZZZ", "email": "ana@example.org"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Ninguna reserva coincide" in wrong.content.decode()
    assert "Ninguna reserva coincide" in unknown.content.decode()
    for code in ("ZZZZZZZZ", appointment.code):
        assert client.get(reverse("portal:appointment", kwargs={"code": code})).status_code == 404
    found = client.post(lookup, {"code": appointment.code.lower(), "email": "ANA@example.org"})
    assert found.status_code == 302
    assert client.get(found["Location"]).status_code == 200


def test_guessing_codes_is_blocked(client, general_queue, plan):
    for n in range(11):
        client.get(reverse("portal:appointment", kwargs={"code": f"ZZZZZZZ{n % 9 + 2}"}))
    slot = first_free(general_queue)
    appointment, key = booking.book(general_queue, slot.starts_at, by=PUBLIC, name="A", phone="1")
    url = reverse("portal:appointment", kwargs={"code": appointment.code})
    assert client.get(url, {"key": key}).status_code == 404


def test_kiosk_check_in_with_the_code(client, office, general_queue, plan):
    slot = first_free(general_queue)
    appointment, _key = booking.book(general_queue, slot.starts_at, by=PUBLIC, name="A", phone="1")
    url = reverse("portal:appointment_kiosk_checkin", kwargs={"display_key": office.display_key})
    assert client.get(url).status_code == 200
    bad = client.post(url, {"code": "<script>"})
    assert bad.status_code == 400
    assert not Appointment.objects.filter(status="checked_in").exists()
    unknown = client.post(url, {"code": "ZZZZ-ZZZZ"})
    assert unknown.status_code == 400
    done = client.post(url, {"code": appointment.code})
    appointment.refresh_from_db()
    assert done.status_code == 200
    assert appointment.status == "checked_in"
    assert appointment.visit.number in done.content.decode()
    assert (
        client.get(
            reverse("portal:appointment_kiosk_checkin", kwargs={"display_key": "nope"})
        ).status_code
        == 404
    )
