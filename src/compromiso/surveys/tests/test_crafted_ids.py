"""The public kiosk page ignores a crafted touch-point id instead of failing."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("crafted", ["²", "1" * 23, "9" * 19, "0"])
def test_the_kiosk_page_ignores_a_crafted_touch_point(client, wave, crafted):
    client.raise_request_exception = False
    url = reverse("portal:survey_kiosk", args=[wave.token])

    response = client.get(f"{url}?point={crafted}")

    assert response.status_code == 200
