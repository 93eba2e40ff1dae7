"""Organisation pages: anonymous, wrong role, other organisation, right role; bad input."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import ServiceFactory
from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Role
from compromiso.organizations.models import ApiToken, ClosureDay, Membership, Unit, User

pytestmark = pytest.mark.django_db

PAGES = ["overview", "units", "members", "calendar", "settings", "tokens"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, page):
    response = client.get(reverse(f"organizations:{page}"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_person_with_no_membership_gets_404(client):
    client.force_login(User.objects.create_user("nobody", password="x"))

    assert client.get(reverse("organizations:overview")).status_code == 404


def test_overview_counts_only_what_the_unit_head_may_see(client, unit_head, branch, other_branch):
    ServiceFactory(organization=branch.organization, provider_unit=branch)
    ServiceFactory(organization=branch.organization, provider_unit=other_branch)
    client.force_login(unit_head)

    response = client.get(reverse("organizations:overview"))

    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures["services"]["value"] == 1
    assert figures["units"]["value"] == 1


def test_unit_head_sees_own_branch_but_not_another_in_the_tree(
    client, unit_head, branch, other_branch
):
    client.force_login(unit_head)

    html = client.get(reverse("organizations:units")).content.decode()

    assert branch.name in html
    assert other_branch.name not in html
    assert "Add a unit" not in html


def test_administrator_adds_a_unit_under_a_region(client, admin_user, region):
    client.force_login(admin_user)

    response = client.post(
        reverse("organizations:units"),
        {"name": "Sucursal Putre", "kind": "branch", "code": "PUT", "parent": region.pk},
    )

    assert response.status_code == 302
    unit = Unit.objects.get(code="PUT")
    assert unit.parent == region
    assert AuditEntry.objects.for_object(unit).get().actor == admin_user


def test_units_posted_by_a_viewer_are_refused(client, viewer):
    client.force_login(viewer)

    response = client.post(reverse("organizations:units"), {"name": "X", "kind": "area"})

    assert response.status_code == 403
    assert not Unit.objects.filter(name="X").exists()


def test_a_parent_from_another_organisation_is_refused(client, admin_user, other_organization):
    foreign = Unit.objects.create(organization=other_organization, name="Alcaldia", path="/99999/")
    client.force_login(admin_user)

    response = client.post(
        reverse("organizations:units"), {"name": "Intrusa", "kind": "area", "parent": foreign.pk}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert not Unit.objects.filter(name="Intrusa").exists()


def test_empty_oversized_and_hostile_unit_names(client, admin_user):
    client.force_login(admin_user)
    url = reverse("organizations:units")

    empty = client.post(url, {"name": "", "kind": "area"})
    huge = client.post(url, {"name": "x" * 10_000, "kind": "area"})
    hostile = client.post(url, {"name": "<script>alert(1)</script>", "kind": "area"}, follow=True)

    assert empty.context["form"].errors["name"]
    assert huge.context["form"].errors["name"]
    assert Unit.objects.filter(name="<script>alert(1)</script>").exists()
    html = hostile.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_moving_a_unit_under_its_own_child_shows_an_error_and_changes_nothing(
    client, admin_user, region, branch
):
    client.force_login(admin_user)

    response = client.post(
        reverse("organizations:unit_edit", args=[region.pk]),
        {"name": region.name, "kind": "region", "parent": branch.pk, "is_active": "on"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    region.refresh_from_db()
    assert region.parent is None


def test_inline_edit_returns_only_the_row_to_htmx(client, admin_user, branch):
    client.force_login(admin_user)
    url = reverse("organizations:unit_edit", args=[branch.pk])

    form = client.get(url, headers={"HX-Request": "true"})
    saved = client.post(
        url,
        {
            "name": "Sucursal Arica Centro",
            "kind": "branch",
            "parent": branch.parent_id,
            "is_active": "on",
        },
        headers={"HX-Request": "true"},
    )

    assert b"<html" not in form.content
    assert b"<form" in form.content
    assert b"<html" not in saved.content
    assert b"Sucursal Arica Centro" in saved.content
    branch.refresh_from_db()
    assert branch.name == "Sucursal Arica Centro"


def test_deleting_a_unit_with_services_explains_why_not(client, admin_user, branch):
    ServiceFactory(organization=branch.organization, provider_unit=branch)
    client.force_login(admin_user)

    response = client.post(reverse("organizations:unit_delete", args=[branch.pk]), follow=True)

    assert Unit.objects.filter(pk=branch.pk).exists()
    assert "no se puede eliminar" in response.content.decode()  # Spanish is the default


def test_outsider_gets_404_for_a_unit_of_another_organisation(client, outsider, branch):
    client.force_login(outsider)

    assert client.get(reverse("organizations:unit_edit", args=[branch.pk])).status_code == 404
    assert client.post(reverse("organizations:unit_delete", args=[branch.pk])).status_code == 404


def test_unit_head_gets_403_editing_own_unit(client, unit_head, branch):
    client.force_login(unit_head)

    assert client.get(reverse("organizations:unit_edit", args=[branch.pk])).status_code == 403


def test_members_page_is_for_administrators_only(client, quality_manager, admin_user):
    client.force_login(quality_manager)
    assert client.get(reverse("organizations:members")).status_code == 403

    client.force_login(admin_user)
    assert client.get(reverse("organizations:members")).status_code == 200


def test_administrator_adds_a_person_with_a_role(client, admin_user, branch, mailoutbox):
    client.force_login(admin_user)

    response = client.post(
        reverse("organizations:members"),
        {
            "form": "person",
            "person-username": "nueva.oficial",
            "person-email": "nueva@example.org",
            "person-role": Role.CASE_OFFICER,
            "person-unit": branch.pk,
        },
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user__username="nueva.oficial")
    assert membership.unit == branch


def test_adding_a_taken_user_name_or_bad_email_is_refused(client, admin_user, officer):
    client.force_login(admin_user)

    response = client.post(
        reverse("organizations:members"),
        {
            "form": "person",
            "person-username": "OFFICER",
            "person-email": "not-an-email",
            "person-role": Role.VIEWER,
        },
    )

    errors = response.context["person_form"].errors
    assert "username" in errors
    assert "email" in errors
    assert User.objects.filter(username__iexact="officer").count() == 1


def test_removing_the_last_administrator_is_refused(client, admin_user):
    client.force_login(admin_user)
    membership = Membership.objects.get(user=admin_user)

    response = client.post(
        reverse("organizations:membership_remove", args=[membership.pk]), follow=True
    )

    assert Membership.objects.filter(pk=membership.pk).exists()
    assert "al menos un administrador" in response.content.decode()


def test_calendar_lists_national_regional_and_own_closure_days(
    client, quality_manager, organization
):
    client.force_login(quality_manager)

    client.post(
        reverse("organizations:calendar"), {"date": "2026-06-01", "name": "Cierre por inventario"}
    )
    html = client.get(reverse("organizations:calendar") + "?year=2026").content.decode()

    assert "Día de la Independencia" in html  # 18 September, Chile
    assert "Cierre por inventario" in html
    assert ClosureDay.objects.get().created_by == quality_manager


def test_calendar_year_parameter_tolerates_nonsense(client, viewer):
    client.force_login(viewer)

    for value in ["abc", "-1", "99999", "2026'; DROP TABLE x"]:
        assert client.get(reverse("organizations:calendar"), {"year": value}).status_code == 200


def test_viewers_cannot_add_closure_days(client, viewer):
    client.force_login(viewer)

    response = client.post(reverse("organizations:calendar"), {"date": "2026-06-01", "name": "X"})

    assert response.status_code == 403
    assert not ClosureDay.objects.exists()


def test_deadline_calculator_skips_weekends_and_holidays(client, viewer):
    client.force_login(viewer)

    response = client.get(
        reverse("organizations:calendar"),
        {"received_at": "2026-09-16T10:00", "amount": "3", "unit": "business_days"},
    )

    # Wed 16 Sept + 3 business days: Thu 17, (Fri 18, Sat 19 holidays; Sun), Mon 21, Tue 22.
    assert response.context["deadline"]["due"].date() == dt.date(2026, 9, 22)


def test_settings_refuse_an_unknown_region_and_keep_the_old_one(client, admin_user, organization):
    client.force_login(admin_user)
    data = {
        "name": organization.name,
        "country": "CL",
        "subdivision": "ZZ",
        "time_zone": "America/Santiago",
        "language": "es",
        "jurisdiction": "cl_public",
        "office_opens_at": "09:00",
        "office_closes_at": "17:00",
        "weekmask": "1111100",
        "case_retention_days": 1825,
    }

    response = client.post(reverse("organizations:settings"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    organization.refresh_from_db()
    assert organization.subdivision == "RM"


def test_settings_changes_are_saved_and_logged(client, admin_user, organization):
    client.force_login(admin_user)
    data = {
        "name": "Servicio Nuevo",
        "country": "CL",
        "subdivision": "AP",
        "time_zone": "America/Santiago",
        "language": "es",
        "jurisdiction": "cl_public",
        "office_opens_at": "08:30",
        "office_closes_at": "14:00",
        "weekmask": "1111100",
        "case_retention_days": 1825,
    }

    assert client.post(reverse("organizations:settings"), data).status_code == 302
    organization.refresh_from_db()
    assert organization.subdivision == "AP"
    entry = AuditEntry.objects.for_object(organization).get()
    assert entry.data["subdivision"] == ["RM", "AP"]


def test_a_new_token_is_shown_once_and_can_be_revoked(client, viewer):
    client.force_login(viewer)

    created = client.post(reverse("organizations:tokens"), {"name": "Call centre"})
    secret = created.context["secret"]
    listing = client.get(reverse("organizations:tokens"))
    token = ApiToken.objects.get()
    client.post(reverse("organizations:token_revoke", args=[token.pk]))

    assert secret.startswith("cmp_")
    assert secret not in listing.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_persons_token(client, viewer, officer, organization):
    from compromiso.organizations.services import create_api_token

    token, _raw = create_api_token(user=officer, organization=organization, name="Mine")
    client.force_login(viewer)

    assert client.post(reverse("organizations:token_revoke", args=[token.pk])).status_code == 404


def test_network_page_is_only_for_network_analysts(client, admin_user):
    from compromiso.organizations.models import NetworkMember

    client.force_login(admin_user)
    assert client.get(reverse("organizations:network")).status_code == 404

    NetworkMember.objects.create(user=admin_user)
    response = client.get(reverse("organizations:network"))
    assert response.status_code == 200
    assert all(set(row) >= {"name", "unit_count"} for row in response.context["figures"])


def test_switching_to_an_organisation_one_does_not_belong_to_is_refused(
    client, admin_user, other_organization
):
    client.force_login(admin_user)

    response = client.post(reverse("organizations:switch"), {"organization": other_organization.pk})

    assert response.status_code == 404


def test_audit_log_is_readable_by_administrators_and_auditors_only(
    client, admin_user, auditor, viewer, outsider, organization
):
    from compromiso.organizations.services import update_organization

    update_organization(organization, name="Renombrado", by=admin_user)
    url = reverse("core:audit_log", args=["organizations", "organization", organization.pk])

    client.force_login(auditor)
    assert "Renombrado" in client.get(url).content.decode()
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("core:audit_log", args=["nope", "nope", "1"])).status_code == 404


def test_staff_see_their_organisations_language_unless_they_chose_another(
    client, outsider, admin_user, settings
):
    client.force_login(outsider)  # an administrator of the Catalan council
    catalan = client.get(reverse("organizations:overview"), headers={"Accept-Language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    chosen = client.get(reverse("organizations:overview"))

    assert '<html lang="ca">' in catalan.content.decode()
    assert '<html lang="en">' in chosen.content.decode()


def test_deadline_calculator_counts_from_the_day_the_request_counts_as_received(client, viewer):
    client.force_login(viewer)

    deadline = client.get(
        reverse("organizations:calendar"),
        {"received_at": "2026-09-16T18:30", "amount": "20", "unit": "business_days"},
    ).context["deadline"]

    assert deadline["start"] == dt.date(2026, 9, 17)  # after office hours: next business day
    assert deadline["due"].date() == dt.date(2026, 10, 19)  # skips 18-19 Sept and 12 Oct
    assert deadline["business_days"] == 20
