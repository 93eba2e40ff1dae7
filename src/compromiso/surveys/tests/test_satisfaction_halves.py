"""The net score's two halves, % satisfied and % dissatisfied, are shown beside it on the wave
page and in the figures export, checked against values computed by hand."""

import csv
import io

import pytest
from django.urls import reverse

from compromiso.surveys import services
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(wave, licences, permits):
    # Licences: 7, 7, 6 satisfied; 5 neutral; 2 dissatisfied → 60 % − 20 % = net 40.
    for grade in (7, 7, 6, 5, 2):
        services.submit_response(wave, service=licences, answers=answers_for(wave, grade))
    # Permits: two answers, under the wave's minimum of 3: n only.
    for grade in (7, 1):
        services.submit_response(wave, service=permits, answers=answers_for(wave, grade))
    return wave


def test_the_wave_page_shows_both_halves_of_the_net_score(client, answered, unit_head):
    client.force_login(unit_head)  # sees Licencias only

    page = client.get(reverse("surveys:wave", args=[answered.pk])).content.decode()

    assert "% insatisfechos" in page
    licences_row = page.split(">Licencias</th>")[1].split("</tr>")[0]
    assert "40,0" in licences_row
    assert "60,0 %" in licences_row
    assert "20,0 %" in licences_row


def test_the_figures_export_has_both_halves_and_hides_small_cells(
    client, answered, quality_manager
):
    client.force_login(quality_manager)

    answer = client.get(reverse("surveys:export_figures", args=[answered.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    xlsx = client.get(reverse("surveys:export_figures", args=[answered.pk, "xlsx"]))

    header = rows[0]
    assert header[6:8] == ["% satisfechos", "% insatisfechos"]
    by_cell = {(row[0], row[1]): dict(zip(header, row, strict=True)) for row in rows[1:]}
    licences = by_cell[("Por servicio", "Licencias")]
    assert (licences["n"], licences["Satisfacción neta"]) == ("5", "40.0")
    assert (licences["% satisfechos"], licences["% insatisfechos"]) == ("60.0", "20.0")
    permits = by_cell[("Por servicio", "Permisos")]
    assert permits["n"] == "2"
    assert permits["% satisfechos"] == permits["% insatisfechos"] == ""  # under the minimum
    total = by_cell[("Satisfacción general", "Satisfacción general")]
    # All seven: 4 satisfied, 2 dissatisfied.
    assert (total["% satisfechos"], total["% insatisfechos"]) == ("57.1", "28.6")
    assert xlsx.getvalue().startswith(b"PK")
    assert (
        client.get(reverse("surveys:export_figures", args=[answered.pk, "pdf"])).status_code == 404
    )


def test_the_figures_export_is_scoped(client, answered, unit_head, outsider):
    client.force_login(outsider)
    assert (
        client.get(reverse("surveys:export_figures", args=[answered.pk, "csv"])).status_code == 404
    )
    client.force_login(unit_head)

    text = client.get(reverse("surveys:export_figures", args=[answered.pk, "csv"])).content
    assert "Permisos" not in text.decode("utf-8-sig")
