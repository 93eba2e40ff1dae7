"""Evidence of an audit: snapshots frozen with their fingerprint (later changes to the data
change nothing), files checked for their real type and size, notes, the review by someone else
of the team, the expiry; and who may do what."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from compromiso.audits import services, snapshots
from compromiso.audits.models import AuditAccess, AuditFile, Evidence, ReviewStatus, TeamMember
from compromiso.audits.services.evidence import EvidenceError
from compromiso.audits.tests.test_snapshots_fixtures import *  # noqa: F403 (fixtures)
from compromiso.audits.tests.test_snapshots_fixtures import (
    answer,
    local,
    measure,
    receive,
)
from compromiso.cases.files import MAX_BYTES
from compromiso.core.actors import SYSTEM
from compromiso.organizations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="acta.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_snapshot_is_stored_with_the_fingerprint_of_its_payload(auditor, audit, web_point):
    evidence = services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point.pk)

    evidence.refresh_from_db()
    assert evidence.kind == "snapshot"
    assert evidence.snapshot_kind == "tp_cases"
    assert evidence.taken_by == auditor
    assert evidence.touch_point == web_point
    assert evidence.review_status == ReviewStatus.DRAFT
    assert evidence.fingerprint == snapshots.fingerprint(evidence.payload)
    assert len(evidence.fingerprint) == 64
    assert services.verify_evidence(evidence) is True
    assert evidence.title == "Casos en Web Arica"  # in the organisation's language


def test_changing_the_data_later_does_not_change_the_evidence(
    auditor,
    officer,
    audit,
    organization,
    web,
    licences,
    web_point,
    period_cases,
    commitment,
    measurements,
):
    cases_then = services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)
    commitment_then = services.take_snapshot(audit, "commitment", by=auditor, commitment=commitment)
    kept = {e.pk: (e.payload, e.fingerprint) for e in (cases_then, commitment_then)}

    # A new case answered in the period, the pending one answered, a new measurement.
    late = receive(organization, web, licences, local(dt.date(2026, 4, 1)))
    answer(late, officer, local(dt.date(2026, 4, 2), 12))
    answer(period_cases["last"], officer, local(dt.date(2026, 7, 2), 12))
    measure(commitment, dt.date(2026, 4, 1), "99", "met")

    for evidence in Evidence.objects.filter(pk__in=kept):
        assert (evidence.payload, evidence.fingerprint) == kept[evidence.pk]
        assert services.verify_evidence(evidence) is True
    assert snapshots.touch_point_cases(audit, web_point)["totals"]["received"] == 5
    assert cases_then.payload["totals"]["received"] == 4


def test_an_altered_payload_is_detected(auditor, audit, web_point):
    evidence = services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)
    payload = dict(evidence.payload)
    payload["totals"] = {**payload["totals"], "received": 999}
    Evidence.objects.filter(pk=evidence.pk).update(payload=payload)

    evidence.refresh_from_db()
    assert services.verify_evidence(evidence) is False


def test_one_click_from_a_checklist_item_links_the_snapshot(auditor, audit, web_point):
    item = audit.checklist.create(
        key="tp-1", source="commitment", text="Se responde a tiempo", touch_point=web_point
    )

    evidence = services.take_snapshot(
        audit, "tp_cases", by=auditor, touch_point=web_point.pk, checklist_item=str(item.pk)
    )

    assert evidence.checklist_item == item
    assert list(item.evidence.all()) == [evidence]


def test_a_checklist_item_of_another_audit_is_refused(auditor, audit, web_point, organization):
    from compromiso.audits.tests.factories import AuditFactory

    other = AuditFactory(organization=organization)
    item = other.checklist.create(key="x", source="free", text="Otra")

    with pytest.raises(ValidationError) as refused:
        services.take_snapshot(
            audit, "tp_cases", by=auditor, touch_point=web_point, checklist_item=item.pk
        )
    assert "checklist_item" in refused.value.message_dict
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "unit_head", "officer", "outsider"])
def test_only_whoever_conducts_the_audit_takes_snapshots(request, who, audit, web_point):
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.take_snapshot(audit, "tp_cases", by=person, touch_point=web_point)
    assert not Evidence.objects.exists()


def test_a_team_member_from_elsewhere_takes_snapshots_while_granted_access(audit, web_point):
    peer = UserFactory(username="peer")
    TeamMember.objects.create(audit=audit, user=peer, role="auditor")
    with pytest.raises(PermissionDenied):  # on the team, but not let in yet
        services.take_snapshot(audit, "tp_cases", by=peer, touch_point=web_point)
    now = timezone.now()
    AuditAccess.objects.create(
        audit=audit,
        user=peer,
        valid_from=now - dt.timedelta(hours=1),
        valid_until=now + dt.timedelta(days=30),
    )

    evidence = services.take_snapshot(audit, "tp_cases", by=peer, touch_point=web_point)

    assert evidence.taken_by == peer


def test_a_closed_audit_takes_no_more_evidence(auditor, audit, web_point):
    audit.status = "closed"
    audit.save()

    with pytest.raises(EvidenceError):
        services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)


def test_review_needs_someone_other_than_the_taker(auditor, second_auditor, audit, web_point):
    evidence = services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)
    with pytest.raises(EvidenceError):
        services.review_evidence(evidence, by=auditor, approve=True)  # still a draft
    services.submit_evidence(evidence, by=auditor)

    with pytest.raises(EvidenceError) as own:
        services.review_evidence(evidence, by=auditor, approve=True)
    assert own.value.code == "own_evidence"
    with pytest.raises(ValidationError):
        services.review_evidence(evidence, by=second_auditor, approve=False)  # no reason

    services.review_evidence(
        evidence, by=second_auditor, approve=True, expires_on=dt.date(2027, 12, 31)
    )
    evidence.refresh_from_db()
    assert evidence.review_status == ReviewStatus.APPROVED
    assert evidence.reviewed_by == second_auditor
    assert evidence.expires_on == dt.date(2027, 12, 31)


def test_the_taker_may_reject_and_a_rejected_note_goes_back_to_draft(
    auditor, second_auditor, audit
):
    note = services.record_evidence(
        audit, "observation", by=auditor, title="Fila", description="Había 20 personas."
    )
    services.submit_evidence(note, by=auditor)
    services.review_evidence(note, by=second_auditor, approve=False, note="Falta la hora.")
    assert note.review_status == ReviewStatus.REJECTED

    services.update_evidence(
        note, by=auditor, description="A las 10:15 había 20 personas en la fila."
    )
    note.refresh_from_db()
    assert note.review_status == ReviewStatus.DRAFT
    assert note.description.startswith("A las 10:15")


def test_expired_evidence_no_longer_counts_as_valid(auditor, second_auditor, audit, organization):
    note = services.record_evidence(
        audit,
        "interview",
        by=auditor,
        title="Jefa de oficina",
        description="Explica el turno de tarde.",
    )
    services.submit_evidence(note, by=auditor)
    services.review_evidence(note, by=SYSTEM, approve=True)
    today = organization.today()
    assert services.is_valid(note, today)
    assert list(services.valid_evidence(audit)) == [note]

    note.expires_on = today - dt.timedelta(days=1)
    note.save()

    assert services.is_expired(note, today)
    assert not services.is_valid(note, today)
    assert services.is_valid(note, today - dt.timedelta(days=1))
    assert list(services.valid_evidence(audit)) == []


def test_a_snapshot_is_never_edited(auditor, audit, web_point):
    evidence = services.take_snapshot(audit, "tp_cases", by=auditor, touch_point=web_point)

    with pytest.raises(EvidenceError):
        services.update_evidence(evidence, by=auditor, title="Otra cosa")


def test_a_file_is_kept_with_its_real_type_and_hash(auditor, audit):
    evidence = services.record_evidence(
        audit, "file", by=auditor, title="Acta", uploads=[pdf("acta final.exe.pdf")]
    )

    stored = AuditFile.objects.get(evidence=evidence)
    assert stored.content_type == "application/pdf"
    assert stored.name == "acta final.exe.pdf"
    assert stored.size == len(PDF)
    assert len(stored.sha256) == 64
    assert "acta" not in stored.file.name  # kept under a random name


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>"), "accepted type"),
        (SimpleUploadedFile("vacío.pdf", b""), "empty"),
        (SimpleUploadedFile("programa.pdf", b"MZ\x90\x00\x03\x00\x00\x00"), "accepted type"),
    ],
)
def test_files_of_another_type_or_empty_are_refused(auditor, audit, upload, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.record_evidence(audit, "file", by=auditor, title="Acta", uploads=[upload])

    assert message in " ".join(refused.value.messages)
    assert not Evidence.objects.exists()
    assert not AuditFile.objects.exists()


def test_an_oversized_file_is_refused(auditor, audit):
    big = SimpleUploadedFile("grande.pdf", b"%PDF-" + b"0" * MAX_BYTES)

    with pytest.raises(ValidationError):
        services.record_evidence(audit, "file", by=auditor, title="Grande", uploads=[big])
    assert not Evidence.objects.exists()


def test_a_file_evidence_needs_a_file_and_a_note_needs_its_text(auditor, audit):
    with pytest.raises(ValidationError) as no_file:
        services.record_evidence(audit, "file", by=auditor, title="Acta")
    assert "uploads" in no_file.value.message_dict
    with pytest.raises(ValidationError) as no_text:
        services.record_evidence(audit, "observation", by=auditor, title="Nada")
    assert "description" in no_text.value.message_dict
    with pytest.raises(ValidationError):
        services.record_evidence(audit, "snapshot", by=auditor, title="Falsa", description="x")


def test_too_long_text_is_refused(auditor, audit):
    with pytest.raises(ValidationError):
        services.record_evidence(
            audit, "observation", by=auditor, title="x" * 201, description="Hecho."
        )
    with pytest.raises(ValidationError):
        services.record_evidence(
            audit, "observation", by=auditor, title="Largo", description="x" * 5001
        )


def test_a_foreign_touch_point_on_a_note_is_refused(auditor, audit, other_organization):
    from compromiso.catalog.tests.factories import TouchPointFactory

    foreign = TouchPointFactory(organization=other_organization)
    with pytest.raises(ValidationError) as refused:
        services.record_evidence(
            audit,
            "observation",
            by=auditor,
            title="Fila",
            description="Larga.",
            touch_point=foreign.pk,
        )
    assert "touch_point" in refused.value.message_dict


def test_a_zip_bomb_is_refused(auditor, audit):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("word/document.xml", "0" * (200 * 1024 * 1024))
    bomb = SimpleUploadedFile("bomba.docx", buffer.getvalue())

    with pytest.raises(ValidationError):
        services.record_evidence(audit, "file", by=auditor, title="Bomba", uploads=[bomb])
