"""An audit's pages — overview, form, team, declarations, agreement, access — and their forms:
another organisation gets 404, a viewer or case officer 403 on every change, a unit head of
the audited unit answers (signs for the audited side) and nothing more; hostile input is
refused with a translated error and nothing saved; markup is shown escaped."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.audits import services
from compromiso.audits.models import Agreement, Audit, AuditAccess, AuditStatus, TeamMember
from compromiso.audits.tests.engage_fixtures import sign_both
from compromiso.catalog.tests.factories import ServiceFactory, TouchPointFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def _audit_post(**fields):
    data = {
        "title": "Auditoría de Arica",
        "kind": "internal",
        "auditor_kind": "internal_team",
        "objectives": "",
        "scope": "",
        "criteria": "",
        "methods": "",
        "unit": "",
        "framework": "",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "planned_start": "2026-07-06",
        "planned_end": "2026-07-17",
        "places": "",
        "budget_amount": "0",
        "person_days_planned": "0",
        "person_days_actual": "0",
        "lead": "",
    }
    data.update(fields)
    return data


def _posts(audit, member):
    """Every change an audit's pages offer (POST), with plausible data."""
    return [
        (reverse("audits:audit_edit", args=[audit.pk]), _audit_post()),
        (reverse("audits:audit_move", args=[audit.pk, "cancel"]), {"reason": "No."}),
        (reverse("audits:audit_results", args=[audit.pk]), {"decision": "publish"}),
        (
            reverse("audits:follow_up_audit", args=[audit.pk]),
            {"planned_start": "2027-01-04", "planned_end": "2027-01-08"},
        ),
        (reverse("audits:team", args=[audit.pk]), {"user": "1", "role": "auditor"}),
        (reverse("audits:team_role", args=[member.pk]), {"role": "observer"}),
        (reverse("audits:team_remove", args=[member.pk]), {}),
        (reverse("audits:agreement", args=[audit.pk]), {"scope": "Otro alcance."}),
        (
            reverse("audits:access", args=[audit.pk]),
            {"person": "x", "valid_from": "2026-12-06", "valid_until": "2026-12-20"},
        ),
        (
            reverse("audits:outside_auditor", args=[audit.pk]),
            {"first_name": "A", "email": "a@b.example"},
        ),
    ]


def test_another_organisation_gets_404_on_every_page_and_change(client, outsider, planned):
    member = planned.team.get()
    client.force_login(outsider)

    for url in (
        reverse("audits:audit", args=[planned.pk]),
        reverse("audits:team", args=[planned.pk]),
        reverse("audits:agreement", args=[planned.pk]),
        reverse("audits:access", args=[planned.pk]),
        reverse("audits:declare", args=[member.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url, data in _posts(planned, member):
        assert client.post(url, data).status_code == 404, url
    assert (
        client.post(reverse("audits:agreement_sign", args=[planned.pk, "auditee"])).status_code
        == 404
    )


@pytest.mark.parametrize("persona", ["viewer", "officer"])
def test_a_viewer_or_case_officer_reads_but_gets_403_on_every_change(
    client, request, persona, planned
):
    member = planned.team.get()
    client.force_login(request.getfixturevalue(persona))

    page = client.get(reverse("audits:audit", args=[planned.pk])).content.decode()
    assert planned.title in page
    assert reverse("audits:audit_edit", args=[planned.pk]) not in page
    for url, data in _posts(planned, member):
        assert client.post(url, data).status_code == 403, url
    assert client.get(reverse("audits:declare", args=[member.pk])).status_code == 403
    for side in ("auditor", "auditee"):
        url = reverse("audits:agreement_sign", args=[planned.pk, side])
        assert client.post(url).status_code == 403
    planned.refresh_from_db()
    assert planned.status == AuditStatus.PLANNED


def test_a_unit_head_of_the_audited_unit_only_answers(client, unit_head, planned, auditor):
    services.save_agreement(planned, by=auditor, scope="La sucursal.")
    member = planned.team.get()
    client.force_login(unit_head)

    for url, data in _posts(planned, member):
        if "agreement" in url:
            continue
        assert client.post(url, data).status_code == 403, url
    page = client.get(reverse("audits:agreement", args=[planned.pk])).content.decode()
    assert reverse("audits:agreement_sign", args=[planned.pk, "auditee"]) in page
    assert reverse("audits:agreement_sign", args=[planned.pk, "auditor"]) not in page
    client.post(reverse("audits:agreement_sign", args=[planned.pk, "auditee"]))
    planned.agreement.refresh_from_db()
    assert planned.agreement.auditee_signed_by == unit_head


def test_the_quality_manager_plans_an_audit_and_takes_it_through_its_life(
    client, quality_manager, auditor, branch, service, counter
):
    client.force_login(quality_manager)
    response = client.post(
        reverse("audits:audit_new"),
        _audit_post(
            unit=str(branch.pk),
            services=[str(service.pk)],
            touch_points=[str(counter.pk)],
            lead=str(auditor.pk),
        ),
    )
    audit = Audit.objects.get()
    assert response["Location"] == reverse("audits:audit", args=[audit.pk])
    assert audit.reference == "AUD-2026-01"
    assert audit.lead == auditor

    client.post(reverse("audits:team", args=[audit.pk]), {"user": auditor.pk, "role": "lead"})
    client.post(reverse("audits:agreement", args=[audit.pk]), {"scope": "Sucursal de Arica."})
    client.force_login(auditor)
    client.post(reverse("audits:agreement_sign", args=[audit.pk, "auditor"]))
    client.force_login(quality_manager)
    client.post(reverse("audits:agreement_sign", args=[audit.pk, "auditee"]))
    for step in ("agree", "start", "report"):
        client.post(reverse("audits:audit_move", args=[audit.pk, step]))
    client.post(reverse("audits:audit_results", args=[audit.pk]), {"decision": "publish"})
    response = client.post(reverse("audits:audit_move", args=[audit.pk, "close"]), follow=True)

    audit.refresh_from_db()
    assert audit.status == AuditStatus.CLOSED
    assert audit.results_decision == "publish"
    assert "alert-success" in response.content.decode()


def test_a_refused_step_says_why(client, quality_manager, planned):
    client.force_login(quality_manager)

    response = client.post(reverse("audits:audit_move", args=[planned.pk, "agree"]), follow=True)

    assert "firmado por ambas partes" in response.content.decode()
    assert client.post(reverse("audits:audit_move", args=[planned.pk, "fly"])).status_code == 404


def test_hostile_audit_input_is_refused_and_kept(
    client, quality_manager, planned, other_organization, other_branch, organization
):
    foreign_service = ServiceFactory(organization=other_organization)
    foreign_point = TouchPointFactory(organization=other_organization)
    outside_unit_point = TouchPointFactory(organization=organization, unit=other_branch)
    client.force_login(quality_manager)
    url = reverse("audits:audit_edit", args=[planned.pk])
    for fields in (
        {"objectives": "x" * 5001},
        {"methods": "x" * 2001},
        {"title": ""},
        {"planned_start": "2026-13-01"},
        {"planned_end": "2026-07-01"},
        {"period_start": "1899-01-01"},
        {"services": [str(foreign_service.pk)]},
        {"touch_points": [str(foreign_point.pk)]},
        {"unit": str(planned.unit_id), "touch_points": [str(outside_unit_point.pk)]},
        {"kind": "secret"},
        {"lead": "99999999999999999999999"},
        {"budget_amount": "1" * 20},
    ):
        response = client.post(url, _audit_post(**fields))
        assert response.status_code == 200, fields
        assert "data-error-summary" in response.content.decode(), fields
    planned.refresh_from_db()
    assert planned.title == "Atención presencial en Arica"
    assert list(planned.touch_points.all()) != [outside_unit_point]


def test_markup_is_shown_escaped_on_every_tab(client, quality_manager, planned, auditor):
    services.update_audit(planned, by=quality_manager, title=HOSTILE, scope=HOSTILE)
    services.save_agreement(planned, by=quality_manager, scope=HOSTILE)
    member = planned.team.get(user=auditor)
    services.declare(
        member,
        by=auditor,
        self_check={"experience": (True, HOSTILE)},
        independent=False,
        conflicts=HOSTILE,
    )
    client.force_login(quality_manager)

    for url in (
        reverse("audits:audit", args=[planned.pk]),
        reverse("audits:team", args=[planned.pk]),
        reverse("audits:agreement", args=[planned.pk]),
        reverse("audits:access", args=[planned.pk]),
        reverse("audits:home"),
        reverse("audits:mine"),
    ):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page, url


def test_a_member_declares_and_the_conflict_is_flagged_on_the_overview(client, auditor, planned):
    member = planned.team.get(user=auditor)
    client.force_login(auditor)
    data = {f"answer_{key}": "yes" for key in services.SELF_CHECK_KEYS}
    data.update(
        {
            "note_resources": "Dos personas, diez días.",
            "independent": "no",
            "conflicts": "Mi hermana dirige la sucursal.",
            "competence": "Diez años auditando.",
        }
    )

    response = client.post(reverse("audits:declare", args=[member.pk]), data)

    assert response["Location"] == reverse("audits:team", args=[planned.pk])
    member.refresh_from_db()
    assert member.self_check["resources"] == {"answer": True, "note": "Dos personas, diez días."}
    overview = client.get(reverse("audits:audit", args=[planned.pk])).content.decode()
    assert 'id="conflicts"' in overview
    assert "Mi hermana dirige la sucursal." in overview


def test_hostile_declarations_are_refused(client, auditor, planned):
    member = planned.team.get(user=auditor)
    client.force_login(auditor)
    url = reverse("audits:declare", args=[member.pk])
    for fields in (
        {"answer_experience": "maybe"},
        {"note_experience": "x" * 1001},
        {"independent": "perhaps"},
        {"conflicts": "c" * 2001},
    ):
        response = client.post(url, fields)
        assert response.status_code == 200, fields
        assert "data-error-summary" in response.content.decode(), fields
    member.refresh_from_db()
    assert member.declared_at is None


def test_team_choices_refuse_people_of_other_organisations(client, quality_manager, planned, peer):
    client.force_login(quality_manager)

    response = client.post(
        reverse("audits:team", args=[planned.pk]), {"user": str(peer.pk), "role": "auditor"}
    )

    assert "data-error-summary" in response.content.decode()
    assert not TeamMember.objects.filter(user=peer).exists()
    bad_role = client.post(
        reverse("audits:team_role", args=[planned.team.get().pk]), {"role": "king"}, follow=True
    )
    assert bad_role.status_code == 200
    assert planned.team.get().role == "lead"


def test_an_agreement_too_long_is_refused(client, quality_manager, planned):
    client.force_login(quality_manager)

    response = client.post(
        reverse("audits:agreement", args=[planned.pk]),
        {"scope": "s" * 5001, "publication": "p" * 2001},
    )

    assert "data-error-summary" in response.content.decode()
    assert not Agreement.objects.exists()


def test_the_access_page_grants_by_user_name_and_revokes(
    client, quality_manager, planned, peer, auditor
):
    client.force_login(quality_manager)
    url = reverse("audits:access", args=[planned.pk])
    today = planned.organization.today()

    response = client.post(
        url,
        {
            "person": "PEER",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=20)).isoformat(),
            "role": "auditor",
        },
    )

    grant = AuditAccess.objects.get()
    assert response["Location"] == url
    assert grant.user == peer
    assert planned.team.filter(user=peer).exists()
    page = client.get(url).content.decode()
    assert "Ajuntament d&#x27;Exemple" in page
    client.post(reverse("audits:access_revoke", args=[grant.pk]), {"reason": ""})
    grant.refresh_from_db()
    assert grant.revoked_at is None
    client.post(reverse("audits:access_revoke", args=[grant.pk]), {"reason": "Terminó."})
    grant.refresh_from_db()
    assert grant.revoke_reason == "Terminó."


def test_hostile_grants_are_refused(client, quality_manager, planned, peer, viewer):
    client.force_login(quality_manager)
    url = reverse("audits:access", args=[planned.pk])
    today = planned.organization.today()
    for fields in (
        {"person": "nobody-like-this"},
        {"person": viewer.username},  # a member
        {"person": "p" * 300},
        {"person": "peer", "valid_until": (today + dt.timedelta(days=200)).isoformat()},
        {"person": "peer", "valid_from": "2026-02-31"},
        {"person": "peer", "valid_until": (today - dt.timedelta(days=3)).isoformat()},
        {"person": "peer", "role": "boss"},
    ):
        data = {
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=10)).isoformat(),
            **fields,
        }
        response = client.post(url, data)
        assert response.status_code == 200, fields
        assert "data-error-summary" in response.content.decode(), fields
    assert not AuditAccess.objects.exists()
    response = client.post(
        reverse("audits:outside_auditor", args=[planned.pk]),
        {"first_name": "x" * 151, "email": "not-an-address"},
        follow=True,
    )
    assert "alert-danger" in response.content.decode()


def test_closing_from_the_page_shows_what_is_missing(client, quality_manager, auditor, planned):
    sign_both(planned, auditor, quality_manager)
    audit = planned
    for step in ("agree", "start", "report"):
        audit = services.move_audit(audit, step, by=quality_manager)
    client.force_login(quality_manager)

    page = client.get(reverse("audits:audit", args=[audit.pk])).content.decode()

    assert 'id="closing-problems"' in page
    assert "Decida qué se hace con los resultados." in page


def test_the_budget_is_shown_as_money_in_the_users_language(client, quality_manager, planned):
    from compromiso.core.money import format_money

    Audit.objects.filter(pk=planned.pk).update(budget_amount=3500)
    client.force_login(quality_manager)

    page = client.get(reverse("audits:audit", args=[planned.pk])).content.decode()

    assert format_money(3500, planned.organization.currency) in page
    assert ">3500 " not in page
