"""The intake's reference data is kept per process until the organisation's stamp changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compromiso.cases.reference import intake_reference
from compromiso.catalog.models import Channel
from compromiso.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_saving_a_channel_gives_the_organisation_held_by_the_caller_its_new_stamp(organization):
    intake_reference(organization)
    before = organization.reference_stamp

    channel = Channel.objects.create(organization=organization, name="Ventanilla", kind="in_person")

    assert organization.reference_stamp != before
    assert Organization.objects.get(pk=organization.pk).reference_stamp == (
        organization.reference_stamp
    )
    assert "Ventanilla" in [c.name for c in intake_reference(organization).channels.values()]
    assert channel.pk in intake_reference(organization).channels


def test_a_channel_saved_without_its_organisation_loaded_does_not_read_it(organization):
    channel = Channel.objects.create(organization=organization, name="Web", kind="web")
    bare = Channel.objects.get(pk=channel.pk)  # organisation not loaded
    bare.name = "Web oficial"

    with CaptureQueriesContext(connection) as queries:
        bare.save()

    touched = [q["sql"] for q in queries if "organizations_organization" in q["sql"]]
    assert len(touched) == 1  # the new stamp, written; never a SELECT of the organisation
    assert touched[0].lstrip().upper().startswith("UPDATE")


def test_the_public_services_follow_every_change_to_a_service(organization):
    from compromiso.catalog.models import Audience
    from compromiso.catalog.tests.factories import ServiceFactory

    public = ServiceFactory(organization=organization, code="A1", name="Licencia de conducir")
    internal = ServiceFactory(organization=organization, code="B1", audience=Audience.INTERNAL)
    assert [s.pk for s in intake_reference(organization).public_services] == [public.pk]

    public.name = "Licencia de conducir clase B"
    public.save()
    internal.audience = Audience.EXTERNAL
    internal.save()
    organization.refresh_from_db()  # as the next request reads it

    listed = intake_reference(organization).public_services
    assert [s.pk for s in listed] == [public.pk, internal.pk]  # in the catalogue's order
    assert listed[0].name == "Licencia de conducir clase B"
    public.delete()
    organization.refresh_from_db()
    assert [s.pk for s in intake_reference(organization).public_services] == [internal.pk]
