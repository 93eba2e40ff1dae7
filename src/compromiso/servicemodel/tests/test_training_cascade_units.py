"""The cascade page: revoking a certification with a reason (who may, what stays valid), and
the cascade per unit (filter by subtree; trainers and middle managers certified per unit,
checked against hand counts)."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.core.actors import SYSTEM
from compromiso.core.audit import AuditEntry
from compromiso.servicemodel import services
from compromiso.servicemodel.models import TrainerCertification
from compromiso.servicemodel.tests.training_factories import person, programme, train
from compromiso.servicemodel.training_coverage import cascade_by_unit

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def prog(organization):
    return programme(organization, "Protocolos de atención", validity=24)


@pytest.fixture
def tree(prog, region, branch, other_branch):
    """Region: Marta (manager, root). Arica branch: Nico (manager, by Marta), Olga (manager,
    not a trainer), Pablo (contact, by Nico), Rosa (revoked), Iván (inactive manager, by
    Marta). Temuco: Teo (manager, not a trainer)."""
    org = prog.organization
    marta = person(org, region, "marta", manager=True)
    nico = person(org, branch, "nico", manager=True)
    olga = person(org, branch, "olga", manager=True)
    pablo = person(org, branch, "pablo")
    rosa = person(org, branch, "rosa")
    ivan = person(org, branch, "ivan", manager=True)
    teo = person(org, other_branch, "teo", manager=True)
    train(prog, [marta, nico, olga, pablo, rosa, ivan, teo], DAY, unit=region)
    on = DAY + dt.timedelta(days=1)
    root = services.certify_trainer(prog, marta, by=SYSTEM, certified_on=on, external_body="INAP")
    n = services.certify_trainer(prog, nico, by=SYSTEM, certified_on=on, certifier=marta)
    services.certify_trainer(prog, pablo, by=SYSTEM, certified_on=on, certifier=nico)
    r = services.certify_trainer(prog, rosa, by=SYSTEM, certified_on=on, certifier=marta)
    services.certify_trainer(prog, ivan, by=SYSTEM, certified_on=on, certifier=marta)
    services.revoke_certification(r, by=SYSTEM, on=on + dt.timedelta(days=2), reason="Traslado")
    ivan.is_active = False
    ivan.save()
    return {"root": root, "nico": n, "rosa": r}


def _cascade(prog):
    return reverse("servicemodel:training_cascade", args=[prog.pk])


def _revoke(certification):
    return reverse("servicemodel:training_revoke", args=[certification.pk])


def test_per_unit_counts_match_the_hand_count(prog, tree, region, branch, other_branch):
    rows = {
        r.unit.name: (r.trainers, r.managers.numerator, r.managers.denominator, r.managers.percent)
        for r in cascade_by_unit(prog, DAY + dt.timedelta(days=30), [region, branch, other_branch])
    }

    # Region subtree: trainers Marta, Nico, Pablo (Rosa revoked, Iván inactive); managers
    # Marta, Nico, Olga (Iván inactive), of whom Marta and Nico are trainers: 2/3 = 67 %.
    assert rows["Dirección Regional Norte"] == (3, 2, 3, 67)
    assert rows["Sucursal Arica"] == (2, 1, 2, 50)
    assert rows["Sucursal Temuco"] == (0, 0, 1, 0)


def test_before_anyone_was_certified_every_count_is_zero_and_no_manager_gives_a_dash(
    prog, tree, region, organization
):
    from compromiso.organizations.tests.factories import UnitFactory

    empty = UnitFactory(organization=organization, name="Oficina vacía")
    rows = cascade_by_unit(prog, DAY, [region, empty])

    assert (rows[0].trainers, rows[0].managers.numerator, rows[0].managers.denominator) == (0, 0, 3)
    assert (rows[1].trainers, rows[1].managers.denominator, rows[1].managers.percent) == (
        0,
        0,
        None,
    )


def test_the_page_filters_the_tree_and_the_rows_by_unit(client, viewer, prog, tree, branch):
    client.force_login(viewer)

    whole = client.get(_cascade(prog))
    assert [r.unit.name for r in whole.context["unit_rows"]] == [
        "Dirección Regional Norte",
        "Sucursal Arica",
        "Sucursal Temuco",
    ]
    assert whole.context["reach"] == 5
    response = client.get(_cascade(prog), {"unit": branch.pk})

    assert [r.unit.name for r in response.context["unit_rows"]] == ["Sucursal Arica"]
    roots = response.context["roots"]
    # Nico was certified from outside the branch: he starts its tree, Pablo below him.
    assert [r.certification.staff_member.code for r in roots] == ["nico", "rosa", "ivan"]
    assert [c.certification.staff_member.code for c in roots[0].children] == ["pablo"]
    page = response.content.decode()
    assert "Marta" not in page
    assert "50 %" in page


@pytest.mark.parametrize("unit", ["abc", "9" * 30, "-1", "<script>", ""])
def test_a_bad_unit_filter_shows_the_whole_cascade(client, viewer, prog, tree, unit):
    client.force_login(viewer)

    response = client.get(_cascade(prog), {"unit": unit})

    assert response.status_code == 200
    assert response.context["focus"] is None
    assert response.context["reach"] == 5


def test_a_unit_head_filters_only_within_their_subtree(client, unit_head, prog, tree, other_branch):
    client.force_login(unit_head)

    response = client.get(_cascade(prog), {"unit": other_branch.pk})

    assert response.context["focus"] is None
    assert [r.unit.name for r in response.context["unit_rows"]] == ["Sucursal Arica"]


def test_revoked_certifications_show_greyed_with_date_and_reason(client, viewer, prog, tree):
    client.force_login(viewer)

    page = client.get(_cascade(prog)).content.decode()

    assert "Traslado" in page
    assert "revocada el 5 mar 2026" in page
    assert "opacity-75" in page
    assert "siguen vigentes" in page


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    response = client.post(_revoke(tree["nico"]), {"reason": "x"})

    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    tree["nico"].refresh_from_db()
    assert tree["nico"].revoked_on is None


def test_a_person_of_another_organisation_gets_404(client, outsider, prog, tree):
    client.force_login(outsider)

    assert client.post(_revoke(tree["nico"]), {"reason": "x"}).status_code == 404
    assert client.get(_cascade(prog)).status_code == 404


def test_a_reader_sees_no_revoke_button_and_cannot_revoke(client, viewer, prog, tree):
    client.force_login(viewer)

    page = client.get(_cascade(prog))

    assert page.context["revocable"] == set()
    assert _revoke(tree["nico"]) not in page.content.decode()
    assert client.post(_revoke(tree["nico"]), {"reason": "Sin motivo"}).status_code == 403
    tree["nico"].refresh_from_db()
    assert tree["nico"].revoked_on is None


def test_a_unit_head_revokes_only_in_their_subtree(client, unit_head, prog, tree):
    client.force_login(unit_head)

    page = client.get(_cascade(prog))
    assert tree["root"].pk not in page.context["revocable"]
    assert tree["nico"].pk in page.context["revocable"]
    assert tree["rosa"].pk not in page.context["revocable"]  # already revoked
    assert client.post(_revoke(tree["root"]), {"reason": "No"}).status_code == 403

    response = client.post(_revoke(tree["nico"]), {"reason": "Dejó la jefatura"}, follow=True)

    assert "Certificación revocada." in response.content.decode()
    nico = TrainerCertification.objects.get(pk=tree["nico"].pk)
    assert nico.revoked_on == prog.organization.today()
    assert nico.revocation_reason == "Dejó la jefatura"
    # What Nico gave stays valid: Pablo is still a trainer.
    pablo = TrainerCertification.objects.get(staff_member__code="pablo")
    assert pablo.revoked_on is None
    entry = AuditEntry.objects.for_object(nico).get(
        action="servicemodel.trainercertification.revoked"
    )
    assert entry.data["given_below"] == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_missing_or_oversized_reason_is_refused_and_nothing_is_revoked(
    client, quality_manager, tree, reason
):
    client.force_login(quality_manager)

    response = client.post(_revoke(tree["nico"]), {"reason": reason}, follow=True)

    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    tree["nico"].refresh_from_db()
    assert tree["nico"].revoked_on is None
    assert tree["nico"].revocation_reason == ""


def test_a_hostile_reason_is_stored_as_text_and_escaped(client, quality_manager, prog, tree):
    client.force_login(quality_manager)

    client.post(_revoke(tree["nico"]), {"reason": "<script>alert(1)</script>"})

    page = client.get(_cascade(prog)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_revoking_twice_says_it_was_already_revoked(client, quality_manager, tree):
    client.force_login(quality_manager)

    response = client.post(_revoke(tree["rosa"]), {"reason": "Otra vez"}, follow=True)

    assert "ya fue revocada" in response.content.decode()
    tree["rosa"].refresh_from_db()
    assert tree["rosa"].revocation_reason == "Traslado"
