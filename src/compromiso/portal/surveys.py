"""Public survey pages: the answering page behind a wave's link (and its QR code), kiosk mode
for a tablet in a branch, and the thank-you page. No JavaScript needed; nothing is stored unless
every answer is valid."""

import io
from typing import Any

import segno
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from compromiso.catalog.models import TouchPoint
from compromiso.core.errors import DomainError
from compromiso.core.forms import add_service_error
from compromiso.core.ids import parse_id
from compromiso.core.ratelimit import allow, client_address
from compromiso.portal.survey_forms import SurveyForm
from compromiso.surveys import kiosks, services
from compromiso.surveys.models import Invitation, Kiosk, ResponseSource, Wave

ANSWERS_PER_HOUR = 60
KIOSK_IDLE_SECONDS = 60  # an unattended kiosk goes back to its empty start


def _wave(token: str) -> Wave:
    wave = get_object_or_404(
        Wave.objects.select_related("organization", "questionnaire"),
        token=token,
        organization__is_active=True,
    )
    timezone.activate(wave.organization.zone)
    return wave


def answer(request: HttpRequest, token: str) -> HttpResponse:
    return _answer(request, token, kiosk=False)


def kiosk(request: HttpRequest, token: str) -> HttpResponse:
    return _answer(request, token, kiosk=True)


def _answer(request: HttpRequest, token: str, *, kiosk: bool) -> HttpResponse:
    wave = _wave(token)
    context: dict[str, Any] = {"wave": wave, "kiosk": kiosk}
    if not services.is_accepting(wave):
        return render(request, "portal/survey_closed.html", context, status=410)
    invitation_token = request.POST.get("invitation") or request.GET.get("i", "")
    if services.needs_invitation(wave) and (kiosk or not invitation_token):
        # An internal-customer wave is answered only with a personal invitation.
        return render(request, "portal/survey_invitation_only.html", context, status=403)
    touch_point = None
    device = (
        kiosks.kiosk_for_key(request.COOKIES.get(kiosks.COOKIE), wave.organization_id)
        if kiosk
        else None
    )
    if device is not None:
        touch_point = device.touch_point  # an enrolled kiosk answers for its touch point
    elif kiosk:
        point = parse_id(request.GET.get("point", ""))
        if point is not None:
            touch_point = (
                TouchPoint.objects.filter(organization=wave.organization, pk=point)
                .select_related("channel")
                .first()
            )
    invitation = None
    if invitation_token and not kiosk:
        invitation = Invitation.objects.filter(wave=wave, token=invitation_token[:64]).first()
        if invitation is None:
            raise Http404
        if invitation.used_at is not None:
            return render(request, "portal/survey_used.html", context, status=410)
    form = SurveyForm(request.POST or None, wave=wave, kiosk=kiosk, invitation=invitation)
    if request.method == "POST":
        # An enrolled kiosk has its own, higher limit; the kiosk link on any other device is
        # limited like the public page, by the visitor's address.
        if device is not None:
            key, limit = f"survey-kiosk:{device.pk}", kiosks.ANSWERS_PER_HOUR
        else:
            key, limit = f"survey:{client_address(request.META)}", ANSWERS_PER_HOUR
        if not allow(key, limit=limit, window_seconds=3600):
            return render(request, "portal/too_many.html", status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_response(
                    wave,
                    service=data["service"],
                    answers=form.answers(),
                    source=ResponseSource.KIOSK if kiosk else ResponseSource.WEB,
                    channel=touch_point.channel if touch_point else data.get("channel"),
                    touch_point=touch_point or data.get("touch_point"),
                    user_type=data.get("user_type", ""),
                    age_band=data.get("age_band", ""),
                    contact_email="" if kiosk else data.get("contact_email", ""),
                    invitation=invitation,
                )
            except (ValidationError, DomainError) as error:
                add_service_error(form, error)
            else:
                if kiosk:
                    return redirect(_kiosk_start(wave, touch_point, device) + "thanks=1")
                return redirect("portal:survey_thanks", token=wave.token)
    context.update(
        {"form": form, "touch_point": touch_point, "thanks": kiosk and "thanks" in request.GET}
    )
    if kiosk:
        context["start"] = _kiosk_start(wave, touch_point, device)
        context["idle_seconds"] = KIOSK_IDLE_SECONDS
        return render(request, "portal/survey_kiosk.html", context)
    return render(request, "portal/survey.html", context)


def _kiosk_start(wave: Wave, touch_point: TouchPoint | None, device: Kiosk | None) -> str:
    """The kiosk page's empty start, ending in ? or & for more of the query."""
    url = reverse("portal:survey_kiosk", args=[wave.token])
    if touch_point is not None and device is None:
        return f"{url}?point={touch_point.pk}&"
    return f"{url}?"


def kiosk_home(request: HttpRequest) -> HttpResponse:
    """An enrolled kiosk's start: the open surveys of its organisation, to choose the one it
    shows (straight to it when there is one). Any other device is told how to enrol."""
    key = request.COOKIES.get(kiosks.COOKIE)
    device = (
        Kiosk.objects.active()
        .filter(key_hash=kiosks.key_hash(key))
        .select_related("organization", "touch_point")
        .first()
        if key and len(key) <= 100
        else None
    )
    if device is None:
        return render(request, "portal/kiosk_home.html", {"device": None})
    waves = [
        w
        for w in Wave.objects.filter(
            organization=device.organization, organization__is_active=True
        ).select_related("questionnaire")
        if services.is_accepting(w) and not services.needs_invitation(w)
    ]
    if len(waves) == 1:
        return redirect("portal:survey_kiosk", token=waves[0].token)
    return render(request, "portal/kiosk_home.html", {"device": device, "waves": waves})


def qr_code(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    """The public link as a QR code, to print on posters and counters (SVG or PNG)."""
    wave = _wave(token)
    if fmt not in ("svg", "png"):
        raise Http404
    link = request.build_absolute_uri(reverse("portal:survey", args=[wave.token]))
    buffer = io.BytesIO()
    code = segno.make(link, error="m")
    if fmt == "svg":
        code.save(buffer, kind="svg", scale=8, border=2, title=wave.questionnaire.display_title)
        content_type = "image/svg+xml"
    else:
        code.save(buffer, kind="png", scale=10, border=2)
        content_type = "image/png"
    response = HttpResponse(buffer.getvalue(), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="survey-{wave.pk}.{fmt}"'
    return response


def thanks(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "portal/survey_thanks.html", {"wave": _wave(token)})
