"""A form that failed validation opens with an error summary: one shared include, focused on
load, each error a link to its field. Checked on a public form and on a staff form."""

import re
import uuid

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db


def _summary(html):
    match = re.search(r"<div [^>]*data-error-summary[^>]*>.*?</div>", html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def test_the_public_case_form_with_errors_opens_on_a_summary_linking_each_field(
    citizen, organization
):
    ChannelFactory(organization=organization, kind="web", name="Sitio web")
    url = reverse("portal:case_new", args=[organization.slug])

    response = citizen.post(
        url,
        {
            "kind": "complaint",
            "subject": "",
            "description": "",
            "requester_name": "Ana",
            "requester_email": "not-an-email",
            "reply_channel": "email",
            "submission_id": str(uuid.uuid4()),
            "website": "",
        },
    )

    summary = _summary(response.content.decode())
    assert 'tabindex="-1"' in summary
    assert "autofocus" in summary
    assert 'role="alert"' in summary
    for field in ("subject", "description", "requester_email"):
        assert f'href="#id_{field}"' in summary
    assert html_position(response, "data-error-summary") < html_position(
        response, 'id="id_subject"'
    )


def html_position(response, needle):
    return response.content.decode().index(needle)


def test_a_staff_form_with_errors_opens_on_the_summary(client, quality_manager):
    client.force_login(quality_manager)

    response = client.post(reverse("catalog:service_create"), {"code": "", "name": ""})

    summary = _summary(response.content.decode())
    assert 'href="#id_code"' in summary
    assert 'href="#id_name"' in summary


def test_non_field_errors_are_in_the_summary_and_valid_pages_have_none(client, quality_manager):
    response = client.post(reverse("login"), {"username": "quality", "password": "wrong password"})

    summary = _summary(response.content.decode())
    assert "<li>" in summary
    assert "data-error-summary" not in client.get(reverse("login")).content.decode()
