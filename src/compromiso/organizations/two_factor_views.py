"""Log-in in two steps (password, then a code from the authenticator app or a recovery code),
the "two-factor log-in" page of one's account, and an administrator's reset of a member's
second factor.

The code step keeps django-axes' lock-out: a wrong code counts as a failed log-in of the same
user name from the same address (and a locked-out pair gets axes' lock-out page), and wrong
codes for one account are also limited across all addresses (`core.ratelimit`)."""

import time
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from compromiso.core.errors import DomainError
from compromiso.core.forms import LoginForm, StyledFormMixin
from compromiso.core.http import AuthenticatedHttpRequest
from compromiso.core.ratelimit import allow, blocked
from compromiso.organizations import totp, two_factor
from compromiso.organizations.current import require_organization
from compromiso.organizations.models import SecondFactor, SignInOutcome, User
from compromiso.organizations.sign_ins import SECOND_FACTOR_ATTR, record

PENDING = "compromiso_two_factor_pending"
PENDING_SECONDS = 300  # the code must follow the password within five minutes
VERIFIED = two_factor.VERIFIED_SESSION_KEY
CODE_FAILURES_PER_ACCOUNT = 10
CODE_FAILURE_WINDOW = 900  # seconds


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class TwoStepLoginView(auth_views.LoginView):
    """The password step. A user with an authenticator app is not logged in yet: the session
    remembers who passed the password, and the code step finishes the log-in."""

    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("login_code")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["idle_minutes"] = getattr(self.request, "staff_session_ended", None)
        return context


def _pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return (user, pending) if user is not None else None


def login_code(request: HttpRequest) -> HttpResponseBase:
    """The second step: a code from the authenticator app, or a recovery code (then spent)."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(
            request, _("Log in again: the code must follow the password within five minutes.")
        )
        return redirect("login")
    user, pending = found
    credentials = {"username": user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        typed_factor = (
            SecondFactor.TOTP if code.replace(" ", "").isdigit() else SecondFactor.RECOVERY_CODE
        )
        setattr(request, SECOND_FACTOR_ATTR, typed_factor)
        throttle_key = f"two-factor:user:{user.pk}"
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING, None)
            record(request, SignInOutcome.LOCKED_OUT, user=user)
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            return HttpResponse(status=403)  # replaced by axes' lock-out page
        if blocked(
            throttle_key, limit=CODE_FAILURES_PER_ACCOUNT, window_seconds=CODE_FAILURE_WINDOW
        ):
            record(request, SignInOutcome.FAILED, user=user)
            form.add_error(
                None,
                _("Too many wrong codes for this account. Wait a quarter of an hour and retry."),
            )
        else:
            factor = two_factor.verify(user, code)
            if factor is None:
                allow(
                    throttle_key,
                    limit=CODE_FAILURES_PER_ACCOUNT,
                    window_seconds=CODE_FAILURE_WINDOW,
                )
                # Counted by axes like a wrong password, and written to the sign-in log.
                user_login_failed.send(sender=__name__, credentials=credentials, request=request)
                form.add_error("code", _("That code is not right."))
            else:
                setattr(request, SECOND_FACTOR_ATTR, factor)
                del request.session[PENDING]
                login(request, user, backend=pending.get("backend") or None)
                request.session[VERIFIED] = True
                if factor == SecondFactor.RECOVERY_CODE:
                    messages.warning(
                        request,
                        _(
                            "You used a recovery code; %(count)d are left. If your phone is lost, "
                            "make new codes or ask an administrator to reset your second factor."
                        )
                        % {"count": two_factor.recovery_codes_left(user)},
                    )
                return redirect(pending.get("next") or "organizations:overview")
    return render(request, "registration/login_code.html", {"form": form})


def _qr_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


@login_required
def two_factor_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app (QR code and secret, confirmed by a first code; then ten
    recovery codes shown once), make new recovery codes, or turn it off when allowed."""
    user = request.user
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    codes: list[str] | None = None
    if request.method == "POST" and action == "start":
        try:
            two_factor.start_enrolment(user)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("organizations:two_factor")
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            if action == "confirm":
                codes = two_factor.confirm_enrolment(user, code)
                request.session[VERIFIED] = True
            elif action == "recovery":
                if two_factor.verify(user, code) is None:
                    raise DomainError(_("That code is not right."))
                codes = two_factor.replace_recovery_codes(user)
            elif action == "off":
                two_factor.turn_off(user, code)
                request.session.pop(VERIFIED, None)
                messages.success(request, _("Two-factor log-in is off."))
                return redirect("organizations:two_factor")
        except DomainError as error:
            form.add_error("code", error.message)
    enrolled = two_factor.has_two_factor(user)
    secret = None if enrolled else two_factor.pending_secret(user)
    context: dict[str, Any] = {
        "enrolled": enrolled,
        "required": two_factor.required_for(user),
        "codes": codes,
        "form": form,
        "codes_left": two_factor.recovery_codes_left(user) if enrolled else 0,
    }
    if secret is not None:
        uri = two_factor.provisioning_uri(user, secret)
        context.update(qr=_qr_data_uri(uri), secret=" ".join(_chunks(totp.base32(secret))))
    return render(request, "organizations/two_factor.html", context)


def _chunks(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


@login_required
@require_POST
def reset_member_two_factor(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    """An administrator removes a member's authenticator app (a lost phone)."""
    organization = require_organization(request)
    member = get_object_or_404(User, pk=user_pk)
    two_factor.reset_two_factor(member, organization=organization, by=request.user)
    messages.success(
        request,
        _("Two-factor log-in of %(person)s was reset: they log in with their password.")
        % {"person": member},
    )
    return redirect("organizations:members")
