"""The sign-in log: what is written on each log-in, failure, lock-out and log-out, who may read
it, and how long it is kept."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from compromiso.organizations import sign_ins
from compromiso.organizations.models import SignIn, SignInOutcome
from compromiso.organizations.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) " + "x" * 400


def _client(address="203.0.113.77"):
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER)


def _log_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_a_log_in_is_recorded_with_the_network_and_a_shortened_browser_name(viewer):
    viewer.set_password(PASSWORD)
    viewer.save()

    _log_in(_client(), viewer.username)

    entry = SignIn.objects.get()
    assert entry.outcome == SignInOutcome.SUCCEEDED
    assert entry.user == viewer
    assert entry.username == viewer.username
    assert entry.network == "203.0.113.0"
    assert entry.user_agent == BROWSER[:200]


@pytest.mark.django_db
def test_a_failed_attempt_keeps_the_name_typed_and_never_the_password(viewer):
    _log_in(_client(), viewer.username, password="hunter2-secret")
    _log_in(_client(), "nobody-of-that-name", password="hunter2-secret")

    first, second = SignIn.objects.order_by("pk")
    assert (first.outcome, first.user, first.username) == ("failed", viewer, viewer.username)
    assert (second.outcome, second.user, second.username) == ("failed", None, "nobody-of-that-name")
    stored = " ".join(str(v) for v in SignIn.objects.values_list()).lower()
    assert "hunter2" not in stored


@pytest.mark.django_db
def test_a_lock_out_is_recorded_once_per_attempt(viewer, settings):
    client = _client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, viewer.username, password="wrong")
    _log_in(client, viewer.username)

    outcomes = list(SignIn.objects.order_by("pk").values_list("outcome", flat=True))
    limit = settings.AXES_FAILURE_LIMIT
    assert outcomes == ["failed"] * (limit - 1) + ["locked_out", "locked_out"]


@pytest.mark.django_db
def test_a_log_out_is_recorded(viewer):
    client = _client("2001:db8:abcd:1234::99")
    client.force_login(viewer)
    client.post(reverse("logout"))

    assert list(SignIn.objects.order_by("pk").values_list("outcome", "network")) == [
        ("succeeded", None),  # force_login has no client address
        ("signed_out", "2001:db8:abcd::"),
    ]


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.201", "192.0.2.0"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1::"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("unknown", None),
        ("", None),
        (None, None),
        ("<script>", None),
    ],
)
def test_only_the_network_of_an_address_is_kept(address, network):
    assert sign_ins.network_of(address) == network


@pytest.mark.django_db
def test_entries_older_than_a_year_are_deleted_by_the_nightly_maintenance(viewer):
    old = sign_ins.record(None, SignInOutcome.SUCCEEDED, user=viewer)
    SignIn.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=366))
    recent = sign_ins.record(None, SignInOutcome.SUCCEEDED, user=viewer)

    out = io.StringIO()
    call_command("case_maintenance", stdout=out)

    assert list(SignIn.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "sign-ins purged=1" in out.getvalue()


@pytest.mark.django_db
def test_an_administrator_sees_the_sign_ins_of_the_organisations_members_only(
    client, admin_user, viewer, outsider
):
    stranger = UserFactory(username="stranger")
    for person in (viewer, outsider, stranger):
        sign_ins.record(None, SignInOutcome.SUCCEEDED, user=person)
    sign_ins.record(None, SignInOutcome.FAILED, username="typo-name")
    client.force_login(admin_user)

    html = client.get(reverse("organizations:sign_ins")).content.decode()

    assert "(viewer)" in html
    assert "(admin)" in html  # the administrator's own log-in just now
    for hidden in ("outsider", "stranger", "typo-name"):
        assert hidden not in html


@pytest.mark.django_db
def test_the_sign_ins_page_filters_by_person_and_outcome(client, admin_user, viewer):
    sign_ins.record(None, SignInOutcome.SUCCEEDED, user=viewer)
    sign_ins.record(None, SignInOutcome.FAILED, user=viewer)
    client.force_login(admin_user)
    url = reverse("organizations:sign_ins")

    page = client.get(url, {"user": viewer.pk, "outcome": "failed"})

    assert [(row.user, row.outcome) for row in page.context["rows"]] == [(viewer, "failed")]
    everyone = client.get(url, {"user": "<script>", "outcome": "x" * 5000})
    assert everyone.status_code == 200
    assert len(everyone.context["rows"]) == 3


@pytest.mark.django_db
def test_the_sign_ins_page_pages_backwards_without_counting(client, admin_user, viewer):
    SignIn.objects.bulk_create(
        SignIn(user=viewer, username="viewer", outcome="succeeded") for _ in range(60)
    )
    client.force_login(admin_user)
    url = reverse("organizations:sign_ins")

    first = client.get(url, {"user": viewer.pk})
    second = client.get(first.context["next_url"])

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 10
    assert second.context["next_url"] is None
    assert {r.pk for r in first.context["rows"]}.isdisjoint(r.pk for r in second.context["rows"])


@pytest.mark.django_db
def test_the_sign_ins_page_is_refused_to_a_viewer_and_sends_anonymous_to_log_in(client, viewer):
    url = reverse("organizations:sign_ins")
    assert client.get(url).status_code == 302
    client.force_login(viewer)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_everyone_sees_their_own_recent_sign_ins_only(client, viewer, admin_user):
    sign_ins.record(None, SignInOutcome.FAILED, user=admin_user)
    client.force_login(viewer)

    page = client.get(reverse("organizations:my_sign_ins"))

    assert [(row.user, row.outcome) for row in page.context["rows"]] == [(viewer, "succeeded")]


def test_a_megabyte_user_name_is_a_failed_log_in_not_an_error(client, db):
    from axes.models import AccessAttempt

    response = client.post(
        "/accounts/login/", {"username": "x" * 1_000_000, "password": "wrong password"}
    )
    assert response.status_code == 200
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 150
