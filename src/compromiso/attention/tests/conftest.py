"""A Chilean branch (Sucursal Arica, in `branch`'s unit) with a general queue A, a quick queue
B and two desks, for every attention test. `branch` (the unit) comes from the root conftest;
the attention `Branch` row is `office`."""

import pytest

from compromiso.attention.models import Branch, Desk, Queue
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory, TouchPointFactory


@pytest.fixture
def in_person(organization):
    return ChannelFactory(organization=organization, kind="in_person", name="Presencial")


@pytest.fixture
def service(organization, branch):
    return ServiceFactory(
        organization=organization, provider_unit=branch, code="ATP", name="Atención de público"
    )


@pytest.fixture
def arica_point(organization, branch, in_person):
    return TouchPointFactory(
        organization=organization,
        unit=branch,
        channel=in_person,
        name="Oficina Arica",
        address="21 de Mayo 123, Arica",
    )


@pytest.fixture
def office(organization, arica_point):
    return Branch.objects.create(
        organization=organization, touch_point=arica_point, code="arica", has_oirs_desk=True
    )


@pytest.fixture
def general_queue(office, service):
    queue = Queue.objects.create(branch=office, name="Atención general", letter="A", order=1)
    queue.services.add(service)
    return queue


@pytest.fixture
def quick_queue(office, service):
    queue = Queue.objects.create(
        branch=office, name="Trámites rápidos", letter="B", order=2, is_quick=True
    )
    queue.services.add(service)
    return queue


@pytest.fixture
def desk_one(office, general_queue, quick_queue):
    desk = Desk.objects.create(branch=office, name="Módulo 1")
    desk.queues.add(general_queue, quick_queue)
    return desk


@pytest.fixture
def desk_two(office, general_queue):
    desk = Desk.objects.create(branch=office, name="Módulo 2")
    desk.queues.add(general_queue)
    return desk


def open_now_for_real(branch: Branch) -> None:
    """Open `branch` at the real present, for tests whose server runs in another process (where
    the clock cannot be moved): its hours cover the whole of today's weekday, and its
    organisation's holidays are those of a country with none today (in UTC)."""
    import datetime as dt

    import holidays
    from django.utils import timezone

    from compromiso.attention.models import OpeningHours

    organization = branch.organization
    today = timezone.now().date()
    country = next(
        code
        for code in sorted(holidays.list_supported_countries())
        if len(code) == 2
        if today not in holidays.country_holidays(code, years=today.year)
    )
    organization.country, organization.subdivision, organization.time_zone = country, "", "UTC"
    organization.save(update_fields=["country", "subdivision", "time_zone"])
    organization.closure_days.filter(date=today).delete()
    OpeningHours.objects.filter(branch=branch).delete()
    OpeningHours.objects.create(
        branch=branch,
        weekday=today.weekday(),
        opens_at=dt.time(0),
        closes_at=dt.time(23, 59, 59, 999_999),
    )
