"""The public case form and tracking page: a citizen's view, bad and hostile input."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from compromiso.cases.models import Case, Status
from compromiso.cases.services import verify_secret
from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.portal.views import RECEIPT_COOKIE, RECEIPT_MAX_AGE, RECEIPT_SALT

pytestmark = pytest.mark.django_db


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


def _hidden(html, name):
    found = re.search(rf'name="{name}" value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)" name="{name}"', html
    )
    assert found is not None, name
    return found.group(1)


def test_the_acknowledgement_reaches_the_filer_without_a_session(citizen, url):
    sent = citizen.post(url, form_data())
    citizen.cookies.pop(settings.SESSION_COOKIE_NAME, None)

    page = citizen.get(sent["Location"])

    case = Case.objects.get()
    html = page.content.decode()
    assert page.status_code == 200
    assert case.tracking_code in html
    assert verify_secret(case, page.context["secret"])
    assert "no-store" in page["Cache-Control"]
    assert not Session.objects.exists()  # nothing kept on the server for an anonymous filer


def test_another_browser_opening_the_acknowledgement_sees_no_code(citizen, url):
    sent = citizen.post(url, form_data())

    stranger = Client()
    page = stranger.get(sent["Location"])

    assert page.status_code == 302
    assert page["Location"] == reverse("portal:track")
    assert Case.objects.get().tracking_code not in page.content.decode()


def test_a_forged_receipt_shows_nothing(citizen, url, organization):
    sent = citizen.post(url, form_data())
    other = citizen.post(url, form_data(submission_id=str(uuid.uuid4()), subject="Otro"))
    assert other.status_code == 302
    first, second = Case.objects.order_by("pk")
    receipt = citizen.cookies[RECEIPT_COOKIE].value
    assert second.tracking_code in receipt
    # The second case's receipt, its code swapped for the first case's: the signature no longer
    # matches; and a receipt signed with another key is refused too.
    citizen.cookies[RECEIPT_COOKIE] = receipt.replace(second.tracking_code, first.tracking_code)
    assert citizen.get(sent["Location"])["Location"] == reverse("portal:track")
    forged = signing.TimestampSigner(key="not-the-server-key", salt=RECEIPT_COOKIE + RECEIPT_SALT)
    citizen.cookies[RECEIPT_COOKIE] = forged.sign(f"{first.tracking_code}:ABCDEFGHJK")
    assert citizen.get(sent["Location"])["Location"] == reverse("portal:track")
    # The genuine receipt still works.
    citizen.cookies[RECEIPT_COOKIE] = receipt
    assert second.tracking_code in citizen.get(sent["Location"]).content.decode()


def test_an_expired_receipt_shows_nothing(citizen, url):
    with time_machine.travel(dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC), tick=False):
        sent = citizen.post(url, form_data())
    later = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=RECEIPT_MAX_AGE)
    with time_machine.travel(later - dt.timedelta(seconds=5), tick=False):
        assert citizen.get(sent["Location"]).status_code == 200
    with time_machine.travel(later + dt.timedelta(seconds=5), tick=False):
        page = citizen.get(sent["Location"])

    assert page.status_code == 302
    assert page["Location"] == reverse("portal:track")


def test_each_form_page_has_its_own_token_and_submission_id(url):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    pages = [browser.get(url).content.decode() for browser in (first, second)]

    tokens = [_hidden(page, "csrfmiddlewaretoken") for page in pages]
    ids = [_hidden(page, "submission_id") for page in pages]
    assert tokens[0] != tokens[1]
    assert ids[0] != ids[1]
    # Each browser's page is its own: both are taken, as two cases.
    for browser, token, submission_id in zip((first, second), tokens, ids, strict=True):
        data = form_data(csrfmiddlewaretoken=token, submission_id=submission_id)
        assert browser.post(url, data).status_code == 302
    assert Case.objects.count() == 2


def test_the_form_lists_the_services_as_they_are_now(citizen, url, organization):
    kept = ServiceFactory(organization=organization, name="Certificado de residencia")
    assert "Certificado de residencia" in citizen.get(url).content.decode()

    kept.name = "Certificado de domicilio"
    kept.save()
    added = ServiceFactory(organization=organization, name="Patente comercial")
    html = citizen.get(url).content.decode()
    assert "Certificado de domicilio" in html
    assert "Certificado de residencia" not in html
    assert f'value="{added.pk}">{added.code} · Patente comercial' in html

    added.is_active = False
    added.save()
    assert "Patente comercial" not in citizen.get(url).content.decode()
    response = citizen.post(url, form_data(service=added.pk))
    assert "service" in response.context["form"].errors
    assert citizen.post(url, form_data(service=kept.pk)).status_code == 302
    assert Case.objects.get().service == kept


def test_the_form_speaks_each_visitors_language(url):
    spanish = Client(headers={"accept-language": "es"}).get(url).content.decode()
    english = Client(headers={"accept-language": "en"}).get(url).content.decode()
    catalan = Client(headers={"accept-language": "ca"}).get(url).content.decode()

    assert 'for="id_subject">Asunto' in spanish
    assert 'for="id_subject">Subject' in english
    assert 'for="id_subject">Assumpte' in catalan


def test_a_refused_form_after_a_blank_page_keeps_what_was_typed_and_its_errors(citizen, url):
    citizen.get(url)

    response = citizen.post(url, form_data(subject="", requester_name="Ana María"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Ana María"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_subject"' in html


def test_a_blank_form_page_reuses_its_fields_and_costs_one_query(
    citizen, url, django_assert_max_num_queries
):
    """docs/performance.md counts these; this keeps them from growing back unnoticed."""
    citizen.get(url)  # renders the fields and reads the organisation's reference data

    with django_assert_max_num_queries(1):  # the organisation
        again = Client().get(url)

    assert "portal/_case_fields.html" not in [t.name for t in again.templates]
    assert 'for="id_subject"' in again.content.decode()
    refused = citizen.post(url, form_data(subject=""))
    assert "portal/_case_fields.html" in [t.name for t in refused.templates]
