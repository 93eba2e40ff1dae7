"""The requester closes the loop: files, follow-up messages, accepting or rejecting the answer,
the external recourse, and the handling survey; none of it without the secret."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compromiso.cases import services
from compromiso.cases.models import Case, HandlingRating, Status
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.actors import PUBLIC

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def web(organization):
    organization.jurisdiction = "cl_public"
    organization.save()
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


def _file(citizen, organization, **extra):
    data = {
        "kind": "information_request",
        "subject": "Copia del contrato",
        "description": "Solicito copia del contrato de aseo.",
        "requester_name": "Ana Pérez",
        "requester_email": "ana@example.org",
        "reply_channel": "email",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        **extra,
    }
    response = citizen.post(reverse("portal:case_new", args=[organization.slug]), data, follow=True)
    return response


def _unlock(citizen, case, secret):
    return citizen.post(
        reverse("portal:track"), {"code": case.tracking_code, "secret": secret}, follow=True
    )


def test_files_travel_with_the_public_form(citizen, organization, web):
    response = _file(
        citizen,
        organization,
        attachments=[SimpleUploadedFile("contrato.pdf", PDF), SimpleUploadedFile("n.txt", b"ok")],
    )

    case = Case.objects.get()
    assert response.status_code == 200
    assert sorted(case.attachments.values_list("filename", flat=True)) == ["contrato.pdf", "n.txt"]


def test_a_forbidden_file_keeps_the_form_and_saves_nothing(citizen, organization, web):
    response = _file(
        citizen, organization, attachments=[SimpleUploadedFile("x.pdf", b"MZ\x90\x00rest")]
    )
    too_many = _file(
        citizen,
        organization,
        attachments=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)],
    )

    assert not Case.objects.exists()
    assert "x.pdf" in response.content.decode()
    assert response.context["form"]["subject"].value() == "Copia del contrato"
    assert too_many.context["form"].errors["attachments"]


def test_the_requester_answers_accepts_and_rates(citizen, organization, web, quality_manager):
    received = _file(citizen, organization)
    case = Case.objects.get()
    secret = received.context["secret"]
    services.assign_case(case, assignee=quality_manager, by=quality_manager)
    services.request_information(case, message="Indique el año del contrato.", by=quality_manager)

    page = _unlock(citizen, case, secret)
    tracked = reverse("portal:tracked", args=[case.tracking_code])
    citizen.post(
        tracked,
        {
            "message-text": "Es del año 2024.",
            "message-attachments": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    services.answer_case(case, answer="Adjuntamos el contrato.", by=quality_manager)
    answered = citizen.get(tracked).content.decode()
    refused = citizen.post(tracked, {"verdict-accepted": "no", "verdict-comment": ""})
    citizen.post(tracked, {"verdict-accepted": "yes", "verdict-comment": ""})

    assert page.status_code == 200
    assert "Consejo para la Transparencia" in answered
    assert refused.status_code == 200
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.verdict == "accepted"
    assert case.attachments.get().filename == "a.pdf"


def test_a_rejection_reopens_the_case(citizen, organization, web, quality_manager):
    received = _file(citizen, organization)
    case = Case.objects.get()
    services.assign_case(case, assignee=quality_manager, by=quality_manager)
    services.answer_case(case, answer="No procede.", by=quality_manager)
    _unlock(citizen, case, received.context["secret"])

    citizen.post(
        reverse("portal:tracked", args=[case.tracking_code]),
        {"verdict-accepted": "no", "verdict-comment": "Sí procede: es información pública."},
    )

    case.refresh_from_db()
    assert (case.status, case.verdict) == (Status.IN_PROGRESS, "rejected")


def test_the_tracked_page_needs_the_secret_first(
    client, citizen, organization, web, quality_manager
):
    _file(citizen, organization)
    case = Case.objects.get()
    attachment = services.add_attachment(case, SimpleUploadedFile("a.pdf", PDF), by=quality_manager)
    tracked = reverse("portal:tracked", args=[case.tracking_code])
    download = reverse("portal:tracked_attachment", args=[case.tracking_code, attachment.pk])

    assert client.get(tracked).status_code == 404
    assert client.post(tracked, {"verdict-accepted": "yes"}).status_code == 404
    assert client.get(download).status_code == 404
    assert citizen.get(download).status_code == 404  # filed it, but has not unlocked it yet


def test_the_survey_link_rates_the_handling_once(client, organization, web, quality_manager):
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=web,
        subject="Demora",
        description="Demora.",
        requester_name="Ana",
        by=PUBLIC,
    )
    services.assign_case(case, assignee=quality_manager, by=quality_manager)
    services.answer_case(case, answer="Disculpe.", by=quality_manager)
    url = reverse("portal:rate", args=[organization.slug, services.rating_token(case)])
    answers = {"outcome": "4", "courtesy": "5", "clarity": "4", "timeliness": "3", "comment": ""}

    bad = client.post(url, {**answers, "outcome": "9", "comment": "x" * 3000})
    client.post(url, answers)
    again = client.post(url, {**answers, "outcome": "1"})
    forged = client.get(reverse("portal:rate", args=[organization.slug, "MQ:forged:sig"]))
    wrong_org = client.get(reverse("portal:rate", args=["otra", services.rating_token(case)]))

    assert bad.status_code == 200
    assert bad.context["form"].errors
    rating = HandlingRating.objects.get(case=case)
    assert rating.outcome == 4
    assert again.context["done"]
    assert forged.status_code == 404
    assert wrong_org.status_code == 404


def test_the_tracking_page_says_who_wrote_each_message(citizen, organization, web, quality_manager):
    """The requester's own message is theirs ("Usted"), not a "Respuesta" of the organisation."""
    received = _file(citizen, organization)
    case = Case.objects.get()
    services.assign_case(case, assignee=quality_manager, by=quality_manager)
    services.add_note(case, text="Estamos revisando.", by=quality_manager, public=True)
    _unlock(citizen, case, received.context["secret"])
    tracked = reverse("portal:tracked", args=[case.tracking_code])
    citizen.post(tracked, {"message-text": "Les escribo de nuevo."})

    page = citizen.get(tracked)
    entries = {
        event.comment: event.from_requester for event in page.context["events"] if event.comment
    }
    html = " ".join(page.content.decode().split())

    assert entries == {"Estamos revisando.": False, "Les escribo de nuevo.": True}
    mine = html.index("Les escribo de nuevo.")
    theirs = html.index("Estamos revisando.")
    assert 'Su mensaje</span> · <span class="small">Usted</span>' in html[theirs:mine]
    assert f'Respuesta</span> · <span class="small">{organization.name}</span>' in html[:theirs]
