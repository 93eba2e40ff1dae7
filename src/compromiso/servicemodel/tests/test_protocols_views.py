"""The protocols' staff pages: who sees, who edits, who puts in force, who observes; bad input
gives a translated error and loses nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from compromiso.core.actors import SYSTEM
from compromiso.servicemodel import services
from compromiso.servicemodel.models import Protocol, ProtocolCheck, ProtocolStatus
from compromiso.servicemodel.tests.protocol_fixtures import outcomes

pytestmark = pytest.mark.django_db

LIST = reverse("servicemodel:protocols")
NEW = reverse("servicemodel:protocol_new")
OBSERVE = reverse("servicemodel:protocol_observe")
COMPLIANCE = reverse("servicemodel:protocol_compliance")


def _post(rows, total=None, **fields):
    data = {
        "name": "Atención telefónica",
        "purpose": "",
        "channel_kind": "phone",
        "is_public": "on",
        "steps-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "steps-INITIAL_FORMS": "0",
        **fields,
    }
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{n}-{key}"] = value
    return data


def test_anonymous_visitors_are_sent_to_log_in(client, protocol):
    for url in (
        LIST,
        NEW,
        OBSERVE,
        COMPLIANCE,
        reverse("servicemodel:protocol", args=[protocol.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_a_person_of_another_organisation_gets_404(client, outsider, protocol):
    client.force_login(outsider)

    assert client.get(reverse("servicemodel:protocol", args=[protocol.pk])).status_code == 404
    assert client.get(reverse("servicemodel:protocol_edit", args=[protocol.pk])).status_code == 404
    url = reverse("servicemodel:protocol_move", args=[protocol.pk, "retire"])
    assert client.post(url).status_code == 404
    assert protocol.name not in client.get(LIST).content.decode()


def test_a_crafted_id_or_step_gets_404(client, quality_manager, protocol):
    client.force_login(quality_manager)

    assert client.get("/staff/service-model/protocols/999999/").status_code == 404
    assert client.get("/staff/service-model/protocols/99999999999999999999999/").status_code == 404
    url = reverse("servicemodel:protocol_move", args=[protocol.pk, "explode"])
    assert client.post(url).status_code == 404


def test_the_list_says_where_each_protocol_applies(client, viewer, protocol, counter, phone):
    client.force_login(viewer)

    page = client.get(LIST).content.decode()
    assert "Atención presencial" in page
    assert '<td class="text-end">1</td>' in page  # the Arica counter only
    assert NEW not in page
    assert client.get(NEW).status_code == 403


def test_a_viewer_reads_a_protocol_but_cannot_change_it(client, viewer, protocol):
    client.force_login(viewer)

    page = client.get(reverse("servicemodel:protocol", args=[protocol.pk])).content.decode()
    assert "Saludar e identificarse" in page
    assert "Se pone de pie y mira a la persona." in page
    assert reverse("servicemodel:protocol_edit", args=[protocol.pk]) not in page
    assert client.get(reverse("servicemodel:protocol_edit", args=[protocol.pk])).status_code == 403
    response = client.post(reverse("servicemodel:protocol_move", args=[protocol.pk, "retire"]))
    assert response.status_code == 403
    assert client.get(OBSERVE).status_code == 403


def test_a_quality_manager_creates_a_protocol_and_puts_it_in_force(client, quality_manager):
    client.force_login(quality_manager)

    response = client.post(
        NEW,
        _post(
            [
                {"order": "2", "behaviour": "Escuchar", "standard": ""},
                {"order": "1", "behaviour": "Saludar", "variant_phone": "Dice su nombre."},
                {"order": "", "behaviour": "", "standard": ""},
            ]
        ),
    )
    protocol = Protocol.objects.get()
    assert response.status_code == 302
    assert [s.behaviour for s in protocol.steps.all()] == ["Saludar", "Escuchar"]
    assert protocol.steps.first().variants.get().text == "Dice su nombre."

    client.post(reverse("servicemodel:protocol_move", args=[protocol.pk, "activate"]))
    protocol.refresh_from_db()
    assert protocol.status == ProtocolStatus.ACTIVE


def test_bad_input_gives_a_translated_error_and_keeps_what_was_typed(client, quality_manager):
    client.force_login(quality_manager)

    response = client.post(
        NEW,
        _post([{"behaviour": "", "standard": "Un estándar sin conducta"}]),
        headers={"accept-language": "es"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Un estándar sin conducta" in page
    assert "Indique la conducta observable de este paso" in page
    assert not Protocol.objects.exists()


def test_oversized_and_hostile_input_is_refused(client, quality_manager, protocol):
    client.force_login(quality_manager)

    too_long = client.post(NEW, _post([{"behaviour": "x" * 301}], name="Otro"))
    assert too_long.status_code == 200
    nul = client.post(NEW, _post([{"behaviour": "a\x00b"}], name="Otro"))
    assert nul.status_code == 200
    too_many = client.post(NEW, _post([{"behaviour": f"Paso {n}"} for n in range(40)], name="Y"))
    assert too_many.status_code == 200
    foreign = client.post(
        NEW, _post([{"id": str(protocol.steps.first().pk), "behaviour": "Robado"}], name="Z")
    )
    assert foreign.status_code == 200
    broken = client.post(NEW, {"name": "Sin gestión"})
    assert broken.status_code == 200
    assert Protocol.objects.count() == 1


def test_an_override_adds_the_protocol_at_a_touch_point(client, quality_manager, protocol, phone):
    client.force_login(quality_manager)

    url = reverse("servicemodel:protocol_override", args=[protocol.pk])
    client.post(url, {"touch_point": phone.pk, "applies": "add"})
    page = client.get(reverse("servicemodel:protocol", args=[protocol.pk])).content.decode()
    assert "Fono Temuco" in page
    client.post(url, {"touch_point": "999999", "applies": "add"})
    assert protocol.overrides.count() == 1


def test_a_unit_head_observes_with_the_checklist_at_their_own_touch_point(
    client, unit_head, protocol, counter, phone, organization
):
    services.set_protocol_override(protocol, phone, by=SYSTEM, applies=True)
    client.force_login(unit_head)

    page = client.get(OBSERVE, {"touch_point": counter.pk, "protocol": protocol.pk})
    assert "Se pone de pie y mira a la persona." in page.content.decode()  # the counter variant
    steps = list(protocol.steps.all())
    data = {"observed_on": organization.today().isoformat(), "method": "supervision"}
    data |= {f"step_{s.pk}": "met" for s in steps[:2]}
    url = f"{OBSERVE}?touch_point={counter.pk}&protocol={protocol.pk}"
    missing = client.post(url, data)
    assert missing.status_code == 200
    assert not ProtocolCheck.objects.exists()

    data[f"step_{steps[2].pk}"] = "na"
    assert client.post(url, data).status_code == 302
    check = ProtocolCheck.objects.get()
    assert check.observer == unit_head
    assert [r.outcome for r in check.results.all()] == ["met", "met", "na"]

    # The Temuco line is outside the head's branch: not even offered.
    other = client.get(OBSERVE, {"touch_point": phone.pk, "protocol": protocol.pk})
    assert 'id="checklist"' not in other.content.decode()
    posted = client.post(f"{OBSERVE}?touch_point={phone.pk}&protocol={protocol.pk}", data)
    assert posted.status_code == 404
    assert ProtocolCheck.objects.count() == 1


def test_the_compliance_page_shows_the_figures_and_a_dash_when_empty(
    client, viewer, protocol, counter
):
    client.force_login(viewer)
    empty = client.get(COMPLIANCE).content.decode()
    assert "—" in empty

    day = dt.date(2026, 10, 5)
    services.record_protocol_check(
        protocol,
        counter,
        by=SYSTEM,
        observed_on=day,
        method="audit",
        results=outcomes(protocol, "met", "not_met", "na"),
    )
    page = client.get(COMPLIANCE, {"start": "2026-10-01", "end": "2026-10-31"}).content.decode()
    assert "50,00 %" in page
    assert "Mesón Arica" in page
    bad = client.get(COMPLIANCE, {"start": "2026-10-31", "end": "2026-10-01"})
    assert bad.status_code == 200
    hostile = client.get(COMPLIANCE, {"start": "0001-01-01", "end": "x\x00"})
    assert hostile.status_code == 200


def test_the_service_model_home_links_to_the_protocol_pages(client, viewer):
    client.force_login(viewer)

    page = client.get(reverse("servicemodel:home")).content.decode()
    assert LIST in page
    assert COMPLIANCE in page


def _edit_data(protocol, **changes):
    steps = list(protocol.steps.all())
    data = {
        "name": protocol.name,
        "purpose": protocol.purpose,
        "channel_kind": protocol.channel_kind,
        "is_public": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
    }
    for n, step in enumerate(steps):
        data |= {
            f"steps-{n}-id": str(step.pk),
            f"steps-{n}-order": str(n + 1),
            f"steps-{n}-behaviour": step.behaviour,
            f"steps-{n}-standard": step.standard,
        }
    return data | changes


def test_editing_a_protocol_in_force_keeps_observed_steps_and_says_why(
    client, quality_manager, protocol, counter, organization
):
    services.record_protocol_check(
        protocol,
        counter,
        by=SYSTEM,
        observed_on=organization.today(),
        method="self",
        results=outcomes(protocol, "met", "met", "met"),
    )
    client.force_login(quality_manager)
    url = reverse("servicemodel:protocol_edit", args=[protocol.pk])

    form = client.get(url).content.decode()
    assert "Saludar e identificarse" in form
    assert "Se pone de pie y mira a la persona." in form

    refused = client.post(url, _edit_data(protocol, **{"steps-0-behaviour": "Otra conducta"}))
    assert refused.status_code == 200
    assert "Otra conducta" in refused.content.decode()  # what was typed stays on the page
    assert "tiene observaciones registradas" in refused.content.decode()
    assert protocol.steps.first().behaviour == "Saludar e identificarse"

    refined = client.post(url, _edit_data(protocol, **{"steps-0-standard": "En 5 segundos."}))
    assert refined.status_code == 302
    assert protocol.steps.first().standard == "En 5 segundos."


def test_a_unit_head_reads_compliance_of_their_own_units_only(
    client, unit_head, protocol, counter, phone
):
    services.set_protocol_override(protocol, phone, by=SYSTEM, applies=True)
    day = dt.date(2026, 10, 5)
    for point, values in ((counter, ("met", "met", "met")), (phone, ("not_met",) * 3)):
        services.record_protocol_check(
            protocol,
            point,
            by=SYSTEM,
            observed_on=day,
            method="audit",
            results=outcomes(protocol, *values),
        )
    client.force_login(unit_head)

    page = client.get(COMPLIANCE, {"start": "2026-10-01", "end": "2026-10-31"}).content.decode()
    assert "Mesón Arica" in page
    assert "Fono Temuco" not in page
    assert "100,00 %" in page


def test_hostile_and_oversized_observations_are_refused(
    client, quality_manager, protocol, counter, organization
):
    client.force_login(quality_manager)
    steps = list(protocol.steps.all())
    url = f"{OBSERVE}?touch_point={counter.pk}&protocol={protocol.pk}"
    data = {"observed_on": organization.today().isoformat(), "method": "audit"}
    data |= {f"step_{s.pk}": "met" for s in steps}
    for bad in (
        {f"comment_{steps[0].pk}": "x" * 501},
        {"note": "a\x00b"},
        {f"step_{steps[0].pk}": "perfect"},
        {"method": "telepathy"},
        {"observed_on": "0001-01-01"},
        {"observed_on": (organization.today() + dt.timedelta(days=2)).isoformat()},
    ):
        assert client.post(url, data | bad).status_code == 200
    assert not ProtocolCheck.objects.exists()
    for query in ("?touch_point=abc&protocol=1", "?touch_point=99999999999999999999&protocol=x"):
        assert client.get(OBSERVE + query).status_code == 200


def test_the_checklist_is_offered_only_to_those_who_may_observe(client, viewer, unit_head):
    client.force_login(viewer)
    assert OBSERVE not in client.get(LIST).content.decode()
    client.force_login(unit_head)
    assert OBSERVE in client.get(LIST).content.decode()
