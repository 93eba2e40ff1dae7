"""A citizen and a branch queue: the branch's kiosk (a touch screen known by the branch's secret
display key), joining the queue from the web while the office is open, and the ticket's own page
(followed by its random code): where it stands, "I am leaving", and once served the post-visit
survey and the link to complain about the visit. Works without JavaScript; with it, the ticket's
page refreshes its figures and the kiosk returns to its start by itself."""

import datetime as dt
import uuid
from typing import Any

import segno
from django import forms
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from compromiso.attention.models import OPEN_VISIT_STATES, Branch, Visit, VisitSource, VisitState
from compromiso.attention.services import public
from compromiso.core.errors import DomainError
from compromiso.core.forms import StyledFormMixin
from compromiso.core.ratelimit import allow, blocked, client_address
from compromiso.portal.offices import hours_by_day

KIOSK_TICKETS_PER_HOUR = 600  # one kiosk, a busy branch: ten a minute
KIOSK_RETURN_SECONDS = 20  # the ticket stays on screen this long
KIOSK_TICKET_SHOWN_MINUTES = 5  # a kiosk shows a ticket it issued only this long afterwards
JOINS_PER_HOUR = 10  # per visitor's address
FAILED_LOOKUPS_PER_15_MINUTES = 30
LOOKUP_WINDOW = 15 * 60
REFRESH_SECONDS = 15
JOINS_SESSION_KEY = "compromiso_queue_joins"


def _language() -> str:
    return (translation.get_language() or "")[:8]


def _qr_svg(request: HttpRequest, visit: Visit) -> SafeString:
    link = request.build_absolute_uri(reverse("portal:queue_ticket", args=[visit.code]))
    svg = segno.make(link, error="m").svg_inline(scale=5, border=2, omitsize=True)
    return format_html(
        '<div class="queue-qr" role="img" aria-label="{}">{}</div>',
        _("QR code to follow your ticket on your phone"),
        SafeString(svg),
    )


# -- kiosk --------------------------------------------------------------------------------------


def _kiosk_branch(display_key: str) -> Branch:
    branch = public.kiosk_branch(display_key)
    if branch is None:
        raise Http404
    timezone.activate(branch.organization.zone)
    return branch


@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, display_key: str) -> HttpResponse:
    """The kiosk: choose the procedure, then a priority, and the ticket is issued. Outside the
    branch's opening hours it says the office is closed and issues nothing."""
    branch = _kiosk_branch(display_key)
    start = reverse("portal:queue_kiosk", args=[display_key])
    context: dict[str, Any] = {
        "branch": branch,
        "start": start,
        "return_seconds": KIOSK_RETURN_SECONDS * 3,
    }
    if not public.is_open(branch):
        context["closed"] = _("This office is closed now. Come back during its opening hours.")
        context["hours"] = hours_by_day(list(branch.hours.all()))
        status = 400 if request.method == "POST" else 200
        return render(request, "portal/attention/kiosk.html", context, status=status)
    groups = public.choices(branch)
    context["groups"] = groups
    source = request.POST if request.method == "POST" else request.GET
    picked = source.get("choice")
    if picked is None:
        return render(request, "portal/attention/kiosk.html", context)
    choice = public.find_choice(branch, picked)
    if choice is None:
        context["error"] = _("Choose one of the procedures offered.")
        return render(request, "portal/attention/kiosk.html", context, status=400)
    context["choice"] = choice
    context["priorities"] = public.priority_choices()
    if request.method == "GET":
        return render(request, "portal/attention/kiosk_priority.html", context)
    if not allow(f"queue-kiosk:{branch.pk}", limit=KIOSK_TICKETS_PER_HOUR, window_seconds=3600):
        return render(request, "portal/too_many.html", status=429)
    priority = request.POST.get("priority", "")
    if priority not in dict(public.priority_choices()):
        context["error"] = _("Choose one of the priorities offered.")
        return render(request, "portal/attention/kiosk_priority.html", context, status=400)
    try:
        visit = public.take_ticket(
            branch,
            choice,
            source=VisitSource.KIOSK,
            priority_group=priority,
            language=_language(),
        )
    except DomainError as error:
        context["error"] = error.message
        return render(request, "portal/attention/kiosk_priority.html", context, status=400)
    return redirect("portal:queue_kiosk_ticket", display_key=display_key, code=visit.code)


def kiosk_ticket(request: HttpRequest, display_key: str, code: str) -> HttpResponse:
    """The ticket just issued, big on screen, printable, with its QR code; back to the start
    after a while."""
    branch = _kiosk_branch(display_key)
    visit = public.visit_by_code(code)
    recent = timezone.now() - dt.timedelta(minutes=KIOSK_TICKET_SHOWN_MINUTES)
    if visit is None or visit.branch_id != branch.pk or visit.arrived_at < recent:
        raise Http404
    return render(
        request,
        "portal/attention/kiosk_ticket.html",
        {
            "branch": branch,
            "visit": visit,
            "status": public.ticket_status(visit),
            "qr": _qr_svg(request, visit),
            "start": reverse("portal:queue_kiosk", args=[display_key]),
            "return_seconds": KIOSK_RETURN_SECONDS,
        },
    )


# -- join from the web --------------------------------------------------------------------------


class JoinForm(StyledFormMixin, forms.Form):
    choice = forms.ChoiceField(label=_("What do you come for?"), widget=forms.RadioSelect)
    phone = forms.CharField(
        label=_("Phone to be told when your turn comes (optional)"),
        max_length=40,
        required=False,
    )
    email = forms.EmailField(
        label=_("Or an e-mail address (optional)"), max_length=254, required=False
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, branch: Branch, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("submission_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.groups = public.choices(branch)
        fields: Any = self.fields
        fields["choice"].choices = [
            (group.heading, [(c.key, c.label) for c in group.choices]) for group in self.groups
        ]
        fields["website"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off", "class": "form-control"}
        )
        fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        fields["email"].widget.attrs.update({"autocomplete": "email"})

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone", "")).strip()
        allowed = set("0123456789+ -().")
        if phone and (set(phone) - allowed or sum(c.isdigit() for c in phone) < 6):
            raise forms.ValidationError(_("Write a phone number with digits only."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(_("Your request could not be sent."), code="spam")
        return data


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """Join a branch's queue from the web: only while it is open and takes web visitors."""
    branch = public.public_branch(slug, code)
    if branch is None:
        raise Http404
    timezone.activate(branch.organization.zone)
    context: dict[str, Any] = {"branch": branch, "organization": branch.organization}
    if not branch.accepts_web_queue:
        context["refusal"] = _("This office does not take visitors from the web.")
        return render(request, "portal/attention/join_closed.html", context)
    if not public.is_open(branch):
        context["refusal"] = _("This office is closed now. Come back during its opening hours.")
        return render(request, "portal/attention/join_closed.html", context)
    form = JoinForm(request.POST or None, branch=branch)
    context["form"] = form
    if request.method == "POST":
        if not allow(
            f"queue-join:{client_address(request.META)}",
            limit=JOINS_PER_HOUR,
            window_seconds=3600,
        ):
            return render(request, "portal/too_many.html", status=429)
        joins: dict[str, str] = request.session.get(JOINS_SESSION_KEY, {})
        sent_id = str(request.POST.get("submission_id", ""))[:40]
        if sent_id in joins:  # the same form sent twice: the first ticket
            return redirect("portal:queue_ticket", code=joins[sent_id])
        if form.is_valid():
            data = form.cleaned_data
            choice = public.find_choice(branch, data["choice"])
            if choice is None:
                form.add_error("choice", _("Choose one of the procedures offered."))
            else:
                try:
                    visit = public.take_ticket(
                        branch,
                        choice,
                        source=VisitSource.WEB,
                        language=_language(),
                        phone=data["phone"],
                        email=data["email"],
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    joins = dict(list(joins.items())[-9:])
                    joins[str(data["submission_id"])] = visit.code
                    request.session[JOINS_SESSION_KEY] = joins
                    return redirect("portal:queue_ticket", code=visit.code)
    return render(request, "portal/attention/join.html", context)


# -- the ticket's page --------------------------------------------------------------------------


def _visit(request: HttpRequest, code: str) -> Visit:
    failures = f"queue-ticket-fail:{client_address(request.META)}"
    if blocked(failures, limit=FAILED_LOOKUPS_PER_15_MINUTES, window_seconds=LOOKUP_WINDOW):
        raise Http404
    visit = public.visit_by_code(code)
    if visit is None:
        allow(failures, limit=FAILED_LOOKUPS_PER_15_MINUTES, window_seconds=LOOKUP_WINDOW)
        raise Http404
    timezone.activate(visit.organization.zone)
    return visit


def ticket(request: HttpRequest, code: str) -> HttpResponse:
    """The ticket as its holder follows it: no personal data, only where it stands."""
    visit = _visit(request, code)
    from compromiso.attention import links

    finished = visit.state not in OPEN_VISIT_STATES
    invitation = links.survey_of(visit) if finished else None
    return render(
        request,
        "portal/attention/ticket.html",
        {
            "visit": visit,
            "branch": visit.branch,
            "status": public.ticket_status(visit),
            "refresh_seconds": REFRESH_SECONDS,
            "finished": finished,
            "can_leave": visit.state in (VisitState.WAITING, VisitState.CALLED),
            "survey_offered": finished and public.survey_offered(visit),
            "survey_answered": invitation is not None and invitation.used_at is not None,
            "complaint_url": (
                reverse("portal:case_new", args=[visit.organization.slug]) + f"?visit={visit.code}"
            ),
        },
    )


def ticket_status(request: HttpRequest, code: str) -> JsonResponse:
    """The ticket's figures for its page to refresh itself (JSON)."""
    visit = _visit(request, code)
    response = JsonResponse(public.ticket_status(visit).as_json())
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def ticket_leave(request: HttpRequest, code: str) -> HttpResponse:
    """ "I am leaving": asked to confirm, then the ticket leaves the queue."""
    visit = _visit(request, code)
    error = ""
    if request.method == "POST":
        try:
            public.leave_queue(visit)
        except DomainError as refused:
            error = refused.message
        else:
            return redirect("portal:queue_ticket", code=visit.code)
    can_leave = visit.state in (VisitState.WAITING, VisitState.CALLED)
    return render(
        request,
        "portal/attention/ticket_leave.html",
        {"visit": visit, "branch": visit.branch, "can_leave": can_leave, "error": error},
        status=400 if error else 200,
    )


@require_POST
def ticket_survey(request: HttpRequest, code: str) -> HttpResponse:
    """The post-visit survey: the visit's personal invitation (made once), then its page."""
    visit = _visit(request, code)
    invitation = public.invite_to_survey(visit)
    if invitation is None:
        return redirect("portal:queue_ticket", code=visit.code)
    url = reverse("portal:survey", args=[invitation.wave.token])
    return redirect(f"{url}?i={invitation.token}")
