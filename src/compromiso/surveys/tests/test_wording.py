"""What the wave page says: a wave's own status words (not the case inbox's plural filters),
singular and plural counted right, and no word from the open answers that fewer people used
than the wave's minimum for a figure."""

import pytest
from django.urls import reverse

from compromiso.surveys import services
from compromiso.surveys.models import Stratum
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "status", "wrong"),
    [("es", "Abierta", "Abiertos"), ("ca", "Oberta", "Oberts"), ("en", "Open", "Opened")],
)
def test_a_wave_shows_its_own_status_word(client, wave, quality_manager, language, status, wrong):
    client.force_login(quality_manager)
    client.cookies["compromiso_language"] = language

    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()
    listing = client.get(reverse("surveys:waves")).content.decode()

    assert f'<span class="badge text-bg-secondary">{status}</span>' in page
    assert wrong not in page
    assert f"<td>{status}</td>" in listing


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", "Ponderado por los usuarios de 1 estrato:"),
        ("ca", "Ponderat pels usuaris d'1 estrat:"),
        ("en", "Weighted by the users of the 1 stratum:"),
    ],
)
def test_one_stratum_is_one_stratum(client, wave, licences, quality_manager, language, words):
    Stratum.objects.create(wave=wave, service=licences, population=500)
    for grade in (7, 7, 6):
        services.submit_response(wave, service=licences, answers=answers_for(wave, grade))
    client.force_login(quality_manager)
    client.cookies["compromiso_language"] = language

    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()

    assert words in page.replace("&#x27;", "'")
    assert "los 1 estratos" not in page


def test_a_word_fewer_people_used_than_the_minimum_is_not_shown(
    client, wave, licences, quality_manager
):
    # The wave's minimum is 3: "ventanilla" is written by three people, "Josefina" by one.
    texts = [
        "La ventanilla estaba cerrada",
        "Ventanilla lenta",
        "Mucha espera en la ventanilla",
        "Me atendió Josefina muy mal",
    ]
    for text in texts:
        services.submit_response(wave, service=licences, answers=answers_for(wave, 4, text=text))
    client.force_login(quality_manager)

    page = client.get(reverse("surveys:wave", args=[wave.pk])).content.decode()

    assert "ventanilla" in page
    assert "josefina" not in page.lower()
    assert "menos de 3 respuestas no se muestran" in page
