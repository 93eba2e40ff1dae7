"""Who opens an audit: an outside auditor and a peer from another organisation of the network,
let in by an access grant, see that audit and nothing else of the organisation — not its other
audits, its cases, its API or its switcher — and lose it when the audit closes, when the grant
runs out or is revoked. Grants are logged; their last use recorded."""

import datetime as dt
from html import escape

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from compromiso.audits import access, services
from compromiso.audits.models import AuditAccess, AuditStatus
from compromiso.audits.tests.engage_fixtures import sign_both, window
from compromiso.audits.tests.factories import AuditFactory
from compromiso.cases.tests.factories import CaseFactory
from compromiso.core.actors import SYSTEM
from compromiso.core.errors import DomainError
from compromiso.core.models import AuditEntry
from compromiso.organizations.models import Membership, User
from compromiso.organizations.services import create_api_token

pytestmark = pytest.mark.django_db


def _grant(audit, by, user, days_before=1, days_after=30, **extra):
    start, end = window(days_before, days_after)
    return services.grant_access(
        audit, by=by, user=user, valid_from=start, valid_until=end, **extra
    )


def _pages(audit):
    return [
        reverse("audits:audit", args=[audit.pk]),
        reverse("audits:team", args=[audit.pk]),
        reverse("audits:agreement", args=[audit.pk]),
        reverse("audits:access", args=[audit.pk]),
    ]


@pytest.fixture
def other_audit(organization, running):
    return AuditFactory(
        organization=organization, programme=running, reference="AUD-2026-99", title="Otra"
    )


def test_an_outside_auditor_sees_the_granted_audit_and_nothing_else(
    client, planned, other_audit, quality_manager, external, running
):
    _grant(planned, quality_manager, external)
    case = CaseFactory(organization=planned.organization)
    client.force_login(external)

    for url in _pages(planned):
        assert client.get(url).status_code == 200, url
    for url in _pages(other_audit):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("cases:inbox"),
        reverse("cases:detail", args=[case.pk]),
        reverse("charters:dashboard"),
        reverse("organizations:units"),
        reverse("audits:programme", args=[running.pk]),
        reverse("audits:network"),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("audits:audit_edit", args=[planned.pk])).status_code == 403


def test_an_outside_auditor_lands_on_their_audits(client, planned, quality_manager, external):
    _grant(planned, quality_manager, external)
    client.force_login(external)

    response = client.get(reverse("organizations:overview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:mine")
    assert client.get(reverse("audits:home"))["Location"] == reverse("audits:mine")
    page = client.get(reverse("audits:mine")).content.decode()
    assert planned.reference in page
    assert 'name="organization"' not in page  # no organisation switcher


def test_someone_with_no_membership_and_no_audit_still_gets_404(client, external):
    client.force_login(external)

    assert client.get(reverse("organizations:overview")).status_code == 404
    assert client.get(reverse("audits:home")).status_code == 404


def test_a_peer_sees_the_audit_but_nothing_else_of_the_organisation(
    client, planned, other_audit, quality_manager, peer, organization, other_organization
):
    _grant(planned, quality_manager, peer, role="auditor")
    case = CaseFactory(organization=organization, subject="Reclamo de Arica")
    client.force_login(peer)

    assert client.get(reverse("audits:audit", args=[planned.pk])).status_code == 200
    assert client.get(reverse("audits:audit", args=[other_audit.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    inbox = client.get(reverse("cases:inbox")).content.decode()
    assert "Reclamo de Arica" not in inbox
    home = client.get(reverse("organizations:overview")).content.decode()
    assert organization.name not in home.split("<main", 1)[0]  # not in header, nav or switcher
    assert escape(other_organization.name) in home
    audits_home = client.get(reverse("audits:home")).content.decode()
    assert planned.reference in audits_home  # listed under "in other organisations"
    assert other_audit.title not in audits_home


def test_a_peer_reads_the_audit_in_the_audited_organisations_time_zone(
    rf, planned, quality_manager, peer, organization, other_organization
):
    _grant(planned, quality_manager, peer, role="auditor")
    request = rf.get(reverse("audits:audit", args=[planned.pk]))
    request.user = peer
    timezone.activate(other_organization.zone)  # what the peer's own organisation would set

    access.audit_for(request, planned.pk, "view")

    assert (
        timezone.get_current_timezone_name()
        == organization.time_zone
        != (other_organization.time_zone)
    )


def test_a_peers_api_token_never_reaches_the_audited_organisation(
    client, planned, quality_manager, peer, organization, other_organization
):
    _grant(planned, quality_manager, peer)
    case = CaseFactory(organization=organization)
    _token, raw = create_api_token(user=peer, organization=other_organization, name="t")
    headers = {"Authorization": f"Bearer {raw}"}

    assert client.get("/api/v1/audits", headers=headers).json()["items"] == []
    assert client.get(f"/api/v1/audits/{planned.pk}", headers=headers).status_code == 404
    cases = client.get("/api/v1/cases", headers=headers).json()
    assert case.pk not in [row["id"] for row in cases["items"]]
    with pytest.raises(PermissionDenied):
        create_api_token(user=peer, organization=organization, name="t")


def test_access_ends_when_the_audit_closes(client, planned, quality_manager, auditor, external):
    _grant(planned, quality_manager, external)
    sign_both(planned, auditor, quality_manager)
    audit = planned
    for step in ("agree", "start", "report"):
        audit = services.move_audit(audit, step, by=quality_manager)
    services.record_results_decision(audit, by=quality_manager, decision="internal")
    services.move_audit(audit, "close", by=quality_manager)
    client.force_login(external)

    assert client.get(reverse("audits:audit", args=[planned.pk])).status_code == 404
    assert client.get(reverse("audits:mine")).status_code == 200
    assert planned.reference not in client.get(reverse("audits:mine")).content.decode()


def test_access_ends_when_its_window_does(client, planned, quality_manager, external):
    grant = _grant(planned, quality_manager, external, days_after=10)
    client.force_login(external)
    url = reverse("audits:audit", args=[planned.pk])
    assert client.get(url).status_code == 200

    later = grant.valid_until + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        client.force_login(external)
        assert client.get(url).status_code == 404
        assert services.expire_accesses() == 1
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert grant.revoke_reason == "expired"
    assert AuditEntry.objects.filter(action="audits.access.expired").exists()
    assert services.expire_accesses() == 0


def test_an_access_not_started_yet_opens_nothing(client, planned, quality_manager, external):
    now = timezone.now()
    services.grant_access(
        planned,
        by=quality_manager,
        user=external,
        valid_from=now + dt.timedelta(days=5),
        valid_until=now + dt.timedelta(days=10),
    )
    client.force_login(external)

    assert client.get(reverse("audits:audit", args=[planned.pk])).status_code == 404


def test_revoking_by_hand_needs_a_reason_logs_it_and_shuts_the_door(
    client, planned, quality_manager, external
):
    grant = _grant(planned, quality_manager, external)
    with pytest.raises(ValidationError):
        services.revoke_access(grant, by=quality_manager, reason=" ")

    services.revoke_access(grant, by=quality_manager, reason="Cambio de equipo.")
    client.force_login(external)

    assert client.get(reverse("audits:audit", args=[planned.pk])).status_code == 404
    entry = AuditEntry.objects.get(action="audits.access.revoked")
    assert entry.data == {"access": grant.pk, "user": external.pk, "reason": "Cambio de equipo."}
    with pytest.raises(DomainError):
        services.revoke_access(grant, by=quality_manager, reason="Otra vez.")


def test_a_grant_is_logged_and_its_use_recorded(client, planned, quality_manager, peer):
    grant = _grant(planned, quality_manager, peer)

    entry = AuditEntry.objects.get(action="audits.access.granted")
    assert entry.data["user"] == peer.pk
    assert entry.data["peer_from"] is not None
    assert grant.home_organization.name == "Ajuntament d'Exemple"
    assert grant.last_used_at is None

    client.force_login(peer)
    client.get(reverse("audits:audit", args=[planned.pk]))
    grant.refresh_from_db()
    assert grant.last_used_at is not None


def test_only_who_manages_audits_grants_and_revokes(planned, quality_manager, auditor, external):
    with pytest.raises(PermissionDenied):
        _grant(planned, auditor, external)
    grant = _grant(planned, quality_manager, external)
    with pytest.raises(PermissionDenied):
        services.revoke_access(grant, by=auditor, reason="No.")


def test_grant_windows_and_people_are_checked(planned, quality_manager, external, viewer):
    now = timezone.now()
    cases = [
        (external, now, now + dt.timedelta(days=181)),  # longer than 180 days
        (external, now - dt.timedelta(days=5), now - dt.timedelta(days=1)),  # over already
        (external, now + dt.timedelta(days=2), now + dt.timedelta(days=1)),  # ends first
        (viewer, now, now + dt.timedelta(days=5)),  # a member needs no access
    ]
    for user, start, end in cases:
        with pytest.raises(ValidationError):
            services.grant_access(
                planned, by=quality_manager, user=user, valid_from=start, valid_until=end
            )
    services.grant_access(
        planned,
        by=quality_manager,
        user=external,
        valid_from=now,
        valid_until=now + dt.timedelta(days=180),
    )
    with pytest.raises(ValidationError):  # twice
        _grant(planned, quality_manager, external)
    assert AuditAccess.objects.count() == 1


def test_no_access_is_granted_to_a_closed_audit(organization, quality_manager, external):
    closed = AuditFactory(organization=organization, status=AuditStatus.CLOSED)
    with pytest.raises(DomainError):
        _grant(closed, quality_manager, external)


def test_an_outside_auditor_account_has_no_membership_and_gets_a_password_link(
    organization, quality_manager, auditor, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services.create_outside_auditor(
            organization, by=auditor, first_name="Elena", last_name="Ríos", email="e@x.org"
        )
    with django_capture_on_commit_callbacks(execute=True):
        user = services.create_outside_auditor(
            organization,
            by=quality_manager,
            first_name="Elena",
            last_name="Ríos",
            email="elena.rios@consultora.example",
        )

    assert user.username == "aud-elenarios"
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.create_outside_auditor(
            organization,
            by=quality_manager,
            first_name="Otra",
            last_name="",
            email="ELENA.RIOS@consultora.example",
        )
    assert User.objects.filter(email__iexact="elena.rios@consultora.example").count() == 1


def test_find_user_needs_an_exact_single_match(external, peer):
    assert services.find_user("EXTERN") == external
    assert services.find_user(peer.email) == peer
    assert services.find_user("ext") is None
    assert services.find_user("x" * 300) is None


def test_the_rules_of_access(
    planned,
    quality_manager,
    auditor,
    viewer,
    officer,
    unit_head,
    outsider,
    other_branch,
    organization,
):
    from compromiso.core.permissions import Role
    from compromiso.organizations.tests.factories import MembershipFactory, UserFactory

    elsewhere_head = UserFactory(username="head-temuco")
    MembershipFactory(
        user=elsewhere_head, organization=organization, unit=other_branch, role=Role.UNIT_HEAD
    )
    expected = {
        quality_manager: {"view", "conduct", "manage", "answer"},
        auditor: {"view", "conduct"},
        viewer: {"view"},
        officer: {"view"},
        unit_head: {"view", "answer"},
        elsewhere_head: {"view"},
        outsider: set(),
        SYSTEM: {"view", "conduct", "manage", "answer"},
    }
    for person, needs in expected.items():
        found = {need for need in access.NEEDS if access.can(person, planned, need)}
        assert found == needs, person


def test_audit_for_answers_404_then_403(planned, outsider, viewer):
    from django.http import Http404

    with pytest.raises(Http404):
        access.audit_for(outsider, planned.pk, "view")
    with pytest.raises(Http404):
        access.audit_for(viewer, 999999, "view")
    assert access.audit_for(viewer, planned.pk, "view") == planned
    with pytest.raises(PermissionDenied):
        access.audit_for(viewer, planned.pk, "conduct")


def test_a_member_on_the_team_conducts_but_an_outsider_on_it_needs_an_access(
    planned, quality_manager, viewer, peer
):
    services.add_team_member(planned, by=quality_manager, user=viewer)
    assert access.can(viewer, planned, "conduct")

    grant = _grant(planned, quality_manager, peer, role="expert")
    assert access.can(peer, planned, "conduct")
    services.revoke_access(grant, by=quality_manager, reason="Fin.")
    assert not access.can(peer, planned, "view")  # still on the team, but no longer let in
    assert planned not in access.audits_for(peer)


def test_an_outside_auditor_is_not_linked_to_a_follow_up_beyond_the_grant(
    client, planned, other_audit, quality_manager, external
):
    other_audit.follow_up_of = planned
    other_audit.save(update_fields=["follow_up_of"])
    _grant(planned, quality_manager, external)
    client.force_login(external)

    page = client.get(reverse("audits:audit", args=[planned.pk])).content.decode()

    assert other_audit.reference in page
    assert reverse("audits:audit", args=[other_audit.pk]) not in page
