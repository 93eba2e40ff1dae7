"""Survey months are the organisation's months: an answer given at 00:30 in Madrid on the first
of April counts in April, whatever the server's own time zone."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compromiso.surveys import imports, services
from compromiso.surveys.models import Response, ScoreCount
from compromiso.surveys.tests.conftest import answers_for

pytestmark = pytest.mark.django_db

UTC = dt.UTC

# (organisation's zone, server's zone, the moment in UTC, its month where the organisation is)
NEAR_MIDNIGHT = [
    # 01:30 in Madrid on 1 April (summer time began on 29 March); still 31 March in Santiago.
    ("Europe/Madrid", "America/Santiago", dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC), 4),
    # 22:00 in Santiago on 30 April (winter time since 5 April); already May in Madrid.
    ("America/Santiago", "Europe/Madrid", dt.datetime(2026, 5, 1, 2, 0, tzinfo=UTC), 4),
]


def _in_zone(organization, settings, organization_zone, server_zone):
    settings.TIME_ZONE = server_zone
    organization.time_zone = organization_zone
    organization.save(update_fields=["time_zone"])


def _months(wave):
    return set(ScoreCount.objects.filter(wave=wave).values_list("month", flat=True))


@pytest.mark.parametrize(("zone", "server", "moment", "month"), NEAR_MIDNIGHT)
def test_an_answer_counts_in_the_organisations_month(
    settings, organization, wave, licences, zone, server, moment, month
):
    _in_zone(organization, settings, zone, server)

    services.submit_response(
        wave, service=licences, answers=answers_for(wave, 7), submitted_at=moment
    )

    assert _months(wave) == {dt.date(2026, month, 1)}
    services.rebuild_counts(wave)
    assert _months(wave) == {dt.date(2026, month, 1)}


@pytest.mark.parametrize(("zone", "server", "moment", "month"), NEAR_MIDNIGHT)
def test_an_imported_answer_counts_in_the_organisations_month(
    settings, organization, wave, licences, quality_manager, zone, server, moment, month
):
    _in_zone(organization, settings, zone, server)
    text = f"servicio;fecha;q1;q2;q3\n{licences.code};{moment.isoformat()};7;6;sí\n"
    upload = SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")
    job = imports.start_import(wave, upload, by=quality_manager)
    job.mapping = imports.guess_mapping(job)
    job.save()

    assert imports.run_import(job).imported == 1

    assert Response.objects.get().submitted_at == moment
    assert _months(wave) == {dt.date(2026, month, 1)}


def test_a_file_time_without_an_offset_is_the_organisations_local_time(
    settings, organization, wave, licences, quality_manager
):
    _in_zone(organization, settings, "Europe/Madrid", "America/Santiago")
    text = f"servicio;fecha;q1;q2;q3\n{licences.code};2026-04-01 00:30;7;6;sí\n"
    upload = SimpleUploadedFile("r.csv", text.encode(), content_type="text/csv")
    job = imports.start_import(wave, upload, by=quality_manager)
    job.mapping = imports.guess_mapping(job)
    job.save()

    imports.run_import(job)

    assert Response.objects.get().submitted_at == dt.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    assert _months(wave) == {dt.date(2026, 4, 1)}


@pytest.mark.parametrize(("zone", "status"), [("Europe/Madrid", 410), ("America/Santiago", 200)])
def test_a_survey_link_closes_at_the_organisations_midnight(
    client, settings, organization, wave, zone, status
):
    """The wave's last day is 2 March; at 23:30 UTC it is already 3 March in Madrid."""
    _in_zone(organization, settings, zone, "America/Santiago")
    wave.closes_on = dt.date(2026, 3, 2)
    wave.save(update_fields=["closes_on"])

    with time_machine.travel(dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC), tick=False):
        response = client.get(reverse("portal:survey", args=[wave.token]))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("zone", "server", "reminded"),
    [
        ("Europe/Madrid", "America/Santiago", 0),  # 00:30 on 4 March in Madrid: closed
        ("America/Santiago", "Europe/Madrid", 1),  # 20:30 on 3 March in Santiago: last day
    ],
)
def test_a_reminder_goes_only_while_the_wave_is_open_where_its_organisation_is(
    settings, organization, wave, licences, quality_manager, zone, server, reminded
):
    from compromiso.surveys.models import Invitation

    _in_zone(organization, settings, zone, server)
    wave.closes_on = dt.date(2026, 3, 3)
    wave.save(update_fields=["closes_on"])
    with time_machine.travel(dt.datetime(2026, 2, 20, 12, 0, tzinfo=UTC), tick=False):
        services.invite(wave, by=quality_manager, service=licences, emails=["ana@example.org"])
    Invitation.objects.update(sent_at=dt.datetime(2026, 2, 20, 12, 0, tzinfo=UTC))

    with time_machine.travel(dt.datetime(2026, 3, 3, 23, 30, tzinfo=UTC), tick=False):
        assert services.remind_invitations() == reminded
