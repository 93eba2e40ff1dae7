"""Typed requests for views behind login_required."""

from typing import Any

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class AuthenticatedHttpRequest(HttpRequest):
    user: Any  # the signed-in staff member (organizations.User)
    htmx: HtmxDetails
