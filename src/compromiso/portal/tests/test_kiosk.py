"""Survey kiosks: the kiosk link is limited like the public page unless the device was enrolled
by staff (then it has its own, higher limit and answers for its touch point); enrolment and
revocation are audit-logged; the kiosk page is made for a touch screen and starts again when
left alone, with no inline script or style."""

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import TouchPointFactory
from compromiso.core.models import AuditEntry
from compromiso.portal import surveys as portal_surveys
from compromiso.surveys import kiosks
from compromiso.surveys.models import Kiosk, Response
from compromiso.surveys.tests import conftest as survey_fixtures

pytestmark = pytest.mark.django_db

licences = survey_fixtures.licences
permits = survey_fixtures.permits
questionnaire = survey_fixtures.questionnaire
wave = survey_fixtures.wave


@pytest.fixture
def counter(organization, branch):
    return TouchPointFactory(organization=organization, unit=branch, name="Mesón Arica")


def _answers(wave, licences, grade=7):
    questions = list(wave.questionnaire.questions.all())
    return {
        "service": licences.pk,
        f"q{questions[0].pk}": grade,
        f"q{questions[1].pk}": grade,
        f"q{questions[2].pk}": "yes",
    }


def _enrol(client, quality_manager, counter, name="Tablet de la entrada"):
    client.force_login(quality_manager)
    return client.post(reverse("surveys:kiosks"), {"name": name, "touch_point": counter.pk})


def test_the_kiosk_link_on_an_unenrolled_device_is_limited_like_the_public_page(
    client, wave, licences, monkeypatch
):
    monkeypatch.setattr(portal_surveys, "ANSWERS_PER_HOUR", 2)
    url = reverse("portal:survey_kiosk", args=[wave.token])

    sent = [client.post(url, _answers(wave, licences)).status_code for _n in range(3)]

    assert sent == [302, 302, 429]
    assert Response.objects.count() == 2


def test_the_kiosk_and_the_public_page_share_the_visitors_limit(
    client, wave, licences, monkeypatch
):
    monkeypatch.setattr(portal_surveys, "ANSWERS_PER_HOUR", 2)
    client.post(reverse("portal:survey", args=[wave.token]), _answers(wave, licences))
    client.post(reverse("portal:survey", args=[wave.token]), _answers(wave, licences))

    third = client.post(reverse("portal:survey_kiosk", args=[wave.token]), _answers(wave, licences))

    assert third.status_code == 429
    assert Response.objects.count() == 2


def test_an_enrolled_kiosk_takes_a_busy_office_and_answers_for_its_touch_point(
    client, wave, licences, quality_manager, counter, monkeypatch
):
    monkeypatch.setattr(portal_surveys, "ANSWERS_PER_HOUR", 2)
    monkeypatch.setattr(kiosks, "ANSWERS_PER_HOUR", 5)

    enrolled = _enrol(client, quality_manager, counter)
    kiosk = Kiosk.objects.get()
    url = reverse("portal:survey_kiosk", args=[wave.token])
    sent = [client.post(url, _answers(wave, licences)).status_code for _n in range(6)]

    assert enrolled.status_code == 302
    assert enrolled["Location"] == reverse("portal:kiosk_home")
    cookie = enrolled.cookies[kiosks.COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert kiosk.key_hash != cookie.value  # only the key's hash is stored
    assert "_auth_user_id" not in client.session  # staff signed out of the kiosk device
    assert sent == [302] * 5 + [429]  # past the public limit of 2, up to the kiosk's own
    assert set(Response.objects.values_list("touch_point", "source")) == {(counter.pk, "kiosk")}
    entry = AuditEntry.objects.get(action="surveys.kiosk.enrolled")
    assert entry.actor == quality_manager


def test_a_revoked_kiosk_is_limited_like_any_visitor(
    client, wave, licences, quality_manager, counter, monkeypatch
):
    monkeypatch.setattr(portal_surveys, "ANSWERS_PER_HOUR", 1)
    _enrol(client, quality_manager, counter)
    kiosk = Kiosk.objects.get()
    key = client.cookies[kiosks.COOKIE].value
    client.force_login(quality_manager)

    revoked = client.post(reverse("surveys:kiosk_revoke", args=[kiosk.pk]), follow=True)
    client.logout()
    client.cookies[kiosks.COOKIE] = key
    url = reverse("portal:survey_kiosk", args=[wave.token])
    sent = [client.post(url, _answers(wave, licences)).status_code for _n in range(2)]

    assert "revocado" in revoked.content.decode()
    assert Kiosk.objects.get().revoked_at is not None
    assert AuditEntry.objects.filter(action="surveys.kiosk.revoked").count() == 1
    assert sent == [302, 429]


def test_a_forged_kiosk_cookie_counts_for_nothing(client, wave, licences, monkeypatch):
    monkeypatch.setattr(portal_surveys, "ANSWERS_PER_HOUR", 1)
    client.cookies[kiosks.COOKIE] = "x" * 43
    url = reverse("portal:survey_kiosk", args=[wave.token])

    sent = [client.post(url, _answers(wave, licences)).status_code for _n in range(2)]

    assert sent == [302, 429]


def test_only_survey_managers_enrol_and_revoke_kiosks(
    client, quality_manager, viewer, outsider, counter, other_organization
):
    kiosk, _key = kiosks.enrol_kiosk(
        counter.organization, name="Tablet", touch_point=counter, by=quality_manager
    )
    assert client.get(reverse("surveys:kiosks")).status_code == 302  # to the log-in

    client.force_login(viewer)
    assert client.get(reverse("surveys:kiosks")).status_code == 403
    assert client.post(reverse("surveys:kiosk_revoke", args=[kiosk.pk])).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("surveys:kiosk_revoke", args=[kiosk.pk])).status_code == 404
    client.force_login(quality_manager)
    assert (
        client.post(reverse("surveys:kiosks"), {"name": " ", "touch_point": counter.pk}).status_code
        == 200
    )
    foreign = TouchPointFactory(organization=other_organization)
    assert (
        client.post(reverse("surveys:kiosks"), {"name": "X", "touch_point": foreign.pk}).status_code
        == 200
    )

    assert Kiosk.objects.get().revoked_at is None
    assert Kiosk.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [("es", "Enviar"), ("ca", "Envia"), ("en", "Send my answers")],
)
def test_the_kiosk_page_is_made_for_a_touch_screen(client, wave, language, words):
    client.cookies["compromiso_language"] = language

    page = client.get(reverse("portal:survey_kiosk", args=[wave.token])).content.decode()

    assert words in page
    assert "set_language" not in page
    assert 'id="language-select"' not in page
    assert "<header" not in page
    assert "<footer" not in page
    assert "kiosk-option" in page
    assert 'class="btn-check"' in page
    assert 'src="/static/portal/kiosk.js"' in page
    assert 'data-kiosk-idle-seconds="60"' in page
    assert 'http-equiv="refresh" content="120;url=/s/' in page  # without JavaScript too
    assert "<script>" not in page
    assert "style=" not in page


@pytest.mark.parametrize("language", ["es", "ca", "en"])
def test_the_kiosk_staff_page_renders_in_each_language(client, quality_manager, counter, language):
    client.force_login(quality_manager)
    client.cookies["compromiso_language"] = language

    page = client.get(reverse("surveys:kiosks"))

    assert page.status_code == 200
    assert 'name="touch_point"' in page.content.decode()


def test_the_kiosk_start_lists_or_opens_the_open_surveys(client, wave, quality_manager, counter):
    unenrolled = client.get(reverse("portal:kiosk_home"))
    _enrol(client, quality_manager, counter)

    enrolled = client.get(reverse("portal:kiosk_home"))

    assert "no está inscrito" in unenrolled.content.decode()
    assert enrolled.status_code == 302
    assert enrolled["Location"] == reverse("portal:survey_kiosk", args=[wave.token])
