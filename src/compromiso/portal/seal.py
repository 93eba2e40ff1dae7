"""The public seal pages: an organisation's certificates (`/o/<slug>/seal/`), and the page where
anyone verifies a certificate by its number (`/seal/<number>/`, or through the look-up form at
`/seal/`): the organisation, the framework, the scope, the touch points and services, the
certification body, when it was issued, until when it is valid, the last review, and whether it
is valid, expired, suspended or withdrawn today.

Nothing internal is shown: no finding, rating, note, assessor or verification matrix. A
certificate not granted yet does not exist for the public. Failed look-ups (by the form or by
the address) are rate-limited per client, as the case tracking form is."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from compromiso.audits.models import Certificate, CertificateStatus, ReviewKind
from compromiso.audits.services.seal_certificates import is_number, normalise_number
from compromiso.core.forms import StyledFormMixin
from compromiso.core.ratelimit import allow, blocked, client_address
from compromiso.organizations.models import Organization

FAILED_LOOKUPS = 10
LOOKUP_WINDOW = 15 * 60


class LookupForm(StyledFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Certificate number"),
        max_length=40,
        help_text=_("As printed on the certificate or the seal, e.g. SNTC-2026-ABCD2345."),
    )

    def clean_number(self) -> str:
        number = normalise_number(self.cleaned_data["number"])
        if not is_number(number):
            raise forms.ValidationError(
                _("A certificate number has capital letters, digits and hyphens only.")
            )
        return number


def _granted() -> Any:
    return Certificate.objects.exclude(status=CertificateStatus.PENDING).filter(
        issued_on__isnull=False, organization__is_active=True
    )


def sealed_organization_ids(organizations: Iterable[Organization]) -> set[int]:
    """The organisations with a granted certificate that is not withdrawn (for links)."""
    return set(
        _granted()
        .filter(organization__in=list(organizations))
        .exclude(status=CertificateStatus.WITHDRAWN)
        .values_list("organization_id", flat=True)
    )


def _shown(certificate: Certificate, today: dt.date) -> dict[str, Any]:
    last = (
        certificate.reviews.filter(date__lte=today).order_by("-date", "-pk").first()
        if certificate.is_granted
        else None
    )
    return {
        "certificate": certificate,
        "state": certificate.public_state(today),
        "touch_points": [
            (p.name, p.unit.name)
            for p in certificate.touch_points.select_related("unit").order_by("unit__path", "name")
        ],
        "services": [s.name for s in certificate.services.order_by("name")],
        "last_review": (last.date, ReviewKind(last.kind).label) if last else None,
    }


def seal_page(request: HttpRequest, slug: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    today = organization.today()
    certificates = (
        _granted()
        .filter(organization=organization)
        .exclude(status=CertificateStatus.WITHDRAWN)
        .select_related("framework", "body")
        .order_by("-issued_on", "-pk")
    )
    return render(
        request,
        "portal/seal.html",
        {
            "organization": organization,
            "certificates": [_shown(c, today) for c in certificates],
            "form": LookupForm(),
        },
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/too_many.html", status=429)


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Look a certificate up by its number."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        failures = f"seal-fail:{client_address(request.META)}"
        if blocked(failures, limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW):
            return _too_many(request)
        number = form.cleaned_data["number"]
        if _granted().filter(number=number).exists():
            return redirect("portal:seal_verify", number=number)
        allow(failures, limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW)
        form.add_error("number", _("No certificate has this number."))
    return render(request, "portal/seal_lookup.html", {"form": form})


def verify(request: HttpRequest, number: str) -> HttpResponse:
    """What anyone may know of one certificate, by its number."""
    failures = f"seal-fail:{client_address(request.META)}"
    if blocked(failures, limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW):
        return _too_many(request)
    wanted = normalise_number(number)
    certificate = (
        _granted().filter(number=wanted).select_related("organization", "framework", "body").first()
        if is_number(wanted)
        else None
    )
    if certificate is None:
        allow(failures, limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW)
        raise Http404("No certificate has this number.")
    if wanted != number:
        return redirect("portal:seal_verify", number=wanted)
    organization = certificate.organization
    timezone.activate(organization.zone)
    return render(
        request,
        "portal/seal_verify.html",
        {"organization": organization, **_shown(certificate, organization.today())},
    )
