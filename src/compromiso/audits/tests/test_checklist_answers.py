"""Answering the checklist on a phone: idempotent on the submission's client id, a stale
revision refused with the current answer (409), files on the answer, the page without script,
progress per touch point, permissions and hostile input."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.models import Answer, AnswerSubmission, AuditFile, ChecklistItem
from compromiso.audits.tests.factories import AuditFactory
from compromiso.core.actors import SYSTEM

pytestmark = pytest.mark.usefixtures("in_english")

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def items(field_audit, charter, team_auditor):
    field_audit.charters.set([charter])
    services.generate_checklist(field_audit, by=team_auditor)
    return list(ChecklistItem.objects.filter(audit=field_audit).order_by("order", "pk"))


@pytest.fixture
def item(items):
    return items[0]


def answer(item, by, *, revision=0, client_id=None, **fields):
    fields.setdefault("result", "conform")
    return services.save_answer(
        item, by=by, client_id=client_id or uuid.uuid4(), revision=revision, **fields
    )


def test_the_same_submission_sent_twice_is_stored_once(item, team_auditor):
    client_id = uuid.uuid4()
    first = answer(item, team_auditor, client_id=client_id, notes="Atiende de pie.")
    again = answer(item, team_auditor, client_id=client_id, notes="Atiende de pie.")
    assert not first.duplicate
    assert again.duplicate
    assert again.answer.pk == first.answer.pk
    assert again.answer.revision == 1
    assert Answer.objects.count() == 1
    assert AnswerSubmission.objects.count() == 1


def test_a_resent_old_submission_after_a_newer_one_changes_nothing(item, team_auditor):
    old = uuid.uuid4()
    answer(item, team_auditor, client_id=old, result="partial")
    answer(item, team_auditor, revision=1, result="conform")
    resent = answer(item, team_auditor, client_id=old, result="partial")
    assert resent.duplicate
    stored = Answer.objects.get()
    assert (stored.result, stored.revision) == ("conform", 2)


def test_a_stale_revision_is_refused_with_the_current_answer(item, team_auditor, quality_manager):
    answer(item, team_auditor, result="conform", notes="Bien")
    with pytest.raises(services.StaleAnswer) as stale:
        answer(item, quality_manager, revision=0, result="nonconform")
    assert stale.value.answer.result == "conform"
    assert stale.value.answer.revision == 1
    kept = answer(item, quality_manager, revision=1, result="nonconform")
    assert kept.answer.revision == 2
    assert kept.answer.result == "nonconform"


@pytest.mark.parametrize(
    "fields",
    [
        {"result": "not_assessed"},
        {"result": "excellent"},
        {"score": 6},
        {"score": -1},
        {"notes": "x" * 5001},
    ],
)
def test_invalid_answers_are_refused(item, team_auditor, fields):
    with pytest.raises(ValidationError):
        answer(item, team_auditor, **fields)
    assert Answer.objects.count() == 0


def test_files_attach_to_the_answer(item, team_auditor):
    saved = answer(item, team_auditor, uploads=[SimpleUploadedFile("foto.png", PNG, "image/png")])
    stored = AuditFile.objects.get()
    assert stored.answer == saved.answer
    assert stored.content_type == "image/png"


def test_only_the_audit_team_answers(item, unit_head, viewer):
    for person in (unit_head, viewer):
        with pytest.raises(PermissionDenied):
            answer(item, person)


def test_progress_per_touch_point(items, team_auditor, arica_counter, arica_phone):
    at_phone = [i for i in items if i.touch_point_id == arica_phone.pk]
    answer(at_phone[0], team_auditor)
    answer(at_phone[1], team_auditor, result="na")
    rows = {row["touch_point"]: row for row in services.progress(items[0].audit)}
    assert (rows[arica_phone]["answered"], rows[arica_phone]["total"]) == (2, 2)
    assert (rows[arica_counter]["answered"], rows[arica_counter]["total"]) == (0, 1)
    assert (rows[None]["answered"], rows[None]["total"]) == (0, 3)  # the legal requirements


# --- The answer endpoint, as the script uses it ----------------------------------------------


def post(client, item, *, json=True, **data):
    data.setdefault("result", "conform")
    data.setdefault("client_id", str(uuid.uuid4()))
    data.setdefault("revision", "0")
    url = reverse("audits:checklist_answer", args=[item.audit_id, item.pk])
    return client.post(url, data, **(JSON if json else {}))


def test_json_save_resend_and_conflict(client, item, team_auditor, quality_manager):
    client.force_login(team_auditor)
    client_id = str(uuid.uuid4())
    saved = post(client, item, client_id=client_id, notes="Sin fila", score="4")
    assert saved.status_code == 200
    body = saved.json()
    assert body["ok"]
    assert not body["duplicate"]
    assert body["answer"]["revision"] == 1
    assert body["answer"]["score"] == 4
    resent = post(client, item, client_id=client_id, notes="Sin fila", score="4")
    assert resent.status_code == 200
    assert resent.json()["duplicate"]
    assert AnswerSubmission.objects.count() == 1
    client.force_login(quality_manager)
    stale = post(client, item, result="nonconform", revision="0")
    assert stale.status_code == 409
    assert stale.json()["conflict"]
    assert stale.json()["answer"]["notes"] == "Sin fila"
    assert Answer.objects.get().result == "conform"


@pytest.mark.parametrize(
    "data",
    [
        {"result": "<script>"},
        {"client_id": "not-a-uuid"},
        {"revision": "-1"},
        {"revision": "99999999999999999999"},
        {"score": "7"},
        {"notes": "x" * 5001},
    ],
)
def test_json_refuses_hostile_input_with_its_errors(client, item, team_auditor, data):
    client.force_login(team_auditor)
    response = post(client, item, **data)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert response.json()["errors"]
    assert Answer.objects.count() == 0


def test_json_refuses_a_renamed_executable(client, item, team_auditor):
    client.force_login(team_auditor)
    exe = SimpleUploadedFile("foto.png", b"MZ\x90\x00" + b"\x00" * 100, "image/png")
    response = post(client, item, attachments=[exe])
    assert response.status_code == 400
    assert "not an accepted type" in response.json()["errors"]["files"][0]
    assert Answer.objects.count() == 0


def test_an_item_of_another_audit_is_not_found(client, item, team_auditor, organization):
    other = AuditFactory(organization=organization)
    client.force_login(team_auditor)
    url = reverse("audits:checklist_answer", args=[other.pk, item.pk])
    data = {"result": "conform", "client_id": str(uuid.uuid4()), "revision": "0"}
    assert client.post(url, data, **JSON).status_code == 404
    assert client.post(url, data).status_code == 404
    assert Answer.objects.count() == 0


def test_permissions_on_the_answer_endpoint(client, item, viewer, unit_head, outsider):
    for person, status in ((viewer, 403), (unit_head, 403), (outsider, 404)):
        client.force_login(person)
        assert post(client, item).status_code == status
        assert post(client, item, json=False).status_code == status
    assert Answer.objects.count() == 0


# --- The page without script -----------------------------------------------------------------


def test_the_page_posts_without_script_and_comes_back_to_the_item(
    client, item, team_auditor, arica_counter
):
    client.force_login(team_auditor)
    page = client.get(reverse("audits:checklist", args=[item.audit_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-answer data-item="{item.pk}"' in html
    assert "audits/checklist.js" in html
    response = post(client, item, json=False, tp=str(arica_counter.pk), page="1")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?tp={arica_counter.pk}&page=1#item-{item.pk}")


def test_notes_are_rendered_escaped(client, item, team_auditor):
    answer(item, team_auditor, notes="<img src=x onerror=alert(1)>")
    client.force_login(team_auditor)
    html = client.get(reverse("audits:checklist", args=[item.audit_id])).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_an_answer_recorded_by_the_system_shows_when_it_was_saved(client, item, team_auditor):
    answer(item, SYSTEM, notes="Importada")
    client.force_login(team_auditor)
    response = client.get(reverse("audits:checklist", args=[item.audit_id]))
    assert response.status_code == 200
    assert "Saved on " in response.content.decode()


def test_a_conflict_without_script_shows_both_and_keeps_what_was_typed(
    client, item, team_auditor, quality_manager
):
    answer(item, team_auditor, result="conform", notes="Primera visita")
    client.force_login(quality_manager)
    response = post(client, item, json=False, result="nonconform", notes="Segunda visita")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Choose which one to keep" in html
    assert "Primera visita" in html
    assert "Segunda visita" in html
    assert 'name="revision" value="1"' in html  # saving again keeps theirs… or this one


def test_invalid_input_without_script_keeps_the_notes(client, item, team_auditor):
    client.force_login(team_auditor)
    response = post(client, item, json=False, result="", notes="Lo que escribí")
    assert response.status_code == 400
    assert "Lo que escribí" in response.content.decode()


def test_a_viewer_reads_the_checklist_without_forms(client, item, team_auditor, viewer):
    answer(item, team_auditor, result="partial")
    client.force_login(viewer)
    response = client.get(reverse("audits:checklist", args=[item.audit_id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-answer" not in html
    assert "Partly conforms" in html


def test_one_touch_point_at_a_time(client, items, team_auditor, arica_phone):
    client.force_login(team_auditor)
    url = reverse("audits:checklist", args=[items[0].audit_id])
    html = client.get(url, {"tp": arica_phone.pk}).content.decode()
    assert html.count("data-answer ") == 2
    html = client.get(url, {"tp": "none"}).content.decode()
    assert html.count("data-answer ") == 3
    assert client.get(url, {"tp": "1 or 1=1"}).status_code == 200


def test_the_checklist_of_another_organisation_is_not_found(client, item, outsider):
    client.force_login(outsider)
    assert client.get(reverse("audits:checklist", args=[item.audit_id])).status_code == 404


def test_a_long_checklist_comes_in_pages_starting_where_work_is_left(
    client, items, team_auditor, arica_counter, arica_phone
):
    audit = items[0].audit
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            audit=audit,
            key=f"free:{n}",
            order=1000 + n,
            source="free",
            text=f"Ítem {n}",
            touch_point=arica_phone,
        )
        for n in range(150)
    )
    for item in items:  # everything at the counter answered
        if item.touch_point_id == arica_counter.pk:
            answer(item, team_auditor)
    client.force_login(team_auditor)
    url = reverse("audits:checklist", args=[audit.pk])
    first = client.get(url).content.decode()
    assert first.count("data-answer ") == 100  # the phone line's first page
    assert "Page 1 of 2" in first
    second = client.get(url, {"tp": arica_phone.pk, "page": 2}).content.decode()
    assert second.count("data-answer ") == 52  # 150 + its 2 generated items
    assert client.get(url, {"tp": arica_phone.pk, "page": "999"}).status_code == 200
