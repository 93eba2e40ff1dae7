"""The public case form and tracking page: a citizen's view, bad and hostile input."""

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from compromiso.cases.models import Case, Status
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(organization):
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


@pytest.fixture
def url(organization, web):
    return reverse("portal:case_new", args=[organization.slug])


def form_data(**overrides):
    data = {
        "kind": "complaint",
        "subject": "Cobro duplicado",
        "description": "Me cobraron dos veces el certificado.",
        "requester_name": "Ana Pérez",
        "requester_email": "ana@example.org",
        "requester_national_id": "12.345.678-5",
        "reply_channel": "email",
        "submission_id": str(uuid.uuid4()),
        "website": "",
    }
    data.update(overrides)
    return data


def test_a_citizen_files_a_complaint_and_gets_code_and_secret(
    citizen, url, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen.post(url, form_data(), follow=True)

    case = Case.objects.get()
    html = response.content.decode()
    assert case.tracking_code in html
    assert case.status == Status.RECEIVED
    assert response.context["secret"] in mail.outbox[0].body


def test_the_form_page_works_without_javascript(citizen, url):
    html = citizen.get(url).content.decode()

    assert '<form method="post"' in html
    assert 'name="submission_id"' in html
    assert 'for="id_subject"' in html


def test_sending_the_same_form_twice_makes_one_case(citizen, url):
    data = form_data()

    first = citizen.post(url, data)
    second = citizen.post(url, data)

    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1


def test_the_honeypot_stops_bots(citizen, url):
    response = citizen.post(url, form_data(website="http://spam.example"))

    assert response.status_code == 200
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"description": ""}, "description"),
        ({"description": "x" * 1_000_000}, "description"),
        ({"requester_email": "not-an-email"}, "requester_email"),
        ({"requester_name": ""}, "requester_name"),
        ({"kind": "bribe"}, "kind"),
        ({"requester_national_id": "12.345.678-9"}, "requester_national_id"),
        ({"is_anonymous": "on", "requester_name": ""}, "is_anonymous"),
        ({"submission_id": "not-a-uuid"}, "__all__"),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(citizen, url, overrides, field):
    response = citizen.post(url, form_data(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Case.objects.exists()


def test_anonymous_suggestions_are_welcome(citizen, url):
    response = citizen.post(
        url,
        form_data(
            kind="suggestion",
            is_anonymous="on",
            requester_name="",
            requester_email="",
            reply_channel="post",
        ),
    )

    assert response.status_code == 302
    assert Case.objects.get().is_anonymous


def test_html_in_every_field_is_rendered_inert(citizen, url):
    hostile = '<script>alert("x")</script>'
    data = form_data(subject=hostile, description=hostile, requester_name=hostile)

    response = citizen.post(url, data, follow=True)
    code = Case.objects.get().tracking_code
    secret = response.context["secret"]
    tracked = citizen.post(reverse("portal:track"), {"code": code, "secret": secret}, follow=True)

    assert hostile not in response.content.decode()
    assert hostile not in tracked.content.decode()
    assert "&lt;script&gt;" in tracked.content.decode()


def test_a_service_of_another_organisation_cannot_be_chosen(citizen, url, other_organization):
    foreign = ServiceFactory(organization=other_organization)

    response = citizen.post(url, form_data(service=foreign.pk))

    assert "service" in response.context["form"].errors
    assert not Case.objects.exists()


def test_an_organisation_without_a_web_channel_takes_no_web_requests(citizen, other_organization):
    assert (
        citizen.get(reverse("portal:case_new", args=[other_organization.slug])).status_code == 404
    )
    assert citizen.get(reverse("portal:case_new", args=["no-such-org"])).status_code == 404


def test_submissions_are_rate_limited(citizen, url, settings):
    from compromiso.portal import views

    for _attempt in range(views.SUBMISSIONS_PER_HOUR):
        citizen.post(url, form_data(subject=""))

    assert citizen.post(url, form_data()).status_code == 429
    assert not Case.objects.exists()


def test_tracking_shows_public_history_only(citizen, url, quality_manager):
    officer = quality_manager  # no service chosen: the case has no owning unit yet
    from compromiso.cases import services

    response = citizen.post(url, form_data(), follow=True)
    case = Case.objects.get()
    services.add_note(case, text="Nota interna: cliente conocido", by=officer)
    services.acknowledge_case(case, by=officer, message="Estamos revisando su caso.")

    page = citizen.post(
        reverse("portal:track"),
        {"code": case.tracking_code.lower(), "secret": response.context["secret"]},
        follow=True,
    )

    html = page.content.decode()
    assert "Estamos revisando su caso." in html
    assert "Nota interna" not in html
    assert "Ana" not in html  # no personal data on the tracking page


def test_a_wrong_secret_reveals_nothing_and_failures_are_rate_limited(citizen, url):
    from compromiso.portal import views

    citizen.post(url, form_data())
    case = Case.objects.get()

    wrong = citizen.post(reverse("portal:track"), {"code": case.tracking_code, "secret": "WRONG"})
    unknown = citizen.post(reverse("portal:track"), {"code": "OIRS-2026-XXXXXX", "secret": "WRONG"})
    assert wrong.content.decode().count("No case matches") == unknown.content.decode().count(
        "No case matches"
    )
    assert case.subject not in wrong.content.decode()

    for _attempt in range(views.FAILED_LOOKUPS_PER_15_MINUTES):
        citizen.post(reverse("portal:track"), {"code": "X", "secret": "Y"})
    assert citizen.post(reverse("portal:track"), {"code": "X", "secret": "Y"}).status_code == 429


def test_the_acknowledgement_page_needs_a_fresh_submission(citizen, organization, web):
    response = citizen.get(reverse("portal:case_received", args=[organization.slug]))

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:track")


@pytest.mark.parametrize("submission_id", [None, "", "not-a-uuid"])
def test_a_form_without_its_submission_id_is_shown_again_with_what_was_typed(
    citizen, url, submission_id
):
    data = form_data(description="Esperé tres horas en la sucursal de Arica.")
    if submission_id is None:
        del data["submission_id"]
    else:
        data["submission_id"] = submission_id

    response = citizen.post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert "llegó incompleta y no se envió" in html
    assert "Hidden field" not in html
    assert "Esperé tres horas en la sucursal de Arica." in html
    assert 'value="Ana Pérez"' in html
    fresh = response.context["form"]["submission_id"].value()
    assert uuid.UUID(fresh)
    again = citizen.post(url, {**data, "submission_id": fresh}, follow=True)
    assert Case.objects.count() == 1
    assert again.status_code == 200


@pytest.mark.parametrize("size", [1_700_000, 3 * 1024 * 1024], ids=["1.7 MB", "3 MB"])
def test_a_description_too_long_is_refused_with_what_was_typed(citizen, url, size):
    long = ("Demasiado largo. " * (size // 17 + 1))[:size]

    response = citizen.post(url, form_data(description=long))

    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert response.context["form"].errors["description"]
    html = response.content.decode()
    assert 'value="Cobro duplicado"' in html
    assert long[-5000:] in html  # the citizen's own text comes back, to shorten it


def test_a_form_larger_than_the_request_limit_gets_a_page_that_says_so(citizen, url):
    response = citizen.post(url, form_data(description="x" * 6 * 1024 * 1024))

    assert response.status_code == 413
    html = response.content.decode()
    assert "Lo que envió es demasiado grande" in html
    assert 'id="main"' in html
