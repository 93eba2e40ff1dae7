"""Fixtures shared by the public case form's tests."""

import pytest
from django.urls import reverse

from compromiso.catalog.tests.factories import ChannelFactory


@pytest.fixture
def web(organization):
    """The organisation's web channel: without one the form is a 404."""
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


@pytest.fixture
def url(organization, web):
    """The organisation's public case form."""
    return reverse("portal:case_new", args=[organization.slug])
