"""Details a person noticed walking through the attention pages: a per-day table headed by the
day, filters that say "All", styled choices, capitalised labels, the office page leading to
"Join the queue", dates written the way the reader's language writes them, and a list of
checkboxes labelled above its options."""

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from compromiso.attention.models import Contact, ContactKind, ContactOutcome, OpeningHours
from compromiso.attention.services import issue_ticket
from compromiso.attention.tests.test_directory import procedure
from compromiso.core.actors import PUBLIC

pytestmark = pytest.mark.django_db

SANTIAGO = ZoneInfo("America/Santiago")
MONDAY = dt.date(2026, 11, 2)  # not a Chilean holiday


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_the_per_day_table_of_contact_figures_is_headed_by_the_day(client, organization, officer):
    Contact.objects.create(
        organization=organization,
        kind=ContactKind.PHONE,
        outcome=ContactOutcome.RESOLVED,
        started_at=timezone.now(),
        wait_seconds=10,
    )
    client.force_login(officer)
    page = client.get(reverse("attention:contact_figures")).content.decode()
    by_channel = page.split('id="by-channel"')[1].split("</table>")[0]
    by_day = page.split('id="by-day"')[1].split("</table>")[0]
    assert '<th scope="col">Channel or line</th>' in by_channel
    assert '<th scope="col">Day</th>' in by_day
    assert "Channel or line" not in by_day


def test_the_channel_filter_of_the_contacts_log_offers_all(client, officer):
    client.force_login(officer)
    page = client.get(reverse("attention:contacts")).content.decode()
    channel = page.split('name="channel"')[1].split("</select>")[0]
    assert '<option value="" selected>All</option>' in channel


def test_the_branch_choices_of_a_procedure_are_styled_selects(
    client, organization, quality_manager, office, general_queue
):
    item = procedure(organization, "CERT", "Certificado")
    client.force_login(quality_manager)
    page = client.get(reverse("attention:procedure", args=[item.pk])).content.decode()
    assert f'<select name="branch_{office.pk}" class="form-select"' in page


def test_the_branch_settings_read_as_sentences(client, quality_manager, office):
    client.force_login(quality_manager)
    page = client.get(reverse("attention:branch", args=[office.pk])).content.decode()
    assert "No-show after this many calls" in page
    assert "Service level: served within (minutes)" in page
    assert "Has a desk for complaints and suggestions (OIRS)" in page
    assert "Visitors may join the queue from the web" in page


def _at(day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SANTIAGO)


def test_the_office_page_leads_to_join_the_queue_only_while_it_takes_web_visitors(
    client, organization, office, general_queue
):
    OpeningHours.objects.create(
        branch=office, weekday=0, opens_at=dt.time(8, 30), closes_at=dt.time(14)
    )
    url = reverse("portal:office", args=[organization.slug, office.code])
    join = reverse("portal:queue_join", args=[organization.slug, office.code])
    with mock.patch.object(timezone, "now", return_value=_at(MONDAY, 10)):
        open_page = client.get(url).content.decode()
        listing = client.get(reverse("portal:offices", args=[organization.slug])).content.decode()
    assert f'href="{join}"' in open_page
    assert f'href="{join}"' in listing
    with mock.patch.object(timezone, "now", return_value=_at(MONDAY, 20)):
        closed_page = client.get(url).content.decode()
    assert join not in closed_page
    office.accepts_web_queue = False
    office.save()
    with mock.patch.object(timezone, "now", return_value=_at(MONDAY, 10)):
        refusing = client.get(url).content.decode()
    assert join not in refusing


@pytest.mark.parametrize(
    ("language", "written"),
    [("es", "2 de noviembre de 2026"), ("ca", "novembre de 2026")],
)
def test_the_ticket_page_writes_the_day_in_the_reader_s_language(
    client, settings, general_queue, language, written
):
    visit = issue_ticket(general_queue, by=PUBLIC, at=_at(MONDAY, 10))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("portal:queue_ticket", args=[visit.code])).content.decode()
    assert written in page


class _Choices(forms.Form):
    days = forms.MultipleChoiceField(
        label="Days",
        choices=[("1", "Monday"), ("2", "Tuesday")],
        widget=forms.CheckboxSelectMultiple,
    )
    urgent = forms.BooleanField(label="Urgent", required=False)


def test_a_list_of_checkboxes_is_labelled_above_its_options():
    with translation.override("en"):
        html = render_to_string("core/_form.html", {"form": _Choices()})
    label = html.index('<label class="form-label"')
    assert label < html.index('value="1"')
    assert "Days" in html[label : html.index('value="1"')]
    # a single checkbox keeps its label after the box
    assert html.index('name="urgent"') < html.index('class="form-check-label" for="id_urgent"')


def test_reception_marks_one_visitor_as_gone_in_the_singular(
    client, settings, officer, office, general_queue
):
    issue_ticket(general_queue, by=PUBLIC)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.force_login(officer)
    page = client.get(reverse("attention:reception", args=[office.pk])).content.decode()
    assert ">Se fue<" in page
    assert "Se fueron" not in page
