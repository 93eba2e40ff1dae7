"""Staff pages of appointments: the day's list with check-in and no-show, booking for a caller,
and slot plans; who may see and do what."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from compromiso.attention import slots
from compromiso.attention.models import Appointment, SlotPlan
from compromiso.attention.services import appointments as booking
from compromiso.core.actors import PUBLIC

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


def first_free(queue):
    days = slots.bookable_days(queue)
    return days[min(days)][0]


def test_officer_sees_the_day_and_checks_in_by_code(client, officer, plan, general_queue, office):
    slot = first_free(general_queue)
    appointment, _key = booking.book(
        general_queue, slot.starts_at, by=PUBLIC, name="Ana", phone="1"
    )
    client.force_login(officer)
    day = timezone.localtime(slot.starts_at, office.organization.zone).date()
    url = reverse("attention:appointments", kwargs={"pk": office.pk}) + f"?day={day}"
    page = client.get(url)
    assert page.status_code == 200
    assert appointment.code in page.content.decode()
    response = client.post(url, {"action": "code", "code": appointment.code.lower()})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "checked_in"
    assert appointment.visit.rank == 0


def test_officer_books_for_a_caller(client, officer, plan, general_queue, office):
    slot = first_free(general_queue)
    client.force_login(officer)
    day = timezone.localtime(slot.starts_at, office.organization.zone).date()
    url = reverse("attention:appointments", kwargs={"pk": office.pk}) + f"?day={day}"
    response = client.post(
        url,
        {
            "action": "book",
            "queue": general_queue.pk,
            "slot": f"{general_queue.pk}:{slot.key}",
            "name": "Luis Soto",
            "phone": "+56 9 8765 4321",
        },
    )
    assert response.status_code == 302
    assert Appointment.objects.get().name == "Luis Soto"
    # A slot key of another queue is refused, nothing saved.
    response = client.post(
        url,
        {
            "action": "book",
            "queue": general_queue.pk,
            "slot": f"999:{slot.key}",
            "name": "X",
            "phone": "1",
        },
    )
    assert response.status_code == 200
    assert Appointment.objects.count() == 1


def test_viewer_sees_but_cannot_act(client, viewer, plan, general_queue, office):
    slot = first_free(general_queue)
    appointment, _key = booking.book(
        general_queue, slot.starts_at, by=PUBLIC, name="Ana", phone="1"
    )
    client.force_login(viewer)
    url = reverse("attention:appointments", kwargs={"pk": office.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "code", "code": appointment.code}).status_code == 403
    assert client.get(reverse("attention:slot_plans", kwargs={"pk": office.pk})).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_outsider_gets_404(client, outsider, plan, office):
    client.force_login(outsider)
    assert (
        client.get(reverse("attention:appointments", kwargs={"pk": office.pk})).status_code == 404
    )
    assert (
        client.get(reverse("attention:slot_plan_edit", kwargs={"pk": plan.pk})).status_code == 404
    )


def test_manager_creates_edits_and_deactivates_a_plan(
    client, quality_manager, office, general_queue, quick_queue, plan
):
    client.force_login(quality_manager)
    assert client.get(reverse("attention:appointments_home")).status_code == 200
    url = reverse("attention:slot_plans", kwargs={"pk": office.pk})
    response = client.post(
        url,
        {
            "queue": quick_queue.pk,
            "slot_minutes": 10,
            "capacity": 3,
            "horizon_days": 14,
            "valid_from": "2025-01-01",
            "valid_until": "2024-01-01",
        },
    )
    assert response.status_code == 200  # the plan ends before it starts
    assert SlotPlan.objects.count() == 1
    response = client.post(
        url,
        {
            "queue": quick_queue.pk,
            "slot_minutes": 10,
            "capacity": 3,
            "horizon_days": 14,
            "valid_from": "2025-01-01",
        },
    )
    assert response.status_code == 302
    new = SlotPlan.objects.get(queue=quick_queue)
    assert (new.branch, new.slot_minutes, new.capacity) == (office, 10, 3)
    edit = reverse("attention:slot_plan_edit", kwargs={"pk": new.pk})
    client.post(
        edit,
        {
            "queue": quick_queue.pk,
            "slot_minutes": 20,
            "capacity": 2,
            "horizon_days": 14,
            "valid_from": "2025-01-01",
        },
    )
    new.refresh_from_db()
    assert new.slot_minutes == 20
    client.post(reverse("attention:slot_plan_deactivate", kwargs={"pk": new.pk}))
    new.refresh_from_db()
    assert not new.is_active
