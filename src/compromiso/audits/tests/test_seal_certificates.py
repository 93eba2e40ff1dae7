"""The certificate's lifecycle: granted only after the body's initial assessment, valid for three
years with surveillance reviews on each anniversary, renewed after a renewal assessment,
suspended, reinstated and withdrawn; the verification matrix frozen with a fingerprint; and the
seal status the network page counts."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from compromiso.audits import services
from compromiso.audits.frameworks import SEAL
from compromiso.audits.models import Certificate, CertificateStatus, PublicState
from compromiso.audits.seal import next_due, schedule, seal_status
from compromiso.audits.services import SealError
from compromiso.audits.services.seal_certificates import fingerprint_matches
from compromiso.audits.tests.seal_fixtures import build_world, hand_worked_events
from compromiso.core.actors import SYSTEM
from compromiso.core.models import AuditEntry

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 7, 1, 15, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _on_1_july_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(organization):
    return build_world(organization)


@pytest.fixture
def certificate(organization, quality_manager, world):
    framework = services.install_framework(organization, SEAL.code, by=SYSTEM)
    body = services.save_certification_body(
        organization, by=quality_manager, name="Certificadora Andina", accreditation="INN OC-1"
    )
    return services.create_certificate(
        organization,
        by=quality_manager,
        framework=framework,
        body=body,
        scope="Atención presencial y web",
        services=[world.services["S1"], world.services["S2"]],
    )


def _review(certificate, by, kind="initial", date=dt.date(2026, 6, 15), result="confirmed"):
    return services.record_review(
        certificate, by=by, kind=kind, date=date, result=result, assessor="Ana Pérez"
    )


def test_granting_needs_a_positive_initial_assessment(certificate, quality_manager):
    with pytest.raises(SealError):
        services.grant_certificate(certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20))
    _review(certificate, quality_manager, result="not_confirmed")
    with pytest.raises(SealError):
        services.grant_certificate(certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20))
    _review(certificate, quality_manager, result="conditions")

    granted = services.grant_certificate(
        certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20), number="cl-sello-001"
    )

    assert granted.number == "CL-SELLO-001"
    assert granted.status == CertificateStatus.ACTIVE
    assert (granted.issued_on, granted.valid_until) == (dt.date(2026, 6, 20), dt.date(2029, 6, 19))
    assert granted.public_state(dt.date(2026, 7, 1)) == PublicState.VALID
    assert AuditEntry.objects.filter(action="audits.certificate.granted").exists()


def test_only_managers_grant_and_record_assessments(certificate, auditor, viewer, outsider):
    for person in (auditor, viewer, outsider):
        with pytest.raises(PermissionDenied):
            _review(certificate, person)
        with pytest.raises(PermissionDenied):
            services.grant_certificate(certificate, by=person, issued_on=dt.date(2026, 6, 20))


def test_a_made_up_number_is_unique_readable_and_kept_on_renewal(certificate, quality_manager):
    _review(certificate, quality_manager)
    granted = services.grant_certificate(
        certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20)
    )

    prefix, year, code = granted.number.rsplit("-", 2)
    assert year == "2026"
    assert len(code) == 8
    assert not set(code) & set("01OI")
    assert prefix == granted.organization.slug.upper().replace("-", "")[:6]


def test_hostile_numbers_are_refused(certificate, quality_manager, organization):
    _review(certificate, quality_manager)
    for number in ("<script>", "AB", "A" * 41, "SELLO 1", "-ABC", "ÁBC-1", "ABC-", "X'--"):
        with pytest.raises(ValidationError):
            services.grant_certificate(
                certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20), number=number
            )
    assert Certificate.objects.get(pk=certificate.pk).status == CertificateStatus.PENDING


def test_dates_in_the_future_are_refused(certificate, quality_manager):
    with pytest.raises(ValidationError):
        _review(certificate, quality_manager, date=dt.date(2026, 7, 2))
    _review(certificate, quality_manager)
    with pytest.raises(ValidationError):
        services.grant_certificate(certificate, by=quality_manager, issued_on=dt.date(2026, 7, 2))


def test_the_matrix_is_frozen_with_its_fingerprint_and_later_data_do_not_change_it(
    certificate, quality_manager, world
):
    review = _review(certificate, quality_manager)
    frozen = review.matrix
    assert fingerprint_matches(frozen, review.matrix_sha256)
    assert frozen["start"] == "2025-06-16"
    assert frozen["end"] == "2026-06-15"
    verified_then = sum(
        1 for row in frozen["rows"] for c in row["cells"] if c and c["state"] == "verified"
    )

    hand_worked_events(world)
    granted = services.grant_certificate(
        certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20)
    )

    review.refresh_from_db()
    assert review.matrix == frozen
    assert verified_then == 0
    verified_at_grant = sum(
        1 for row in granted.matrix["rows"] for c in row["cells"] if c and c["state"] == "verified"
    )
    # The grant's window is the twelve months before it (2025-06-21 – 2026-06-20): the hand-worked
    # three, plus K2 at T2, whose conforming answer of 30 December 2025 now falls inside.
    assert verified_at_grant == 4
    assert fingerprint_matches(granted.matrix, granted.matrix_sha256)
    tampered = {**granted.matrix, "end": "2026-12-31"}
    assert not fingerprint_matches(tampered, granted.matrix_sha256)


def test_surveillance_is_due_on_each_anniversary_and_renewal_by_expiry(
    certificate, quality_manager
):
    _review(certificate, quality_manager)
    granted = services.grant_certificate(
        certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20)
    )

    due = schedule(granted, [])
    assert [(d.kind, d.due_on) for d in due] == [
        ("surveillance", dt.date(2027, 6, 20)),
        ("surveillance", dt.date(2028, 6, 20)),
        ("renewal", dt.date(2029, 6, 19)),
    ]
    with time_machine.travel(dt.datetime(2027, 6, 25, 15, tzinfo=dt.UTC), tick=False):
        first = _review(granted, quality_manager, kind="surveillance", date=dt.date(2027, 6, 24))
    reviews = list(granted.reviews.all())
    coming = next_due(granted, reviews)
    assert (coming.kind, coming.due_on) == ("surveillance", dt.date(2028, 6, 20))
    assert schedule(granted, reviews)[0].done == first


def test_a_certificate_issued_on_29_february_falls_due_on_28_february(certificate, quality_manager):
    with time_machine.travel(dt.datetime(2028, 3, 1, 15, tzinfo=dt.UTC), tick=False):
        _review(certificate, quality_manager, date=dt.date(2028, 2, 20))
        granted = services.grant_certificate(
            certificate, by=quality_manager, issued_on=dt.date(2028, 2, 29)
        )
    assert granted.valid_until == dt.date(2031, 2, 27)
    assert [d.due_on for d in schedule(granted, [])] == [
        dt.date(2029, 2, 28),
        dt.date(2030, 2, 28),
        dt.date(2031, 2, 27),
    ]


def test_validity_states_through_the_cycle(certificate, quality_manager):
    assert certificate.public_state(dt.date(2026, 7, 1)) == PublicState.PENDING
    _review(certificate, quality_manager)
    granted = services.grant_certificate(
        certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20)
    )
    assert granted.public_state(dt.date(2029, 6, 19)) == PublicState.VALID
    assert granted.public_state(dt.date(2029, 6, 20)) == PublicState.EXPIRED
    with pytest.raises(ValidationError):
        services.suspend_certificate(granted, by=quality_manager, reason="  ")
    suspended = services.suspend_certificate(granted, by=quality_manager, reason="Falta revisión")
    assert suspended.public_state(dt.date(2026, 7, 1)) == PublicState.SUSPENDED
    assert suspended.public_state(dt.date(2029, 7, 1)) == PublicState.EXPIRED
    with pytest.raises(SealError):
        services.suspend_certificate(suspended, by=quality_manager, reason="otra vez")
    back = services.reinstate_certificate(suspended, by=quality_manager)
    assert back.public_state(dt.date(2026, 7, 1)) == PublicState.VALID
    gone = services.withdraw_certificate(back, by=quality_manager, reason="Incumplimiento grave")
    assert gone.public_state(dt.date(2026, 7, 1)) == PublicState.WITHDRAWN
    with pytest.raises(SealError):
        services.reinstate_certificate(gone, by=quality_manager)
    with pytest.raises(SealError):
        _review(gone, quality_manager, kind="surveillance")
    with pytest.raises(SealError):
        services.grant_certificate(gone, by=quality_manager, issued_on=dt.date(2026, 6, 30))


def test_renewal_starts_a_new_cycle_with_the_same_number(certificate, quality_manager):
    _review(certificate, quality_manager)
    granted = services.grant_certificate(
        certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20)
    )
    number = granted.number
    with time_machine.travel(dt.datetime(2029, 6, 10, 15, tzinfo=dt.UTC), tick=False):
        with pytest.raises(SealError):
            services.grant_certificate(granted, by=quality_manager, issued_on=dt.date(2029, 6, 9))
        with pytest.raises(SealError):
            _review(granted, quality_manager, kind="initial", date=dt.date(2029, 6, 1))
        _review(granted, quality_manager, kind="renewal", date=dt.date(2029, 6, 1))
        renewed = services.grant_certificate(
            granted, by=quality_manager, issued_on=dt.date(2029, 6, 9), number="OTRO-1"
        )
    assert renewed.number == number
    assert (renewed.issued_on, renewed.cycle_start) == (dt.date(2026, 6, 20), dt.date(2029, 6, 9))
    assert renewed.valid_until == dt.date(2032, 6, 8)
    assert [d.kind for d in schedule(renewed, list(renewed.reviews.all()))] == [
        "surveillance",
        "surveillance",
        "renewal",
    ]


def test_the_scope_changes_only_before_the_grant(certificate, quality_manager, world):
    t1 = world.touch_points["T1"]
    services.update_certificate_scope(
        certificate, by=quality_manager, scope="Solo T1", touch_points=[t1]
    )
    assert list(certificate.touch_points.all()) == [t1]
    _review(certificate, quality_manager)
    services.grant_certificate(certificate, by=quality_manager, issued_on=dt.date(2026, 6, 20))
    with pytest.raises(SealError):
        services.update_certificate_scope(certificate, by=quality_manager, scope="Todo")


def test_a_certificate_refuses_another_organisations_pieces(
    organization, other_organization, quality_manager, world
):
    framework = services.install_framework(organization, SEAL.code, by=SYSTEM)
    theirs = services.install_framework(other_organization, SEAL.code, by=SYSTEM)
    body = services.save_certification_body(organization, by=quality_manager, name="Cert")
    foreign_body = services.save_certification_body(other_organization, by=SYSTEM, name="Cert")
    foreign_point = build_world(other_organization).touch_points["T1"]
    common = {"by": quality_manager, "scope": "x"}
    with pytest.raises(ValidationError):
        services.create_certificate(organization, framework=theirs, body=body, **common)
    with pytest.raises(ValidationError):
        services.create_certificate(organization, framework=framework, body=foreign_body, **common)
    with pytest.raises(ValidationError):
        services.create_certificate(
            organization, framework=framework, body=body, touch_points=[foreign_point], **common
        )
    with pytest.raises(ValidationError):
        services.save_certification_body(organization, by=quality_manager, name="Cert")


def test_ratings_of_the_body_name_known_elements_and_levels(certificate, quality_manager):
    review = services.record_review(
        certificate,
        by=quality_manager,
        kind="initial",
        date=dt.date(2026, 6, 15),
        result="confirmed",
        assessor="Ana",
        ratings={"1.1.1": "plus", "2.1.1": "not_rated"},
    )
    assert review.ratings == {"1.1.1": "plus"}
    for ratings in ({"9.9.9": "full"}, {"1.1.1": "excellent"}, {"1": "full"}):
        with pytest.raises(ValidationError):
            services.record_review(
                certificate,
                by=quality_manager,
                kind="initial",
                date=dt.date(2026, 6, 15),
                result="confirmed",
                assessor="Ana",
                ratings=ratings,
            )


def test_seal_status_counts_by_todays_state(organization, quality_manager, world):
    framework = services.install_framework(organization, SEAL.code, by=SYSTEM)
    body = services.save_certification_body(organization, by=quality_manager, name="Cert")

    def granted(issued_on):
        c = services.create_certificate(
            organization, by=quality_manager, framework=framework, body=body, scope="x"
        )
        _review(c, quality_manager, date=issued_on)
        return services.grant_certificate(c, by=quality_manager, issued_on=issued_on)

    granted(dt.date(2026, 6, 1))  # valid until 2029
    expiring = granted(dt.date(2023, 9, 1))  # valid until 2026-08-31: within 90 days
    granted(dt.date(2023, 6, 1))  # expired on 2026-05-31
    suspended = granted(dt.date(2025, 1, 1))
    services.suspend_certificate(suspended, by=quality_manager, reason="x")
    withdrawn = granted(dt.date(2025, 2, 1))
    services.withdraw_certificate(withdrawn, by=quality_manager, reason="x")
    services.create_certificate(
        organization, by=quality_manager, framework=framework, body=body, scope="pending"
    )

    status = seal_status(organization)

    assert expiring.valid_until == dt.date(2026, 8, 31)
    assert (status.valid, status.expiring_within_90_days) == (2, 1)
    assert (status.suspended, status.expired, status.withdrawn) == (1, 1, 1)
    assert str(status) == "Vigentes: 2 (vencen en 90 días: 1) · suspendidos: 1 · vencidos: 1"
    assert status


def test_an_organisation_that_never_held_a_certificate_shows_no_seal(other_organization):
    status = seal_status(other_organization)

    assert not status
    assert status.valid == 0


def test_the_network_page_counts_the_seal(organization, quality_manager, world):
    from compromiso.audits.network import network_figures

    framework = services.install_framework(organization, SEAL.code, by=SYSTEM)
    body = services.save_certification_body(organization, by=quality_manager, name="Cert")
    certificate = services.create_certificate(
        organization, by=quality_manager, framework=framework, body=body, scope="x"
    )
    _review(certificate, quality_manager, date=dt.date(2026, 6, 1))
    services.grant_certificate(certificate, by=quality_manager, issued_on=dt.date(2026, 6, 1))

    row = next(r for r in network_figures(2026) if r.organization == organization)

    assert str(row.seal) == "Vigentes: 1 (vencen en 90 días: 0)"
