"""Staff pages of appointments: today's bookings per branch; a branch's bookings of a day with
check-in (button or code at reception), no-show marking and booking for a caller; and the slot
plans of each queue."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from compromiso.attention import slots as slot_math
from compromiso.attention.forms.appointments import CodeForm, SlotPlanForm, StaffBookingForm
from compromiso.attention.models import Appointment, AppointmentStatus, Branch, SlotPlan
from compromiso.attention.services import appointments as booking
from compromiso.attention.views.common import branches_for, manages, organization_of, serves
from compromiso.core.errors import DomainError
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.permissions import Perm


@login_required
def appointments_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    organization = organization_of(request)
    timezone.activate(organization.zone)
    today = organization.today()
    zone = organization.zone
    start = dt.datetime.combine(today, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    window = Q(appointments__starts_at__gte=start, appointments__starts_at__lt=end)
    branches = (
        branches_for(request, organization)
        .filter(accepts_appointments=True)
        .select_related("touch_point")
        .annotate(
            booked=Count("appointments", filter=window & Q(appointments__status="booked")),
            checked_in=Count("appointments", filter=window & Q(appointments__status="checked_in")),
            no_show=Count("appointments", filter=window & Q(appointments__status="no_show")),
            cancelled=Count("appointments", filter=window & Q(appointments__status="cancelled")),
        )
    )
    return render(
        request,
        "attention/appointments/home.html",
        {
            "tab": "appointments",
            "branches": branches,
            "today": today,
            "can_manage": manages(request, organization),
        },
    )


def _branch(request: AuthenticatedHttpRequest, pk: int, perm: Perm = Perm.VIEW) -> Branch:
    organization = organization_of(request)
    timezone.activate(organization.zone)
    return get_object_or_404(
        branches_for(request, organization, perm).select_related(
            "touch_point__unit", "organization"
        ),
        pk=pk,
    )


def _day(request: AuthenticatedHttpRequest, branch: Branch) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        return branch.organization.today()


def _staff_slot_choices(branch: Branch, day: dt.date) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = [("", _("— choose a time —"))]
    for queue in branch.queues.filter(is_active=True):
        for slot in slot_math.slots(queue, day, day).get(day, []):
            label = f"{queue.letter} · {timezone.localtime(slot.starts_at):%H:%M} ({slot.free})"
            choices.append((f"{queue.pk}:{slot.key}", label))
    return choices


def _act(
    request: AuthenticatedHttpRequest, branch: Branch, day: dt.date
) -> StaffBookingForm | None:
    """Handle one POST of the day's page; returns a booking form with errors, if any."""
    action = request.POST.get("action", "")
    try:
        if action in ("check_in", "no_show"):
            appointment = get_object_or_404(
                Appointment, pk=str(request.POST.get("appointment", ""))[:12] or 0, branch=branch
            )
            if action == "check_in":
                visit = booking.check_in(appointment, by=request.user)
                messages.success(request, _("Checked in: ticket %(n)s.") % {"n": visit.number})
            else:
                booking.mark_no_show(appointment, by=request.user)
                messages.success(request, _("Marked as not come."))
        elif action == "code":
            form = CodeForm(request.POST)
            found = (
                Appointment.objects.filter(code=form.cleaned_data["code"], branch=branch).first()
                if form.is_valid()
                else None
            )
            if found is None:
                messages.error(request, _("No appointment of this branch has this code."))
            else:
                visit = booking.check_in(found, by=request.user)
                messages.success(request, _("Checked in: ticket %(n)s.") % {"n": visit.number})
        elif action == "book":
            return _book_for_caller(request, branch, day)
    except DomainError as refused:
        messages.error(request, refused.message)
    return None


def _book_for_caller(
    request: AuthenticatedHttpRequest, branch: Branch, day: dt.date
) -> StaffBookingForm | None:
    form = StaffBookingForm(
        request.POST,
        queues=branch.queues.filter(is_active=True),
        slot_choices=_staff_slot_choices(branch, day),
    )
    if not form.is_valid():
        return form
    queue_part, _sep, key = form.cleaned_data["slot"].partition(":")
    starts_at = slot_math.parse_key(key)
    queue = form.cleaned_data["queue"]
    if starts_at is None or queue_part != str(queue.pk):
        form.add_error("slot", _("Choose one of the free times of this queue."))
        return form
    try:
        appointment, _key = booking.book(
            queue,
            starts_at,
            by=request.user,
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            language=branch.organization.language,
        )
    except DomainError as refused:
        form.add_error(None, refused.message)
        return form
    messages.success(request, _("Booked: code %(code)s.") % {"code": appointment.code})
    return None


@login_required
@require_http_methods(["GET", "POST"])
def appointments(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk)
    day = _day(request, branch)
    form = None
    if request.method == "POST":
        if not serves(request, branch.organization):
            raise PermissionDenied
        form = _act(request, branch, day)
        if form is None:
            return redirect(f"{request.path}?day={day:%Y-%m-%d}")
    zone = branch.organization.zone
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    rows = (
        Appointment.objects.filter(
            branch=branch, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
        )
        .select_related("queue", "visit")
        .order_by("starts_at", "pk")
    )
    windows = {a.pk: branch.check_in_window(a.starts_at, a.ends_at) for a in rows}
    now = timezone.now()
    return render(
        request,
        "attention/appointments/day.html",
        {
            "tab": "appointments",
            "branch": branch,
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "rows": [
                (
                    a,
                    a.status == AppointmentStatus.BOOKED
                    and windows[a.pk][0] <= now <= windows[a.pk][1],
                    a.status == AppointmentStatus.BOOKED and a.starts_at <= now,
                )
                for a in rows
            ],
            "can_serve": serves(request, branch.organization),
            "can_manage": manages(request, branch.organization),
            "code_form": CodeForm(),
            "form": form
            or StaffBookingForm(
                queues=branch.queues.filter(is_active=True),
                slot_choices=_staff_slot_choices(branch, day),
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def slot_plans(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    branch = _branch(request, pk, Perm.MANAGE_ATTENTION)
    queues = branch.queues.filter(is_active=True)
    form = SlotPlanForm(request.POST or None, queues=queues)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.branch = branch
        if _saved(request, form, plan):
            return redirect("attention:slot_plans", pk=branch.pk)
    plans = (
        SlotPlan.objects.filter(branch=branch)
        .select_related("queue")
        .order_by("-is_active", "queue__order", "-valid_from")
    )
    return render(
        request,
        "attention/appointments/plans.html",
        {"tab": "appointments", "branch": branch, "plans": plans, "form": form},
    )


def _saved(request: AuthenticatedHttpRequest, form: SlotPlanForm, plan: SlotPlan) -> bool:
    try:
        booking.save_slot_plan(plan, by=request.user)
    except (DomainError, ValidationError) as error:
        form.add_error(None, error.message if isinstance(error, DomainError) else error)
        return False
    messages.success(request, _("The appointment plan was saved."))
    return True


@login_required
@require_http_methods(["GET", "POST"])
def slot_plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = organization_of(request)
    plan = get_object_or_404(
        SlotPlan.objects.select_related("branch__touch_point"),
        pk=pk,
        branch__in=branches_for(request, organization, Perm.MANAGE_ATTENTION),
    )
    form = SlotPlanForm(
        request.POST or None, instance=plan, queues=plan.branch.queues.filter(is_active=True)
    )
    if request.method == "POST" and form.is_valid() and _saved(request, form, form.instance):
        return redirect("attention:slot_plans", pk=plan.branch_id)
    return render(
        request,
        "attention/appointments/plan_edit.html",
        {"tab": "appointments", "branch": plan.branch, "plan": plan, "form": form},
    )


@login_required
@require_POST
def slot_plan_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organization = organization_of(request)
    plan = get_object_or_404(
        SlotPlan.objects.select_related("queue__branch__touch_point__unit"),
        pk=pk,
        branch__in=branches_for(request, organization, Perm.MANAGE_ATTENTION),
    )
    booking.deactivate_slot_plan(plan, by=request.user)
    messages.success(request, _("The plan takes no new bookings."))
    return redirect("attention:slot_plans", pk=plan.branch_id)
