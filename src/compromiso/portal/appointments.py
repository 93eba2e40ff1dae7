"""Public appointment pages: book a slot without an account, see, change or cancel a booking
(with the link's key, or the code and the e-mail), and check in at a branch's kiosk with the
code. Protected like the public case form: a hidden honeypot field, a one-time submission id
and a rate limit per address; an unknown code and a wrong key give the same 404."""

import datetime as dt

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from compromiso.attention import slots as slot_math
from compromiso.attention.forms.appointments import BookingForm, CodeForm, LookupForm
from compromiso.attention.models import CODE_ALPHABET, Appointment, Branch, Queue, SlotPlan
from compromiso.attention.services import appointments as booking
from compromiso.core.actors import PUBLIC
from compromiso.core.errors import DomainError
from compromiso.core.ratelimit import allow, blocked, client_address
from compromiso.organizations.models import Organization

BOOKINGS_PER_HOUR = 20
FAILED_LOOKUPS = 10
LOOKUP_WINDOW = 15 * 60
CHECK_INS_PER_MINUTE = 30
SESSION_KEY = "compromiso_appointments"


def _grant(request: HttpRequest, code: str) -> None:
    codes = [c for c in request.session.get(SESSION_KEY, []) if c != code][-19:]
    request.session[SESSION_KEY] = [*codes, code]


def _day_param(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _slot_choices(
    days: dict[dt.date, list[slot_math.Slot]], day: dt.date | None
) -> tuple[dt.date | None, list[tuple[str, str]]]:
    if not days:
        return None, []
    chosen = day if day in days else min(days)
    return chosen, [(s.key, f"{timezone.localtime(s.starts_at):%H:%M}") for s in days[chosen]]


def appointment_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Choose the office and the procedure (the queues that take appointments)."""
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    planned = SlotPlan.objects.filter(queue=OuterRef("pk"), is_active=True)
    queues = (
        Queue.objects.filter(
            branch__organization=organization,
            branch__is_active=True,
            branch__accepts_appointments=True,
            is_active=True,
        )
        .filter(Exists(planned))
        .select_related("branch__touch_point")
        .order_by("branch__touch_point__name", "order", "name")
    )
    offices: dict[Branch, list[Queue]] = {}
    for queue in queues:
        offices.setdefault(queue.branch, []).append(queue)
    return render(
        request,
        "portal/appointments/start.html",
        {"organization": organization, "offices": list(offices.items())},
    )


def _public_queue(slug: str, branch_code: str, queue_id: int) -> Queue:
    organization = get_object_or_404(Organization, slug=slug, is_active=True)
    timezone.activate(organization.zone)
    return get_object_or_404(
        Queue.objects.select_related("branch__touch_point", "branch__organization"),
        pk=queue_id,
        is_active=True,
        branch__code=branch_code,
        branch__organization=organization,
        branch__is_active=True,
        branch__accepts_appointments=True,
    )


@require_http_methods(["GET", "POST"])
def appointment_book(request: HttpRequest, slug: str, branch: str, queue: int) -> HttpResponse:
    """Choose a day and a free time, say who comes, and book."""
    chosen_queue = _public_queue(slug, branch, queue)
    organization = chosen_queue.branch.organization
    days = slot_math.bookable_days(chosen_queue)
    day, choices = _slot_choices(days, _day_param(request.GET.get("day")))
    form = BookingForm(request.POST or None)
    if request.method == "POST":
        if not allow(
            f"appointment-book:{client_address(request.META)}",
            limit=BOOKINGS_PER_HOUR,
            window_seconds=3600,
        ):
            return render(request, "portal/too_many.html", status=429)
        starts_at = slot_math.parse_key(request.POST.get("slot", ""))
        if starts_at is not None:
            local_day = timezone.localtime(starts_at).date()
            day, choices = _slot_choices(days, local_day)
            if not any(k == request.POST.get("slot") for k, _label in choices):
                choices.append((request.POST["slot"], f"{timezone.localtime(starts_at):%H:%M}"))
        form.fields["slot"].widget.choices = choices
        done = request.session.get("compromiso_appointment_submissions", {})
        submission = str(request.POST.get("submission_id", ""))[:40]
        if submission in done:  # the same form sent twice: show the first booking again
            return redirect("portal:appointment", code=done[submission])
        if form.is_valid():
            if starts_at is None:
                form.add_error("slot", _("Choose one of the free times."))
            else:
                try:
                    appointment, _key = booking.book(
                        chosen_queue,
                        starts_at,
                        by=PUBLIC,
                        name=form.cleaned_data["name"],
                        email=form.cleaned_data["email"],
                        phone=form.cleaned_data["phone"],
                        language=translation.get_language() or "",
                    )
                except DomainError as error:
                    form.add_error(None, error.message)
                else:
                    _grant(request, appointment.code)
                    done[submission] = appointment.code
                    request.session["compromiso_appointment_submissions"] = dict(
                        list(done.items())[-20:]
                    )
                    return redirect(f"{_appointment_url(appointment.code)}?booked=1")
    else:
        form.fields["slot"].widget.choices = choices
    return render(
        request,
        "portal/appointments/book.html",
        {
            "organization": organization,
            "queue": chosen_queue,
            "days": sorted(days),
            "day": day,
            "form": form,
        },
    )


def _appointment_url(code: str) -> str:
    from django.urls import reverse

    return reverse("portal:appointment", kwargs={"code": code})


def _lookup_key(request: HttpRequest) -> str:
    return f"appointment-lookup:{client_address(request.META)}"


def _reachable(request: HttpRequest, code: str) -> Appointment:
    """The booking, for whoever holds its link key or found it with code and e-mail in this
    session; anything else (unknown code, wrong key) is the same 404."""
    if blocked(_lookup_key(request), limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW):
        raise Http404
    appointment = booking.find_by_code(code)
    key = request.GET.get("key", "")
    if appointment is not None and (
        appointment.code in request.session.get(SESSION_KEY, [])
        or (key and booking.verify_key(appointment, key))
    ):
        if key:
            _grant(request, appointment.code)
        timezone.activate(appointment.branch.organization.zone)
        return appointment
    allow(_lookup_key(request), limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW)
    raise Http404


@require_http_methods(["GET", "POST"])
def appointment_lookup(request: HttpRequest) -> HttpResponse:
    """Find a booking with its code and the e-mail it was made with."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if blocked(_lookup_key(request), limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW):
            return render(request, "portal/too_many.html", status=429)
        appointment = booking.find_by_code(form.cleaned_data["code"])
        if (
            appointment is not None
            and appointment.email
            and (appointment.email.casefold() == form.cleaned_data["email"].casefold())
        ):
            _grant(request, appointment.code)
            return redirect("portal:appointment", code=appointment.code)
        allow(_lookup_key(request), limit=FAILED_LOOKUPS, window_seconds=LOOKUP_WINDOW)
        form.add_error(None, _("No booking matches this code and e-mail."))
    return render(request, "portal/appointments/lookup.html", {"form": form})


def appointment_detail(request: HttpRequest, code: str) -> HttpResponse:
    appointment = _reachable(request, code)
    return render(
        request,
        "portal/appointments/detail.html",
        {
            "appointment": appointment,
            "booked": request.GET.get("booked") == "1",
            "can_change": appointment.status == "booked" and appointment.starts_at > timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
def appointment_change(request: HttpRequest, code: str) -> HttpResponse:
    appointment = _reachable(request, code)
    days = slot_math.bookable_days(appointment.queue)
    day, choices = _slot_choices(days, _day_param(request.GET.get("day")))
    error = ""
    if request.method == "POST":
        starts_at = slot_math.parse_key(request.POST.get("slot", ""))
        if starts_at is None:
            error = _("Choose one of the free times.")
        else:
            try:
                booking.change(appointment, starts_at, by=PUBLIC)
            except DomainError as refused:
                error = refused.message
            else:
                return redirect("portal:appointment", code=appointment.code)
    return render(
        request,
        "portal/appointments/change.html",
        {
            "appointment": appointment,
            "days": sorted(days),
            "day": day,
            "choices": choices,
            "error": error,
        },
        status=400 if error else 200,
    )


@require_POST
def appointment_cancel(request: HttpRequest, code: str) -> HttpResponse:
    appointment = _reachable(request, code)
    try:
        booking.cancel(appointment, by=PUBLIC)
    except DomainError as refused:
        return render(
            request,
            "portal/appointments/detail.html",
            {
                "appointment": appointment,
                "booked": False,
                "can_change": False,
                "error": refused.message,
            },
            status=400,
        )
    return redirect("portal:appointment", code=appointment.code)


@require_http_methods(["GET", "POST"])
def appointment_kiosk_checkin(request: HttpRequest, display_key: str) -> HttpResponse:
    """The kiosk's check-in: type the confirmation code, get the ticket at the front of the
    line."""
    branch = get_object_or_404(
        Branch.objects.select_related("touch_point", "organization"),
        display_key=display_key[:32],
        is_active=True,
    )
    timezone.activate(branch.organization.zone)
    form = CodeForm(request.POST or None)
    visit = None
    error = ""
    if request.method == "POST":
        if not allow(
            f"appointment-checkin:{client_address(request.META)}",
            limit=CHECK_INS_PER_MINUTE,
            window_seconds=60,
        ):
            return render(request, "portal/too_many.html", status=429)
        if form.is_valid():
            appointment = Appointment.objects.filter(
                code=form.cleaned_data["code"], branch=branch
            ).first()
            if appointment is None:
                error = _(
                    "No appointment at this office has this code. Check it, or ask at reception."
                )
            else:
                try:
                    visit = booking.check_in(appointment, by=PUBLIC)
                except DomainError as refused:
                    error = refused.message
    return render(
        request,
        "portal/appointments/kiosk_checkin.html",
        {
            "branch": branch,
            "form": CodeForm() if visit else form,
            "visit": visit,
            "error": error,
            "keys": list(CODE_ALPHABET),
        },
        status=400 if error or form.errors else 200,
    )
