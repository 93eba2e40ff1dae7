"""The case lifecycle, the legal clock and the timeline."""

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from compromiso.cases import services
from compromiso.cases.models import Case, CaseEvent, DeadlinePolicy, EventKind, Status
from compromiso.cases.services import intake
from compromiso.cases.signals import case_closed
from compromiso.catalog.tests.factories import ChannelFactory, ServiceFactory
from compromiso.core.actors import PUBLIC, SYSTEM
from compromiso.core.models import AuditEntry
from compromiso.organizations import services as organization_services
from compromiso.organizations.models import Organization

pytestmark = pytest.mark.django_db
SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture
def chile(organization):
    Organization.objects.filter(pk=organization.pk).update(jurisdiction="cl_public")
    organization.refresh_from_db()
    return organization


@pytest.fixture
def web(chile):
    return ChannelFactory(organization=chile, kind="web", name="Sitio web")


@pytest.fixture
def complaint(chile, web, branch, django_capture_on_commit_callbacks):
    service = ServiceFactory(organization=chile, provider_unit=branch)
    with django_capture_on_commit_callbacks(execute=True):
        case, secret = services.receive_case(
            organization=chile,
            kind="complaint",
            channel=web,
            service=service,
            subject="Me cobraron dos veces",
            description="En la sucursal de Arica me cobraron el certificado dos veces.",
            requester_name="Ana Pérez",
            requester_email="ana@example.org",
            requester_national_id="12345678-5",
            received_at=dt.datetime(2026, 3, 2, 10, tzinfo=SANTIAGO),
            by=PUBLIC,
        )
    case.secret = secret
    return case


def test_public_intake_records_the_case_with_its_legal_deadline(complaint, branch):
    assert complaint.status == Status.RECEIVED
    assert complaint.unit == branch  # the service's provider owns it
    assert complaint.requester_national_id == "12.345.678-5"
    assert complaint.tracking_code.startswith("OIRS-2026-")
    assert "Ley 19.880" in complaint.legal_basis
    # 20 business days from Monday 2 March 2026 (no holidays in between): Monday 30 March.
    assert complaint.due_at.astimezone(SANTIAGO).date() == dt.date(2026, 3, 30)
    assert list(complaint.events.values_list("to_status", flat=True)) == [Status.RECEIVED]


def test_the_acknowledgement_email_carries_code_and_secret(complaint):
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert complaint.tracking_code in body
    assert complaint.secret in body
    assert services.verify_secret(complaint, complaint.secret)
    assert not services.verify_secret(complaint, "WRONGSECRET")


def test_presets_follow_the_jurisdiction(chile, other_organization):
    Organization.objects.filter(pk=other_organization.pk).update(jurisdiction="es_ct_public")
    other_organization.refresh_from_db()

    services.install_deadline_presets(chile, by=SYSTEM)
    services.install_deadline_presets(other_organization, by=SYSTEM)
    services.install_deadline_presets(chile, by=SYSTEM)  # idempotent

    chilean = DeadlinePolicy.objects.get(organization=chile, kind="information_request")
    catalan = DeadlinePolicy.objects.get(organization=other_organization, kind="complaint")
    assert (chilean.amount, chilean.unit, chilean.extension) == (20, "business_days", 10)
    assert (catalan.amount, catalan.unit) == (3, "months")
    assert DeadlinePolicy.objects.filter(organization=chile).count() == 5


def test_complaints_cannot_be_anonymous_but_suggestions_can(chile, web):
    with pytest.raises(ValidationError):
        services.receive_case(
            organization=chile,
            kind="complaint",
            channel=web,
            subject="X",
            description="Y",
            is_anonymous=True,
            by=PUBLIC,
        )
    case, _secret = services.receive_case(
        organization=chile,
        kind="suggestion",
        channel=web,
        subject="Más bancas",
        description="Faltan asientos en la sala de espera.",
        is_anonymous=True,
        requester_name="ignored",
        by=PUBLIC,
    )
    assert case.requester_name == ""


def test_invalid_rut_empty_fields_and_foreign_channel_are_refused(chile, web, other_organization):
    foreign = ChannelFactory(organization=other_organization)
    base = {
        "organization": chile,
        "kind": "complaint",
        "subject": "S",
        "description": "D",
        "requester_name": "Ana",
        "by": PUBLIC,
    }

    with pytest.raises(ValidationError) as bad_rut:
        services.receive_case(channel=web, requester_national_id="12.345.678-9", **base)
    with pytest.raises(ValidationError):
        services.receive_case(channel=web, **{**base, "subject": ""})
    with pytest.raises(ValidationError):
        services.receive_case(channel=foreign, **base)
    with pytest.raises(ValidationError):
        services.receive_case(channel=web, **{**base, "description": "x" * 20_001})

    assert "requester_national_id" in bad_rut.value.message_dict
    assert not Case.objects.exists()


def test_the_full_lifecycle_writes_a_timeline_and_the_audit_log(
    complaint, officer, quality_manager
):
    services.acknowledge_case(complaint, by=quality_manager, message="Recibimos su reclamo.")
    services.assign_case(complaint, assignee=officer, by=quality_manager)
    services.start_case(complaint, by=officer)
    services.add_note(complaint, text="Revisar caja", by=officer)
    services.answer_case(complaint, answer="Le devolvimos el cobro duplicado.", by=officer)
    services.close_case(complaint, by=officer)

    statuses = list(complaint.events.exclude(to_status="").values_list("to_status", flat=True))
    assert statuses == ["received", "acknowledged", "assigned", "in_progress", "answered", "closed"]
    public = complaint.events.filter(is_public=True).values_list("kind", flat=True)
    assert EventKind.NOTE not in public
    assert complaint.answered_at is not None
    assert complaint.closed_at is not None
    assert AuditEntry.objects.for_object(complaint).count() == 7


def test_closing_a_case_announces_it_inside_the_closing_transaction(complaint, officer):
    """Cases tell the apps above them (the post-contact survey) that a case closed, with the
    case, while its transaction is still open: what they write commits with the closure."""
    heard = []

    def listener(sender, *, case, **kwargs):
        heard.append((sender, case.pk, case.status, transaction.get_connection().in_atomic_block))

    case_closed.connect(listener)
    try:
        services.answer_case(complaint, answer="Resuelto.", by=officer)
        services.close_case(complaint, by=officer)
    finally:
        case_closed.disconnect(listener)

    assert heard == [(Case, complaint.pk, Status.CLOSED, True)]


def test_a_case_that_is_not_closed_announces_nothing(complaint, officer):
    heard = []

    def listener(sender, *, case, **kwargs):
        heard.append(case.pk)

    case_closed.connect(listener)
    try:
        with pytest.raises(services.CaseError):
            services.close_case(complaint, by=officer)
        services.withdraw_case(complaint, reason="Ya no lo necesito.", by=officer)
    finally:
        case_closed.disconnect(listener)

    assert heard == []


def test_moves_the_lifecycle_does_not_allow_are_refused(complaint, officer):
    with pytest.raises(services.CaseError) as error:
        services.close_case(complaint, by=officer)

    assert error.value.code == "invalid_transition"
    complaint.refresh_from_db()
    assert complaint.status == Status.RECEIVED


def test_waiting_for_the_requester_stops_the_clock_and_resuming_moves_it(complaint, officer):
    services.assign_case(complaint, assignee=officer, by=officer)
    original = complaint.due_at
    pause_at = dt.datetime(2026, 3, 4, 10, tzinfo=SANTIAGO)
    resume_at = dt.datetime(2026, 3, 9, 10, tzinfo=SANTIAGO)

    services.request_information(complaint, message="Adjunte la boleta.", by=officer)
    CaseEvent.objects.filter(case=complaint, kind=EventKind.PAUSED).update(at=pause_at)
    services.recompute_deadline(complaint)
    assert complaint.due_at is None  # the clock is stopped

    services.resume_case(complaint, comment="Boleta recibida.", by=SYSTEM)
    CaseEvent.objects.filter(case=complaint, kind=EventKind.RESUMED).update(at=resume_at)
    services.recompute_deadline(complaint)

    calendar = complaint.organization.business_calendar()
    assert calendar.business_days_between(original.date(), complaint.due_at.date()) == 3


def test_an_extension_is_used_once_and_only_where_the_law_allows_it(complaint, officer, chile, web):
    with pytest.raises(services.CaseError) as none_allowed:
        services.extend_deadline(complaint, reason="Complejo", by=officer)
    assert none_allowed.value.code == "no_extension"

    request, _secret = services.receive_case(
        organization=chile,
        kind="information_request",
        channel=web,
        subject="Actas",
        description="Solicito las actas de 2025.",
        requester_name="Luis",
        by=PUBLIC,
        received_at=dt.datetime(2026, 3, 2, 10, tzinfo=SANTIAGO),
    )
    before = request.due_at
    services.extend_deadline(request, reason="Volumen de documentos", by=SYSTEM)
    with pytest.raises(services.CaseError):
        services.extend_deadline(request, reason="Otra vez", by=SYSTEM)

    calendar = chile.business_calendar()
    assert calendar.business_days_between(before.date(), request.due_at.date()) == 10
    assert request.events.filter(kind=EventKind.EXTENDED, is_public=True).exists()


def test_a_closure_day_added_later_moves_open_deadlines(
    complaint, quality_manager, chile, django_capture_on_commit_callbacks
):
    before = complaint.due_at

    with django_capture_on_commit_callbacks(execute=True):
        organization_services.add_closure_day(
            organization=chile, day=dt.date(2026, 3, 10), name="Cierre", by=quality_manager
        )

    complaint.refresh_from_db()
    calendar = chile.business_calendar()
    assert complaint.due_at.date() == calendar.add_business_days(before.date(), 1)


def test_officers_cannot_act_on_another_branchs_cases(complaint, other_branch, organization):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    stranger = UserFactory(username="temuco")
    MembershipFactory(
        user=stranger, organization=organization, unit=other_branch, role=Role.CASE_OFFICER
    )

    with pytest.raises(PermissionDenied):
        services.answer_case(complaint, answer="Hola", by=stranger)
    assert not Case.objects.visible_to(stranger).exists()


def test_a_case_cannot_be_assigned_to_someone_outside_its_unit(
    complaint, quality_manager, other_branch, organization
):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    stranger = UserFactory(username="temuco")
    MembershipFactory(
        user=stranger, organization=organization, unit=other_branch, role=Role.CASE_OFFICER
    )

    with pytest.raises(ValidationError):
        services.assign_case(complaint, assignee=stranger, by=quality_manager)


def test_reopening_only_within_the_window(complaint, officer):
    services.assign_case(complaint, assignee=officer, by=officer)
    services.answer_case(complaint, answer="Resuelto.", by=officer)
    services.close_case(complaint, by=SYSTEM)
    services.reopen_case(complaint, reason="La respuesta no resuelve el problema.", by=SYSTEM)
    assert complaint.status == Status.IN_PROGRESS

    services.answer_case(complaint, answer="Ahora sí.", by=officer)
    services.close_case(complaint, by=SYSTEM)
    Case.objects.filter(pk=complaint.pk).update(closed_at=timezone.now() - dt.timedelta(days=31))
    complaint.refresh_from_db()
    with pytest.raises(services.CaseError):
        services.reopen_case(complaint, reason="Otra vez", by=SYSTEM)


def test_merge_and_derive_end_the_case_with_a_public_trace(complaint, chile, web, quality_manager):
    officer = quality_manager  # the duplicate has no owning unit yet: it needs organisation scope
    other, _secret = services.receive_case(
        organization=chile,
        kind="complaint",
        channel=web,
        subject="Duplicado",
        description="D",
        requester_name="Ana",
        by=PUBLIC,
    )
    services.merge_case(other, into=complaint, by=officer)
    assert other.status == Status.MERGED
    assert other.merged_into == complaint

    services.derive_case(
        complaint,
        body="Servicio de Impuestos Internos",
        message="Su caso corresponde al SII.",
        by=officer,
    )
    assert complaint.status == Status.DERIVED
    assert complaint.events.filter(to_status=Status.DERIVED, is_public=True).exists()


def test_a_name_is_needed_unless_the_case_is_anonymous(chile, web):
    """Intake checks the model's check constraint in Python (no database round trips); the error
    is the one `full_clean` gives, next to any field errors, and nothing is saved."""
    (constraint,) = Case._meta.constraints  # a new one must be checked in receive_case too
    assert constraint.name == "case_named_unless_anonymous"
    fields = {"organization": chile, "kind": "complaint", "channel": web, "by": PUBLIC}

    with pytest.raises(ValidationError) as unnamed:
        services.receive_case(subject="S", description="D", requester_name="  ", **fields)
    with pytest.raises(ValidationError) as also_too_long:
        services.receive_case(subject="S" * 201, description="D", **fields)

    assert unnamed.value.message_dict == {
        NON_FIELD_ERRORS: [constraint.get_violation_error_message()]
    }
    assert set(also_too_long.value.message_dict) == {"subject", NON_FIELD_ERRORS}
    assert not Case.objects.exists()


def test_a_tracking_code_already_taken_is_drawn_again(
    complaint, chile, web, monkeypatch, django_capture_on_commit_callbacks
):
    """The unique index refuses a code another case has; the intake rolls back its savepoint
    and tries a new code, leaving one event, one audit entry and one acknowledgement."""
    codes = iter([complaint.tracking_code, "OIRS-2026-NEW234"])
    monkeypatch.setattr(intake, "_new_tracking_code", lambda organization, at: next(codes))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        case, _secret = services.receive_case(
            organization=chile,
            kind="complaint",
            channel=web,
            subject="Otra vez",
            description="Un segundo reclamo.",
            requester_name="Luis Soto",
            requester_email="luis@example.org",
            by=PUBLIC,
        )

    assert case.tracking_code == "OIRS-2026-NEW234"
    assert Case.objects.count() == 2
    assert case.events.count() == 1
    assert AuditEntry.objects.filter(action="cases.case.received", object_id=str(case.pk)).count()
    assert len(mail.outbox) == 1


@pytest.fixture
def fields(chile, web):
    """The least a case needs."""
    return {
        "organization": chile,
        "kind": "complaint",
        "channel": web,
        "subject": "S",
        "description": "D",
        "requester_name": "Ana",
        "by": PUBLIC,
    }


def test_other_integrity_errors_are_not_retried(fields, monkeypatch):
    """Only a tracking-code collision is retried; any other refusal of the database surfaces."""
    first, _secret = services.receive_case(**fields)

    def refused(*args, **kwargs):
        raise IntegrityError("check constraint violated")

    monkeypatch.setattr(intake, "log_action", refused)
    with pytest.raises(IntegrityError):
        services.receive_case(**fields)

    assert list(Case.objects.all()) == [first]


def test_a_repeated_intake_key_returns_the_first_case_and_writes_nothing(fields):
    first, _secret = services.receive_case(intake_key="form-1", body_hash="a", **fields)
    events, entries = CaseEvent.objects.count(), AuditEntry.objects.count()

    with pytest.raises(services.AlreadyReceived) as retry:
        services.receive_case(intake_key="form-1", body_hash="a", **fields)
    with pytest.raises(services.IdempotencyConflict):
        services.receive_case(intake_key="form-1", body_hash="b", **{**fields, "subject": "T"})

    assert retry.value.case == first
    assert list(Case.objects.all()) == [first]
    assert (CaseEvent.objects.count(), AuditEntry.objects.count()) == (events, entries)


@pytest.mark.django_db(transaction=True)
def test_two_retries_sent_at_once_make_one_case(fields, monkeypatch):
    """The second waits on the key's unique index while the first is still open, then gets the
    first's case: never a second case, never an error."""
    from django.db import connection

    if connection.vendor != "postgresql":
        # SQLite lets one transaction write at a time: the second would wait for the database
        # lock, not on the key's index, so the race this test settles cannot happen there.
        pytest.skip("SQLite runs one writer at a time: there is no race to settle")
    services.install_deadline_presets(fields["organization"], by=SYSTEM)
    claimed = threading.Event()
    claim = intake._claim_intake_key

    def slow_claim(case, key, body_hash):
        won = claim(case, key, body_hash)
        if won:
            claimed.set()
            time.sleep(0.5)  # the first holds its transaction open while the second claims
        return won

    monkeypatch.setattr(intake, "_claim_intake_key", slow_claim)
    outcomes: dict[str, object] = {}

    def submit(name: str) -> None:
        if name == "second":
            claimed.wait(10)
        try:
            case, _secret = services.receive_case(
                **fields, intake_key="api:call-7", body_hash="same"
            )
            outcomes[name] = ("created", case.pk)
        except services.AlreadyReceived as retry:
            outcomes[name] = ("retry", retry.case.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    only = Case.objects.get()
    assert outcomes == {"first": ("created", only.pk), "second": ("retry", only.pk)}


def test_start_on_a_case_waiting_for_the_requester_is_refused_and_the_clock_stays_paused(
    complaint, officer
):
    services.assign_case(complaint, assignee=officer, by=officer)
    services.request_information(complaint, message="Adjunte la boleta.", by=officer)

    assert "start" not in complaint.allowed_actions()
    assert "resume" in complaint.allowed_actions()
    with pytest.raises(services.CaseError) as error:
        services.start_case(complaint, by=officer)

    assert error.value.code == "invalid_transition"
    complaint.refresh_from_db()
    assert complaint.status == Status.WAITING
    assert not complaint.events.filter(to_status=Status.IN_PROGRESS).exists()


def test_start_or_resume_never_reopen_a_closed_case(complaint, officer):
    """Only "reopen", with its reason and inside its window, brings a closed case back."""
    services.assign_case(complaint, assignee=officer, by=officer)
    services.answer_case(complaint, answer="Resuelto.", by=officer)
    services.close_case(complaint, by=SYSTEM)
    Case.objects.filter(pk=complaint.pk).update(closed_at=timezone.now() - dt.timedelta(days=400))
    complaint.refresh_from_db()

    assert complaint.allowed_actions() == []
    for action in (services.start_case, services.resume_case):
        with pytest.raises(services.CaseError):
            action(complaint, by=officer)
    with pytest.raises(services.CaseError):
        services.add_note(complaint, text="Nota", by=officer)
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert complaint.closed_at is not None


def test_allowed_actions_follow_the_state(complaint, officer):
    assert complaint.allowed_actions() == [
        "acknowledge",
        "assign",
        "answer",
        "merge",
        "derive",
        "withdraw",
        "note",
        "reply",
    ]
    services.assign_case(complaint, assignee=officer, by=officer)
    assert "start" in complaint.allowed_actions()
    services.start_case(complaint, by=officer)
    assert "start" not in complaint.allowed_actions()
    services.answer_case(complaint, answer="Resuelto.", by=officer)
    assert complaint.allowed_actions() == ["close", "reopen"]


def test_a_language_without_a_text_search_configuration_gets_simple():
    from compromiso.cases.search import config_for

    assert config_for("ca", frozenset({"simple", "spanish", "english"})) == "simple"
    assert config_for("ca", frozenset({"simple", "catalan"})) == "catalan"
    assert config_for("en", frozenset({"simple", "english"})) == "english"
    assert config_for("xx", frozenset({"simple", "spanish"})) == "simple"


def _case_of(organization, subject):
    channel = ChannelFactory(organization=organization, kind="web", name="Web")
    case, _secret = services.receive_case(
        organization=organization,
        kind="suggestion",
        channel=channel,
        subject=subject,
        description="-",
        is_anonymous=True,
        by=PUBLIC,
    )
    return case


def test_cases_are_searched_in_their_organisations_language(organization, other_organization):
    """English stems "complaints" to "complaint"; a Catalan organisation gets PostgreSQL's
    `catalan` configuration where the server has one, `simple` where it has none."""
    from django.db import connection

    from compromiso.cases.search import available_configs, search

    if connection.vendor != "postgresql":
        pytest.skip("text-search configurations are PostgreSQL's; SQLite matches substrings")
    Organization.objects.filter(pk=organization.pk).update(language="en")
    organization.refresh_from_db()
    english = _case_of(organization, "Complaints about the queues")
    catalan = _case_of(other_organization, "Queixes sobre les cues")
    cases = Case.objects.filter(organization=organization)

    assert english.search_config == "english"
    assert list(search(cases, "complaint", language="en")) == [english]
    assert list(search(cases, "queue", language="en")) == [english]
    expected = "catalan" if "catalan" in available_configs() else "simple"
    catalan.refresh_from_db()
    assert catalan.search_config == expected
    found = search(Case.objects.filter(organization=other_organization), "cues", language="ca")
    assert list(found) == [catalan]


def test_the_search_uses_the_full_text_index(organization):
    """The query's expression is the GIN index's (migration 0007): with sequential scans off,
    PostgreSQL answers it from `cases_case_search` (and the tracking code's unique index)."""
    from django.db import connection, transaction

    from compromiso.cases.search import search

    if connection.vendor != "postgresql":
        pytest.skip("the full-text index is PostgreSQL's; SQLite matches substrings")
    _case_of(organization, "Cobro duplicado en la caja")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search(Case.objects.all(), "cobro", language="es").explain()

    assert "cases_case_search" in plan
    assert list(search(Case.objects.all(), "cobros", language="es"))  # stemmed: cobro


def test_a_case_once_started_while_waiting_gets_its_deadline_back(complaint, officer):
    """Timelines written before "start" was refused on a waiting case: the pause ended when
    the case left the waiting state, so the clock runs again instead of staying stopped."""
    services.assign_case(complaint, assignee=officer, by=officer)
    services.request_information(complaint, message="Adjunte la boleta.", by=officer)
    CaseEvent.objects.create(
        case=complaint,
        actor=officer,
        kind=EventKind.TRANSITION,
        from_status=Status.WAITING,
        to_status=Status.IN_PROGRESS,
    )
    Case.objects.filter(pk=complaint.pk).update(status=Status.IN_PROGRESS)
    complaint.refresh_from_db()

    services.recompute_deadline(complaint)

    assert complaint.due_at is not None
