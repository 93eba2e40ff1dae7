"""Staff tools on cases: search, filters, bulk assignment, exports, classification, redress,
files, set-up pages and personal-data requests, with their scoping and bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compromiso.cases import services
from compromiso.cases.models import AssignmentRule, CannedAnswer, Category, Redress, RootCause
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import DEMO, PUBLIC
from compromiso.core.models import AuditEntry

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def counter(organization):
    return ChannelFactory(organization=organization, kind="in_person", name="Mesón")


def _case(organization, unit, counter, subject, description, name="Ana Pérez"):
    service = ServiceFactory(organization=organization, provider_unit=unit)
    case, _secret = services.receive_case(
        organization=organization,
        kind="complaint",
        channel=counter,
        service=service,
        subject=subject,
        description=description,
        requester_name=name,
        requester_email="ana@example.org",
        by=PUBLIC,
    )
    return case


@pytest.fixture
def arica_case(organization, branch, counter):
    return _case(organization, branch, counter, "Fila de dos horas", "Los funcionarios atendían.")


@pytest.fixture
def temuco_case(organization, other_branch, counter):
    return _case(
        organization, other_branch, counter, "Caja cerrada", "Los funcionarios no estaban."
    )


def test_search_finds_words_in_the_description_within_scope(
    client, officer, arica_case, temuco_case
):
    client.force_login(officer)

    found = client.get(reverse("cases:inbox"), {"q": "funcionarios"}).context["cases"]
    by_code = client.get(reverse("cases:inbox"), {"q": arica_case.tracking_code.lower()})
    hostile = client.get(reverse("cases:inbox"), {"q": "'); DROP TABLE cases_case; --"})

    assert found == [arica_case]  # Temuco's case matches too, but is not the officer's
    assert by_code.context["cases"] == [arica_case]
    assert hostile.status_code == 200
    assert hostile.context["cases"] == []


def test_inbox_filters_by_service_assignee_and_bad_ratings(
    client, quality_manager, officer, arica_case, temuco_case
):
    services.assign_case(arica_case, assignee=officer, by=quality_manager)
    services.answer_case(arica_case, answer="Listo.", by=officer)
    services.rate_handling(arica_case, outcome=1, courtesy=1, clarity=2, timeliness=1)
    client.force_login(quality_manager)

    by_service = client.get(reverse("cases:inbox"), {"service": temuco_case.service_id})
    by_assignee = client.get(reverse("cases:inbox"), {"status": "all", "assignee": officer.pk})
    rated_badly = client.get(reverse("cases:inbox"), {"status": "all", "rated_badly": "on"})

    assert by_service.context["cases"] == [temuco_case]
    assert by_assignee.context["cases"] == [arica_case]
    assert rated_badly.context["cases"] == [arica_case]


def test_bulk_assignment_only_touches_visible_cases(
    client, quality_manager, officer, unit_head, arica_case, temuco_case
):
    client.force_login(unit_head)  # head of Arica: cannot see Temuco's case

    response = client.post(
        reverse("cases:bulk_assign"),
        {"case": [arica_case.pk, temuco_case.pk, "x"], "assignee": officer.pk},
    )

    assert response.status_code == 302
    arica_case.refresh_from_db()
    temuco_case.refresh_from_db()
    assert arica_case.assignee == officer
    assert temuco_case.assignee is None


def test_the_export_holds_the_filtered_list_without_personal_data(
    client, officer, arica_case, temuco_case, organization, branch, counter
):
    formula = _case(organization, branch, counter, "=HYPERLINK(1)", "Texto")
    client.force_login(officer)

    csv = client.get(reverse("cases:inbox"), {"export": "csv"}).content.decode("utf-8-sig")
    xlsx = client.get(reverse("cases:inbox"), {"export": "xlsx"})

    assert arica_case.tracking_code in csv
    assert temuco_case.tracking_code not in csv
    assert "ana@example.org" not in csv
    assert "Ana Pérez" not in csv
    assert "'=HYPERLINK(1)" in csv
    assert formula.tracking_code in csv
    assert xlsx.getvalue()[:2] == b"PK"
    assert AuditEntry.objects.filter(action="cases.exported").count() == 2


def test_classify_redress_and_files_from_the_case_page(client, officer, arica_case):
    category = Category.objects.create(organization=arica_case.organization, name="Atención")
    client.force_login(officer)
    page = reverse("cases:detail", args=[arica_case.pk])

    client.post(
        reverse("cases:classify", args=[arica_case.pk]),
        {"category": category.pk, "priority": "high", "root_cause": ""},
    )
    client.post(
        reverse("cases:redress", args=[arica_case.pk]),
        {"breached": "on", "kind": "apology", "amount": "", "description": "Disculpas"},
    )
    bad_redress = client.post(
        reverse("cases:redress", args=[arica_case.pk]),
        {"kind": "refund", "amount": "-5"},
        follow=True,
    )
    client.post(
        reverse("cases:attach", args=[arica_case.pk]),
        {"attachments": [SimpleUploadedFile("boleta.pdf", PDF)], "public": "on"},
    )
    refused = client.post(
        reverse("cases:attach", args=[arica_case.pk]),
        {"attachments": [SimpleUploadedFile("virus.pdf", b"MZ\x90\x00")]},
        follow=True,
    )

    arica_case.refresh_from_db()
    assert arica_case.category == category
    assert arica_case.priority == "high"
    assert Redress.objects.filter(case=arica_case).count() == 1
    assert bad_redress.status_code == 200
    assert arica_case.attachments.count() == 1
    assert "virus.pdf" in refused.content.decode()
    html = client.get(page).content.decode()
    assert "boleta.pdf" in html
    assert "Atención" in html


def test_files_download_only_for_people_who_see_the_case(
    client, officer, arica_case, temuco_case, quality_manager
):
    attachment = services.add_attachment(
        temuco_case, SimpleUploadedFile("b.pdf", PDF), by=quality_manager
    )
    url = reverse("cases:attachment", args=[temuco_case.pk, attachment.pk])
    wrong_pair = reverse("cases:attachment", args=[arica_case.pk, attachment.pk])

    client.force_login(officer)
    denied = client.get(url)
    mismatched = client.get(wrong_pair)
    client.force_login(quality_manager)
    allowed = client.get(url)

    assert denied.status_code == 404
    assert mismatched.status_code == 404
    assert allowed.status_code == 200
    assert allowed["Content-Disposition"].startswith("attachment")
    assert allowed["X-Content-Type-Options"] == "nosniff"
    assert b"".join(allowed.streaming_content) == PDF


def test_a_canned_answer_fills_the_reply_box(client, officer, arica_case):
    template = CannedAnswer.objects.create(
        organization=arica_case.organization, title="Fila", body="Caso {code}: lo revisamos."
    )
    client.force_login(officer)

    page = client.get(reverse("cases:detail", args=[arica_case.pk]), {"canned": template.pk})
    ignored = client.get(reverse("cases:detail", args=[arica_case.pk]), {"canned": "9999"})

    assert f"Caso {arica_case.tracking_code}: lo revisamos." in page.content.decode()
    assert ignored.status_code == 200


def test_closing_a_complaint_from_the_page_codes_its_cause(client, officer, arica_case):
    services.assign_case(arica_case, assignee=officer, by=officer)
    services.answer_case(arica_case, answer="Listo.", by=officer)
    client.force_login(officer)
    services.seed_root_causes(arica_case.organization, by=DEMO)
    cause = RootCause.objects.get(organization=arica_case.organization, code="TIE")
    close = reverse("cases:act", args=[arica_case.pk, "close"])

    without = client.post(close, {"text": ""}, follow=True)
    client.post(close, {"text": "", "root_cause": cause.pk})

    assert "Codifique la causa" in without.content.decode()
    arica_case.refresh_from_db()
    assert arica_case.status == "closed"
    assert arica_case.root_cause == cause


@pytest.mark.parametrize(
    "name",
    ["cases:taxonomy", "cases:canned_answers", "cases:assignment_rules", "cases:personal_data"],
)
def test_set_up_pages_are_for_managers(client, officer, quality_manager, name):
    client.force_login(officer)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(quality_manager)
    assert client.get(reverse(name)).status_code == 200


def test_managers_build_the_taxonomy_templates_and_rules(
    client, quality_manager, officer, organization, branch
):
    client.force_login(quality_manager)

    client.post(reverse("cases:taxonomy"), {"category-name": "Pagos", "category-parent": ""})
    duplicate = client.post(
        reverse("cases:taxonomy"), {"category-name": "pagos", "category-parent": ""}
    )
    client.post(reverse("cases:taxonomy"), {"cause-code": "web", "cause-name": "Sitio caído"})
    client.post(
        reverse("cases:canned_answers"),
        {"title": "Acuse", "kind": "", "body": "<script>x</script> {code}", "is_active": "on"},
    )
    client.post(
        reverse("cases:assignment_rules"),
        {"position": 1, "kind": "complaint", "target_unit": branch.pk, "officers": [officer.pk]},
    )
    oversized = client.post(
        reverse("cases:canned_answers"), {"title": "x" * 500, "body": "y", "is_active": "on"}
    )

    assert Category.objects.filter(organization=organization).count() == 1
    assert duplicate.status_code == 200
    assert RootCause.objects.filter(organization=organization, code="WEB").exists()
    assert CannedAnswer.objects.get(organization=organization).body.startswith("<script>")
    assert "<script>x" not in client.get(reverse("cases:canned_answers")).content.decode()
    rule = AssignmentRule.objects.get(organization=organization)
    assert list(rule.officers.all()) == [officer]
    assert oversized.status_code == 200
    assert CannedAnswer.objects.count() == 1


def test_personal_data_page_exports_and_erases(client, admin_user, officer, arica_case):
    services.assign_case(arica_case, assignee=officer, by=officer)
    services.answer_case(arica_case, answer="Listo.", by=officer)
    services.record_verdict(arica_case, accepted=True)
    client.force_login(admin_user)
    url = reverse("cases:personal_data")

    found = client.get(url, {"email": "ana@example.org"})
    empty = client.get(url, {"email": "", "national_id": ""})
    exported = client.post(url, {"email": "ana@example.org", "do": "export"})
    erased = client.post(url, {"email": "ana@example.org", "do": "erase"})

    assert found.context["found"] == [arica_case]
    assert "Indique un correo" in empty.content.decode()
    assert exported.json()["cases"][0]["requester"]["email"] == "ana@example.org"
    assert erased.status_code == 302
    arica_case.refresh_from_db()
    assert arica_case.requester_email == ""


def test_a_closed_case_offers_reopening_not_starting(client, officer, arica_case):
    services.assign_case(arica_case, assignee=officer, by=officer)
    services.answer_case(arica_case, answer="Listo.", by=officer)
    services.record_verdict(arica_case, accepted=True)
    client.force_login(officer)

    actions = client.get(reverse("cases:detail", args=[arica_case.pk])).context["actions"]

    assert [action["name"] for action in actions] == ["reopen"]
