"""Closing the loop: classification, root causes, redress, the requester's verdict and rating,
routing, answer templates, reminders, files and personal data."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compromiso.cases import privacy, reminders, services
from compromiso.cases.models import (
    AssignmentRule,
    CannedAnswer,
    Case,
    Category,
    EventKind,
    RootCause,
    Status,
)
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC, SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def web(organization):
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


@pytest.fixture
def service(organization, branch):
    return ServiceFactory(organization=organization, provider_unit=branch, name="Certificados")


def _receive(organization, web, service, **extra):
    fields = {
        "organization": organization,
        "kind": "complaint",
        "channel": web,
        "service": service,
        "subject": "Cobro duplicado",
        "description": "Me cobraron dos veces el certificado.",
        "requester_name": "Ana Pérez",
        "requester_email": "ana@example.org",
        "by": PUBLIC,
    }
    fields.update(extra)
    case, _secret = services.receive_case(**fields)
    return case


@pytest.fixture
def complaint(organization, web, service):
    return _receive(organization, web, service)


def _answered(case, officer):
    services.assign_case(case, assignee=officer, by=officer)
    services.answer_case(case, answer="Le devolvemos el importe.", by=officer)
    return case


def test_closing_a_complaint_needs_its_root_cause(complaint, officer):
    _answered(complaint, officer)
    services.install_root_causes(complaint.organization, by=SYSTEM)

    with pytest.raises(ValidationError) as refused:
        services.close_case(complaint, by=officer)
    cause = RootCause.objects.get(organization=complaint.organization, code="TIE")
    services.close_case(complaint, by=officer, root_cause=cause)

    assert "root_cause" in refused.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert complaint.root_cause == cause


def test_the_cause_coding_is_seeded_in_the_organisation_language(organization, other_organization):
    services.install_root_causes(organization, by=SYSTEM)
    services.install_root_causes(other_organization, by=SYSTEM)
    services.install_root_causes(organization, by=SYSTEM)  # idempotent

    spanish = RootCause.objects.filter(organization=organization)
    catalan = RootCause.objects.filter(organization=other_organization)
    assert spanish.count() == 9
    assert spanish.get(code="TRA").name.startswith("Trato")
    assert catalan.get(code="TRA").name.startswith("Tracte")


def test_categories_are_two_levels_deep_and_stay_in_their_organisation(
    organization, other_organization, quality_manager, complaint, officer
):
    parent = services.save_category(organization, name="Pagos", by=quality_manager)
    child = services.save_category(
        organization, name="Cobro duplicado", parent=parent, by=quality_manager
    )
    foreign = Category.objects.create(organization=other_organization, name="Pagaments")

    with pytest.raises(ValidationError):
        services.save_category(organization, name="Nieto", parent=child, by=quality_manager)
    with pytest.raises(ValidationError):
        services.save_category(organization, name="Pagos", by=quality_manager)  # duplicate
    with pytest.raises(ValidationError):
        services.classify_case(complaint, by=officer, category=foreign)
    services.classify_case(complaint, by=officer, category=child, priority="high")

    complaint.refresh_from_db()
    assert complaint.category == child
    assert str(child) == "Pagos › Cobro duplicado"
    assert complaint.priority == "high"


def test_redress_is_recorded_on_the_timeline(complaint, officer):
    redress = services.record_redress(
        complaint, by=officer, kind="refund", amount=Decimal("4500"), description="Devolución"
    )

    assert redress.service == complaint.service
    assert complaint.events.filter(kind=EventKind.REDRESS).exists()
    with pytest.raises(ValidationError):
        services.record_redress(complaint, by=officer, kind="refund", amount=Decimal("-1"))
    with pytest.raises(ValidationError):
        services.record_redress(complaint, by=officer, kind="bribe")


def test_the_requester_accepts_the_answer_and_the_case_closes(complaint, officer):
    _answered(complaint, officer)

    services.record_verdict(complaint, accepted=True)

    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert complaint.verdict == "accepted"
    with pytest.raises(services.CaseError):
        services.record_verdict(complaint, accepted=False, comment="Cambié de idea")


def test_a_rejected_answer_reopens_the_case_for_review(complaint, officer):
    _answered(complaint, officer)

    with pytest.raises(ValidationError):
        services.record_verdict(complaint, accepted=False, comment="  ")
    services.record_verdict(complaint, accepted=False, comment="No me devolvieron nada.")

    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.verdict == "rejected"
    assert complaint.events.filter(kind=EventKind.REJECTED, is_public=True).exists()


def test_the_answer_mail_carries_the_survey_link_and_the_external_recourse(
    organization, web, service, officer, django_capture_on_commit_callbacks
):
    organization.jurisdiction = "cl_public"
    organization.save()
    case = _receive(organization, web, service, kind="information_request")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _answered(case, officer)

    body = mail.outbox[-1].body
    link = re.search(rf"/o/{organization.slug}/cases/rate/([^/\s]+)/", body)
    assert link is not None
    assert services.case_for_rating_token(link.group(1)) == case
    assert "Consejo para la Transparencia" in body
    assert "Le devolvemos el importe." in body


def test_handling_is_rated_once_after_the_answer(complaint, officer):
    with pytest.raises(services.CaseError):
        services.rate_handling(complaint, outcome=5, courtesy=5, clarity=5, timeliness=5)
    _answered(complaint, officer)
    with pytest.raises(ValidationError):
        services.rate_handling(complaint, outcome=6, courtesy=5, clarity=5, timeliness=0)

    rating = services.rate_handling(complaint, outcome=2, courtesy=5, clarity=4, timeliness=3)

    assert rating.handling == 4
    with pytest.raises(services.CaseError):
        services.rate_handling(complaint, outcome=5, courtesy=5, clarity=5, timeliness=5)


def test_a_tampered_survey_token_finds_nothing(complaint):
    token = services.rating_token(complaint)

    assert services.case_for_rating_token(token) == complaint
    assert services.case_for_rating_token(token[:-2] + "xx") is None
    assert services.case_for_rating_token("") is None


def test_routing_rules_assign_new_cases_in_turn(organization, web, service, branch, officer):
    second = UserFactory(username="second")
    MembershipFactory(user=second, organization=organization, unit=branch, role=Role.CASE_OFFICER)
    outsider = UserFactory(username="elsewhere")  # not a member: never assigned
    rule = AssignmentRule.objects.create(organization=organization, service=service)
    rule.officers.set([officer, second, outsider])

    first_case = _receive(organization, web, service)
    second_case = _receive(organization, web, service)
    third_case = _receive(organization, web, service)
    unrouted = _receive(organization, web, None, kind="suggestion")

    assert [first_case.assignee, second_case.assignee, third_case.assignee] == [
        officer,
        second,
        officer,
    ]
    assert first_case.status == Status.ASSIGNED
    assert unrouted.assignee is None


def test_a_canned_answer_is_saved_with_its_audit_entry(organization, quality_manager):
    answer = services.save_canned_answer(
        organization, title="Acuse", body="Recibimos su caso {code}.", by=quality_manager
    )
    services.save_canned_answer(
        organization,
        answer=answer,
        title="Acuse de recibo",
        body=answer.body,
        is_active=False,
        by=quality_manager,
    )

    answer.refresh_from_db()
    assert (answer.title, answer.is_active) == ("Acuse de recibo", False)
    entries = AuditEntry.objects.for_object(answer).order_by("pk")
    assert list(entries.values_list("action", "actor")) == [
        ("cases.cannedanswer.created", quality_manager.pk),
        ("cases.cannedanswer.updated", quality_manager.pk),
    ]
    assert entries.last().data["title"] == ["Acuse", "Acuse de recibo"]


def test_a_canned_answer_is_refused_to_someone_who_cannot_manage_the_organisation(
    organization, officer
):
    with pytest.raises(PermissionDenied):
        services.save_canned_answer(organization, title="Acuse", body="Hola", by=officer)

    assert not CannedAnswer.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="cases.cannedanswer").exists()


def test_a_routing_rule_is_saved_with_its_officers_and_audit_entry(
    organization, service, branch, officer, quality_manager
):
    rule = services.save_assignment_rule(
        organization, service=service, target_unit=branch, officers=[officer], by=quality_manager
    )
    services.save_assignment_rule(
        organization, rule=rule, service=service, officers=[], is_active=False, by=quality_manager
    )

    rule.refresh_from_db()
    assert (rule.is_active, rule.target_unit, list(rule.officers.all())) == (False, None, [])
    entries = AuditEntry.objects.for_object(rule).order_by("pk")
    assert list(entries.values_list("action", "actor")) == [
        ("cases.assignmentrule.created", quality_manager.pk),
        ("cases.assignmentrule.updated", quality_manager.pk),
    ]
    assert entries.first().data == {"officers": [officer.pk]}


def test_a_routing_rule_is_refused_to_someone_who_cannot_manage_the_organisation(
    organization, officer, other_organization
):
    with pytest.raises(PermissionDenied):
        services.save_assignment_rule(organization, officers=[officer], by=officer)
    foreign = ServiceFactory(organization=other_organization)
    with pytest.raises(ValidationError):
        services.save_assignment_rule(organization, service=foreign, officers=[], by=SYSTEM)

    assert not AssignmentRule.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="cases.assignmentrule").exists()


def test_answer_templates_fill_their_placeholders(complaint, officer):
    officer.first_name, officer.last_name = "Rosa", "Díaz"
    template = CannedAnswer.objects.create(
        organization=complaint.organization,
        title="Cobro",
        body="Estimada {name}: su caso {code} sobre {service} lo atiende {officer}. {unknown}",
    )

    text = services.render_canned_answer(template, complaint, officer)

    assert text == (
        f"Estimada Ana Pérez: su caso {complaint.tracking_code} sobre Certificados lo atiende "
        "Rosa Díaz. {unknown}"
    )


def test_reminders_and_escalations_are_sent_once(complaint, officer, unit_head):
    services.assign_case(complaint, assignee=officer, by=officer)
    mail.outbox.clear()
    received = complaint.received_at
    near = received + (complaint.due_at - received) * 0.8
    with time_machine.travel(near):
        first = reminders.run()
        again = reminders.run()
    with time_machine.travel(complaint.due_at + dt.timedelta(hours=1)):
        late = reminders.run()
        late_again = reminders.run()

    assert first == {"reminded": 1, "escalated": 0}
    assert again == {"reminded": 0, "escalated": 0}
    assert late == {"reminded": 0, "escalated": 1}
    assert late_again == {"reminded": 0, "escalated": 0}
    assert [m.to for m in mail.outbox] == [[officer.email], [unit_head.email]]
    assert complaint.events.filter(kind=EventKind.ESCALATED).count() == 1


def _office_file(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("boleta.pdf", PDF, ("application/pdf", "boleta.pdf")),
        ("foto.exe", PNG, ("image/png", "foto.png")),  # the content decides, not the name
        ("../../etc/carta.docx", _office_file("word"), (None, "carta.docx")),
        ("nota.txt", "Atención lenta, ñandú".encode(), ("text/plain", "nota.txt")),
    ],
)
def test_accepted_files_are_typed_by_their_content(complaint, officer, name, content, expected):
    stored = services.add_attachment(complaint, SimpleUploadedFile(name, content), by=officer)

    content_type, filename = expected
    assert stored.filename == filename
    if content_type:
        assert stored.content_type == content_type
    assert stored.file.read() == content
    assert name not in stored.file.name


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 100,  # a Windows program
        b"<html><script>alert(1)</script></html>",
        b"<svg onload=alert(1)></svg>",
        b"PK\x03\x04 not really a zip",
        b"",
    ],
)
def test_dangerous_or_empty_files_are_refused(complaint, officer, content):
    with pytest.raises(ValidationError):
        services.add_attachment(complaint, SimpleUploadedFile("doc.pdf", content), by=officer)
    assert not complaint.attachments.exists()


def test_oversized_files_are_refused(complaint, officer):
    big = SimpleUploadedFile("grande.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError):
        services.add_attachment(complaint, big, by=officer)


def test_a_requester_message_restarts_a_paused_clock(complaint, officer):
    services.assign_case(complaint, assignee=officer, by=officer)
    services.request_information(complaint, message="Envíe la boleta.", by=officer)

    services.add_requester_message(
        complaint, text="Adjunto la boleta.", uploads=[SimpleUploadedFile("b.pdf", PDF)]
    )

    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert complaint.attachments.get().event.comment == "Adjunto la boleta."


def test_personal_data_is_exported_then_erased_on_request(complaint, officer, admin_user):
    services.add_attachment(complaint, SimpleUploadedFile("b.pdf", PDF), by=officer)
    organization = complaint.organization

    document = privacy.export_requester_data(organization, by=admin_user, email="ANA@example.org")
    with pytest.raises(ValidationError):  # still open
        privacy.erase_requester(organization, by=admin_user, email="ana@example.org")
    _answered(complaint, officer)
    services.record_verdict(complaint, accepted=True)
    codes = privacy.erase_requester(organization, by=admin_user, email="ana@example.org")

    assert document["cases"][0]["requester"]["name"] == "Ana Pérez"
    assert codes == [complaint.tracking_code]
    complaint.refresh_from_db()
    assert complaint.requester_name == complaint.requester_email == ""
    assert complaint.description == privacy.ERASED
    assert not complaint.attachments.get().file
    assert set(complaint.events.exclude(comment="").values_list("comment", flat=True)) == {
        privacy.ERASED
    }
    assert Case.objects.filter(pk=complaint.pk).exists()  # the case itself stays, for the figures


def test_only_managers_handle_personal_data_requests(complaint, officer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        privacy.export_requester_data(complaint.organization, by=officer, email="ana@example.org")


def test_retention_anonymises_cases_closed_long_ago(complaint, officer):
    organization = complaint.organization
    _answered(complaint, officer)
    services.record_verdict(complaint, accepted=True)

    kept = privacy.anonymise_expired(organization)
    later = timezone.now() + dt.timedelta(days=organization.case_retention_days + 1)
    anonymised = privacy.anonymise_expired(organization, now=later)

    assert (kept, anonymised) == (0, 1)
    complaint.refresh_from_db()
    assert complaint.anonymised_at is not None
    assert complaint.requester_email == ""
