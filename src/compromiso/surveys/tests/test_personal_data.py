"""Retention, export and erasure walk the personal-data registry over every table that holds a
citizen's data: cases, their events, files, redress, rating and audit labels, and the survey
contact addresses, invitations, panel keys and free-text answers."""

import datetime as dt
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compromiso.cases import privacy
from compromiso.cases import services as case_services
from compromiso.cases.models import HandlingRating
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core import personal_data
from compromiso.core.actors import PUBLIC
from compromiso.core.models import AuditEntry
from compromiso.surveys import services
from compromiso.surveys.models import Answer, ImportJob, Invitation, Response
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db
EMAIL = "ana@example.org"


@pytest.fixture
def person(organization, wave, licences, officer, quality_manager, admin_user):
    """Ana: a closed complaint with everything a case can hold about her, a survey answer with
    her contact address and a comment, an invitation, and an imported file."""
    web = ChannelFactory(organization=organization, kind="web", name="Sitio web")
    case, _secret = case_services.receive_case(
        organization=organization,
        kind="complaint",
        channel=web,
        service=licences,
        subject="Cobro duplicado de Ana",
        description="Me cobraron dos veces.",
        requester_name="Ana Pérez",
        requester_email=EMAIL,
        requester_national_id="12345678-5",
        requester_phone="+56 9 1234 5678",
        by=PUBLIC,
        uploads=[SimpleUploadedFile("boleta.pdf", b"%PDF-1.4\n%%EOF\n")],
    )
    case_services.assign_case(case, assignee=officer, by=officer)
    case_services.record_redress(
        case, by=officer, kind="apology", description="Disculpas a Ana Pérez"
    )
    case_services.answer_case(case, answer="Le devolvemos el importe.", by=officer)
    case_services.rate_handling(
        case, outcome=5, courtesy=5, clarity=5, timeliness=5, comment="Gracias, Ana"
    )
    case_services.record_verdict(case, accepted=True)
    response = services.submit_response(
        wave,
        service=licences,
        answers=answers_for(wave, 7, text="Soy Ana, llámenme"),
        contact_email=EMAIL,
    )
    invitation = Invitation.objects.create(wave=wave, service=licences, email=EMAIL)
    job = ImportJob.objects.create(
        wave=wave, file_name="r.csv", sha256="0" * 64, headers=["email"], rejected=[[2, EMAIL]]
    )
    job.file.save("r.csv", ContentFile(f"email\n{EMAIL}\n".encode()))
    return {
        "case": case,
        "response": response,
        "invitation": invitation,
        "job": job,
        **_attention_rows(organization, licences),
    }


def _attention_rows(organization, licences):
    """Ana also took a number at a branch and booked an appointment, leaving her address."""
    from compromiso.attention.models import Appointment, Branch, Queue
    from compromiso.attention.services import issue_ticket
    from compromiso.catalog.tests.factories import TouchPointFactory

    point = TouchPointFactory(organization=organization, unit=licences.provider_unit)
    branch = Branch.objects.create(organization=organization, touch_point=point, code="arica")
    queue = Queue.objects.create(branch=branch, name="General", letter="A")
    visit = issue_ticket(queue, by=PUBLIC, email=EMAIL, phone="+56 9 1234 5678")
    now = timezone.now()
    appointment = Appointment.objects.create(
        organization=organization,
        branch=branch,
        queue=queue,
        starts_at=now,
        ends_at=now + dt.timedelta(minutes=15),
        code="ANA1",
        secret_hash="x",
        name="Ana Pérez",
        email=EMAIL,
    )
    return {"visit": visit, "appointment": appointment}


def _values_held(person):
    """Every registered field's value on Ana's rows, by table."""
    case = person["case"]
    case.refresh_from_db()
    rows = {
        "cases.Case": [case],
        "cases.CaseEvent": list(case.events.exclude(comment="")),
        "cases.Attachment": list(case.attachments.all()),
        "cases.Redress": list(case.redresses.all()),
        "cases.HandlingRating": list(HandlingRating.objects.filter(case=case)),
        "core.AuditEntry": list(AuditEntry.objects.filter(object_repr__contains="Ana")),
        "surveys.Response": [Response.objects.get(pk=person["response"].pk)],
        "surveys.Answer": list(Answer.objects.filter(response=person["response"]).exclude(text="")),
        "surveys.Invitation": [Invitation.objects.get(pk=person["invitation"].pk)],
        "surveys.ImportJob": [ImportJob.objects.get(pk=person["job"].pk)],
        "attention.Visit": [type(person["visit"]).objects.get(pk=person["visit"].pk)],
        "attention.Appointment": [
            type(person["appointment"]).objects.get(pk=person["appointment"].pk)
        ],
        "attention.Contact": [],  # notes are found by no address: retention only
        "attention.ImportJob": [],  # staff's files: retention only
    }
    return {
        (entry.model, entry.field): [
            getattr(row, entry.field) for row in rows[entry.model] if getattr(row, entry.field)
        ]
        for entry in personal_data.REGISTRY
    }


def test_export_holds_the_case_and_the_survey_contact_data(person, organization, admin_user):
    document = privacy.export_requester_data(organization, by=admin_user, email=EMAIL)
    text = json.dumps(document, ensure_ascii=False)

    for value in ("Cobro duplicado de Ana", "Disculpas a Ana Pérez", "Gracias, Ana"):
        assert value in text
    assert document["survey_responses"][0]["contact_email"] == EMAIL
    assert document["survey_responses"][0]["answers"] == [{"text": "Soy Ana, llámenme"}]
    assert document["survey_invitations"][0]["email"] == EMAIL


def test_erasure_leaves_nothing_of_the_person_in_any_registered_table(
    person, organization, admin_user
):
    assert AuditEntry.objects.filter(object_repr__contains="Ana").exists()

    privacy.erase_requester(organization, by=admin_user, email=EMAIL)

    held = {key: values for key, values in _values_held(person).items() if values}
    leftovers = {
        key: values
        for key, values in held.items()
        if any(value not in (personal_data.ERASED, "") for value in values)
        and key != ("cases.Case", "subject")
        and key[0] != "surveys.ImportJob"  # anonymous file: retention only
    }
    assert leftovers == {}
    assert not AuditEntry.objects.filter(object_repr__contains="Ana").exists()
    assert not Response.objects.filter(contact_email=EMAIL).exists()
    assert Response.objects.filter(pk=person["response"].pk).exists()  # the figures stay


def test_retention_expires_survey_addresses_imports_and_audit_labels(person, organization):
    later = timezone.now() + dt.timedelta(days=organization.case_retention_days + 1)
    Response.objects.filter(pk=person["response"].pk).update(submitted_at=timezone.now())

    privacy.anonymise_expired(organization, now=later)

    response = Response.objects.get(pk=person["response"].pk)
    job = ImportJob.objects.get(pk=person["job"].pk)
    assert response.contact_email == ""
    assert Invitation.objects.get(pk=person["invitation"].pk).email == ""
    assert not job.file
    assert job.rejected in ([], None, {})
    assert not AuditEntry.objects.filter(object_repr__contains="Ana").exists()
