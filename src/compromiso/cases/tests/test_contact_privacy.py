"""Staff pages are private and sessions end when idle; requesters' contact details are shown in
full only to those who handle the case."""

import datetime as dt
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from compromiso.cases.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(organization, branch):
    return CaseFactory(
        organization=organization,
        unit=branch,
        requester_name="Ana Pérez",
        requester_national_id="12345678-5",
        requester_email="ana@example.org",
        requester_phone="+56 9 1234 5678",
    )


def test_officers_of_the_case_see_the_contact_details(client, officer, case):
    client.force_login(officer)

    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "12345678-5" in html
    assert "ana@example.org" in html
    assert "+56 9 1234 5678" in html


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_viewers_and_auditors_see_contact_details_masked(client, case, role, request):
    client.force_login(request.getfixturevalue(role))

    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "12345678-5" not in html
    assert "ana@example.org" not in html
    assert "1234 5678" not in html
    assert "Ana Pérez" not in html
    assert "A. P." in html
    assert "•••@example.org" in html


def test_signed_in_pages_are_not_cached(client, viewer, case):
    client.force_login(viewer)

    staff_page = client.get(reverse("cases:detail", args=[case.pk]))
    client.logout()
    public_page = client.get(reverse("portal:home"))

    assert "no-store" in staff_page["Cache-Control"]
    assert "private" in staff_page["Cache-Control"]
    assert "no-store" not in public_page.get("Cache-Control", "")


def test_a_session_ends_after_the_idle_timeout(client, viewer, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(viewer)
    overview = reverse("organizations:overview")
    assert client.get(overview).status_code == 200

    session = client.session
    session.set_expiry(-1)  # the idle time has passed: the stored session has expired
    session.save()

    assert client.get(overview).status_code == 302


def test_activity_moves_the_idle_timeout_on(client, viewer):
    client.force_login(viewer)
    client.get(reverse("organizations:overview"))
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=5)
    )
    session = client.session
    session["seen_at"] = int(time.time()) - 120  # the last touch was two minutes ago
    session.save()
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=5)
    )

    client.get(reverse("organizations:overview"))

    stored = Session.objects.get(session_key=key).expire_date
    assert stored > timezone.now() + dt.timedelta(minutes=29)
