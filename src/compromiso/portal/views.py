"""Public pages. No models here: portal reads and writes through the domain apps' services."""

import hashlib
import json
import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from compromiso.attention import links as visit_links
from compromiso.attention.models import Visit
from compromiso.cases import services as case_services
from compromiso.cases.models import Attachment, Case, HandlingRating, Status
from compromiso.cases.reference import IntakeReference, intake_reference
from compromiso.catalog.models import Audience, Channel, ChannelKind
from compromiso.core.actors import PUBLIC
from compromiso.core.forms import add_service_error
from compromiso.core.ratelimit import allow, blocked, client_address
from compromiso.organizations.models import Organization
from compromiso.organizations.services import active_organization
from compromiso.portal.forms import (
    PublicCaseForm,
    RatingForm,
    RequesterMessageForm,
    TrackForm,
    VerdictForm,
)
from compromiso.portal.offices import touch_point_from
from compromiso.portal.seal import sealed_organization_ids
from compromiso.servicemodel.models import ModelStatus, ServiceModel
from compromiso.surveys import services as survey_services
from compromiso.surveys.models import Wave, WaveStatus

SUBMISSIONS_PER_HOUR = 20
FAILED_LOOKUPS_PER_15_MINUTES = 10
LOOKUP_WINDOW = 15 * 60


def home(request: HttpRequest) -> HttpResponse:
    """The public front page: the organisations of this network, each with its open surveys
    (the public ones: an internal-customer wave is answered only by invitation)."""
    organizations = list(
        Organization.objects.filter(is_active=True).only("name", "slug", "country")
    )
    surveys: dict[int, list[Wave]] = {}
    for wave in (
        Wave.objects.filter(
            organization__in=organizations,
            status=WaveStatus.OPEN,
            audience=Audience.EXTERNAL,
        )
        .select_related("questionnaire")
        .order_by("closes_on", "pk")
    ):
        if survey_services.is_accepting(wave):
            surveys.setdefault(wave.organization_id, []).append(wave)
    listed = [(o, surveys.get(o.pk, [])) for o in organizations]
    promising = set(
        ServiceModel.objects.filter(
            organization__in=organizations, status=ModelStatus.PUBLISHED
        ).values_list("organization_id", flat=True)
    )
    return render(
        request,
        "portal/home.html",
        {
            "organizations": listed,
            "promising": promising,
            "sealed": sealed_organization_ids(organizations),
        },
    )


@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, slug: str) -> HttpResponse:
    """The public form for complaints, suggestions, inquiries, compliments and information
    requests. Works without JavaScript; acknowledges only after the case is committed."""
    organization = active_organization(slug)
    if organization is None:
        raise Http404("No such organisation.")
    timezone.activate(organization.zone)
    # The organisation was read in this request: its reference data (channels, public services,
    # deadlines) are current, and kept in the process while they do not change.
    reference = intake_reference(organization)
    web = _web_channel(reference)
    if web is None:
        raise Http404("This organisation takes no requests on the web.")
    if request.method != "POST" and _is_plain_visitor(request):
        return _blank_page(request, organization, reference)
    # A complaint about a visit to a branch (the ticket's page links here with ?visit=<code>).
    visit = visit_links.visit_for_complaint(organization, request.GET.get("visit"))
    initial: dict[str, object] = {}
    if visit is not None and visit.service_id is not None:
        initial["service"] = next(
            (s for s in reference.public_services if s.pk == visit.service_id), None
        )
    if visit is not None:
        initial["kind"] = "complaint"
    # Nothing of this visitor's on the page but the token and the submission id (the form adds
    # the id to `initial`, so this is decided before).
    blank = not initial and request.method != "POST"
    form = PublicCaseForm(
        request.POST or None,
        request.FILES or None,
        services=reference.public_services,
        initial=initial,
    )
    if request.method == "POST":
        if not allow(
            f"case-intake:{client_address(request.META)}",
            limit=SUBMISSIONS_PER_HOUR,
            window_seconds=3600,
        ):
            return render(request, "portal/too_many.html", status=429)
        if form.is_valid():
            received = _submit(request, organization, web, form, visit=visit, reference=reference)
            if received is not None:
                case, secret = received
                if visit is not None:
                    visit_links.link_case(visit, case, by=PUBLIC)
                response = redirect("portal:case_received", slug=organization.slug)
                if secret is not None:  # a form sent twice: the first answer gave the receipt
                    _give_receipt(response, organization, case, secret)
                return response
    return render(
        request,
        "portal/case_form.html",
        {
            "organization": organization,
            "form": form,
            "visit": visit,
            "case_fields": _case_fields(form, organization, blank=blank and not form.is_bound),
        },
    )


def _is_plain_visitor(request: HttpRequest) -> bool:
    """A visitor the blank page is the same for: not logged in, nothing in the query string
    (a visit's complaint, a language), no flash message waiting."""
    return (
        not request.GET
        and not request.user.is_authenticated
        and not len(get_messages(request))  # counted, not read: they stay for the next page
    )


# The blank form page as rendered for a plain visitor, per (organisation, language): what it
# was rendered from (the reference stamp and the organisation's name) and its HTML, with
# stand-ins where each request puts its own CSRF token, CSP nonce and one-time submission id.
_blank_pages: dict[tuple[int, str], tuple[tuple[str, str], str]] = {}
_STAND_IN = secrets.token_hex(12)  # letters and digits only: HTML and JSON escaping keep them
TOKEN_STAND_IN, NONCE_STAND_IN, SUBMISSION_STAND_IN = (f"{_STAND_IN}{c}" for c in "tns")


def _blank_page(
    request: HttpRequest, organization: Organization, reference: IntakeReference
) -> HttpResponse:
    """The blank form page: rendered once per organisation and language (the template, its
    fourteen widgets and the layout were most of the page's cost), then for each visitor the
    same HTML with this request's CSRF token (the cookie set as `{% csrf_token %}` sets it),
    CSP nonce (in the policy header as a rendered nonce is) and a fresh submission id."""
    key = (organization.pk, get_language() or "")
    source = (organization.reference_stamp, organization.name)
    kept = _blank_pages.get(key)
    if kept is None or kept[0] != source:
        form = PublicCaseForm(
            services=reference.public_services, initial={"submission_id": SUBMISSION_STAND_IN}
        )
        page = render_to_string(
            "portal/case_form.html",
            {
                "organization": organization,
                "form": form,
                "visit": None,
                "case_fields": _case_fields(form, organization, blank=True),
                "csrf_token": TOKEN_STAND_IN,
                "csp_nonce": NONCE_STAND_IN,
            },
            request=request,
        )
        kept = _blank_pages[key] = (source, page)
    nonce = get_nonce(request)
    html = (
        kept[1]
        .replace(TOKEN_STAND_IN, get_token(request))
        .replace(NONCE_STAND_IN, str(nonce) if nonce is not None else "")
        .replace(SUBMISSION_STAND_IN, str(uuid.uuid4()))
    )
    return HttpResponse(html)


def _web_channel(reference: IntakeReference) -> Channel | None:
    """The organisation's active web channel (the first by name, as the catalogue orders them)."""
    web = [c for c in reference.channels.values() if c.kind == ChannelKind.WEB and c.is_active]
    return min(web, key=lambda c: (c.name, c.pk), default=None)


# The blank form's fields as rendered, per (organisation, language): (its reference stamp, HTML).
# They hold no token, no submission id and nothing typed; a new stamp (a service or a channel
# saved) renders them again.
_blank_fields: dict[tuple[int, str], tuple[str, SafeString]] = {}


def _case_fields(form: PublicCaseForm, organization: Organization, *, blank: bool) -> SafeString:
    """The form's fields: rendered once per organisation and language while the form is blank
    (rendering its fourteen widgets was most of the page's cost), for every request otherwise
    (what was typed, errors, a visit's service)."""
    if not blank:
        return render_to_string("portal/_case_fields.html", {"form": form})
    key = (organization.pk, get_language() or "")
    kept = _blank_fields.get(key)
    if kept is not None and kept[0] == organization.reference_stamp:
        return kept[1]
    fields = render_to_string("portal/_case_fields.html", {"form": form})
    _blank_fields[key] = (organization.reference_stamp, fields)
    return fields


def _submit(
    request: HttpRequest,
    organization: Organization,
    web: Channel,
    form: PublicCaseForm,
    *,
    visit: Visit | None = None,
    reference: IntakeReference | None = None,
) -> tuple[Case, str | None] | None:
    """The case and its secret; for a form sent again, the first case and no secret; None when
    the services refused it (the errors are on the form)."""
    data = form.cleaned_data
    key = f"web:{data['submission_id']}"
    fields = {
        k: v
        for k, v in data.items()
        if k not in ("website", "submission_id", "service", "attachments")
    }
    body_hash = hashlib.sha256(
        json.dumps(
            {**fields, "service": getattr(data["service"], "pk", None)}, sort_keys=True, default=str
        ).encode()
    ).hexdigest()
    # About a visit: the branch's channel and touch point, where it happened. Otherwise the
    # office the form was opened from (offices page), filed through the web.
    point = visit.branch.touch_point if visit is not None else None
    try:
        # The submission id is claimed in the case's own transaction, as the API's key is: the
        # same form sent again (even at the same moment) gets the first case back.
        case, secret = case_services.receive_case(
            organization=organization,
            channel=point.channel if point is not None else web,
            touch_point=point or touch_point_from(request, organization),
            service=data["service"],
            by=PUBLIC,
            uploads=data["attachments"],
            intake_key=key,
            body_hash=body_hash,
            reference=reference,
            **fields,
        )
    except case_services.AlreadyReceived as double:
        return double.case, None
    except (ValidationError, case_services.CaseError) as error:
        add_service_error(form, error)
        return None
    return case, secret


# The acknowledgement's tracking code and secret travel to its page in a signed cookie that only
# that page's path receives: no session to write, never in a URL (history, logs, referrers), and
# shown only to the browser that sent the form, for RECEIPT_MAX_AGE seconds.
RECEIPT_COOKIE = "compromiso_receipt"
RECEIPT_SALT = "compromiso.portal.case_received"
RECEIPT_MAX_AGE = 30 * 60


def _give_receipt(
    response: HttpResponse, organization: Organization, case: Case, secret: str
) -> None:
    response.set_signed_cookie(
        RECEIPT_COOKIE,
        f"{case.tracking_code}:{secret}",
        salt=RECEIPT_SALT,
        max_age=RECEIPT_MAX_AGE,
        path=reverse("portal:case_received", args=[organization.slug]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _receipt(request: HttpRequest) -> tuple[str, str] | None:
    """(tracking code, secret) from a receipt this server signed less than RECEIPT_MAX_AGE ago;
    None for none, a forged or altered one, or an expired one."""
    value = request.get_signed_cookie(
        RECEIPT_COOKIE, default=None, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE
    )
    if value is None or value.count(":") != 1:
        return None
    code, secret = value.split(":")
    return code, secret


def case_received(request: HttpRequest, slug: str) -> HttpResponse:
    """The acknowledgement: tracking code and secret, shown after the case is saved to the
    browser that sent it."""
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    receipt = _receipt(request)
    if receipt is None:
        return redirect("portal:track")
    code, secret = receipt
    case = Case.objects.filter(organization=organization, tracking_code=code).first()
    if case is None or not case_services.verify_secret(case, secret):
        raise Http404
    response = render(
        request,
        "portal/case_received.html",
        {"organization": organization, "case": case, "secret": secret},
    )
    patch_cache_control(response, private=True, no_store=True)  # it shows the secret
    return response


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Follow a case with its tracking code and secret. Failed look-ups are rate-limited."""
    form = TrackForm(request.POST or None)
    case = None
    if request.method == "POST" and form.is_valid():
        failures = f"track-fail:{client_address(request.META)}"
        if blocked(failures, limit=FAILED_LOOKUPS_PER_15_MINUTES, window_seconds=LOOKUP_WINDOW):
            return render(request, "portal/too_many.html", status=429)
        found = (
            Case.objects.filter(tracking_code=form.cleaned_data["code"].strip().upper())
            .select_related("organization", "service")
            .first()
        )
        if found is not None and case_services.verify_secret(found, form.cleaned_data["secret"]):
            case = found
            _remember_tracked(request, case)
        else:
            # The same message whether the code or the secret is wrong: nothing leaks.
            allow(failures, limit=FAILED_LOOKUPS_PER_15_MINUTES, window_seconds=LOOKUP_WINDOW)
            form.add_error(None, _("No case matches this code and secret."))
    if case is None:
        return render(request, "portal/track.html", {"form": form}, status=200)
    return redirect("portal:tracked", code=case.tracking_code)


TRACKED_SESSION_KEY = "compromiso_tracked_cases"


def _remember_tracked(request: HttpRequest, case: Case) -> None:
    """After code and secret matched, this browser may follow and answer the case."""
    tracked = [pk for pk in request.session.get(TRACKED_SESSION_KEY, []) if pk != case.pk]
    request.session[TRACKED_SESSION_KEY] = [*tracked[-19:], case.pk]


def _tracked_case(request: HttpRequest, code: str) -> Case:
    case = (
        Case.objects.filter(tracking_code=code.upper())
        .select_related("organization", "service")
        .first()
    )
    if case is None or case.pk not in request.session.get(TRACKED_SESSION_KEY, []):
        raise Http404
    timezone.activate(case.organization.zone)
    return case


@require_http_methods(["GET", "POST"])
def tracked(request: HttpRequest, code: str) -> HttpResponse:
    """The case as its requester sees it: state, public replies, the answer and the recourse;
    accept or reject the answer; write again (with files) while the case is open."""
    case = _tracked_case(request, code)
    verdict_form = VerdictForm(prefix="verdict")
    message_form = RequesterMessageForm(prefix="message")
    if request.method == "POST":
        try:
            if "verdict-accepted" in request.POST:
                verdict_form = VerdictForm(request.POST, prefix="verdict")
                if verdict_form.is_valid():
                    case_services.record_verdict(case, **verdict_form.cleaned_data)
                    messages.success(request, _("Thank you: your reply was recorded."))
                    return redirect("portal:tracked", code=case.tracking_code)
            else:
                message_form = RequesterMessageForm(request.POST, request.FILES, prefix="message")
                if message_form.is_valid():
                    case_services.add_requester_message(
                        case,
                        text=message_form.cleaned_data["text"],
                        uploads=message_form.cleaned_data["attachments"],
                    )
                    messages.success(request, _("Your message was added to the case."))
                    return redirect("portal:tracked", code=case.tracking_code)
        except (ValidationError, case_services.CaseError) as error:
            target = verdict_form if "verdict-accepted" in request.POST else message_form
            add_service_error(target, error)
    events = case.events.filter(is_public=True).order_by("at", "pk")
    attachments = case.attachments.filter(is_public=True).exclude(file="")
    return render(
        request,
        "portal/track_result.html",
        {
            "case": case,
            "events": events,
            "attachments": attachments,
            "verdict_form": verdict_form,
            "message_form": message_form,
            "can_give_verdict": case.status == Status.ANSWERED and not case.verdict,
            "can_write": case.is_open or case.status == Status.ANSWERED,
            "rating_token": case_services.rating_token(case)
            if case.answered_at and not HandlingRating.objects.filter(case=case).exists()
            else None,
        },
    )


def tracked_attachment(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A file of the case, for the requester who unlocked it with code and secret."""
    case = _tracked_case(request, code)
    attachment = get_object_or_404(case.attachments.exclude(file=""), pk=pk, is_public=True)
    return _file_response(attachment)


def _file_response(attachment: Attachment) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The short survey on how a case was handled: no login, a signed link from the answer."""
    case = case_services.case_for_rating_token(token)
    if case is None or case.organization.slug != slug:
        raise Http404
    timezone.activate(case.organization.zone)
    form = RatingForm(request.POST or None)
    done = HandlingRating.objects.filter(case=case).exists()
    if request.method == "POST" and not done and form.is_valid():
        try:
            case_services.rate_handling(case, **form.cleaned_data)
        except (ValidationError, case_services.CaseError) as error:
            add_service_error(form, error)
        else:
            done = True
    return render(
        request,
        "portal/rate.html",
        {"case": case, "form": form, "done": done, "organization": case.organization},
    )


def you_said_we_did(request: HttpRequest, slug: str) -> HttpResponse:
    """Improvements made because of what users said, published once their effect was checked:
    what people raised (counts, never personal data), what changed, and the effect measured."""
    from compromiso.improvement.models import ActionStatus, ImprovementAction
    from compromiso.improvement.services import effect

    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    actions = (
        ImprovementAction.objects.filter(
            organization=organization,
            is_public=True,
            status__in=[ActionStatus.EFFECTIVE, ActionStatus.CLOSED],
        )
        .exclude(public_summary="")
        .prefetch_related(
            "origins__root_cause",
            "origins__category",
            "origins__commitment",
            "origins__question__questionnaire",
            "services",
        )
        .order_by("-completed_at", "-updated_at")
    )
    entries = [
        {
            "action": action,
            "said": list(action.origins.all()),
            "change": effect(action),
        }
        for action in actions
        if action.status == ActionStatus.EFFECTIVE or action.events.filter(to_status="effective")
    ]
    return render(
        request,
        "portal/you_said_we_did.html",
        {"organization": organization, "entries": entries},
    )
