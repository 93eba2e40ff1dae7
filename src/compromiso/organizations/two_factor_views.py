"""Log-in in two steps (password, then a security key, a code from the authenticator app or a
recovery code), the "two-factor log-in" page of one's account, and an administrator's reset of
a member's second factor.

The second step keeps django-axes' lock-out: a wrong code or a refused key counts as a failed
log-in of the same user name from the same address (and a locked-out pair gets axes' lock-out
page), and wrong codes for one account are also limited across all addresses
(`core.ratelimit`)."""

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
from compromiso.organizations import security_keys, totp, two_factor
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

    template_name = "organizations/registration/login.html"
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


def _refuse_if_locked_out(
    request: HttpRequest, user: User, credentials: dict[str, str]
) -> HttpResponse | None:
    """Axes' lock-out page when the user name is locked out from this address."""
    if not AxesProxyHandler.is_locked(request, credentials):
        return None
    request.session.pop(PENDING, None)
    record(request, SignInOutcome.LOCKED_OUT, user=user)
    request.axes_locked_out = True  # type: ignore[attr-defined]
    request.axes_credentials = credentials  # type: ignore[attr-defined]
    return HttpResponse(status=403)  # replaced by axes' lock-out page


def _failed(request: HttpRequest, user: User, credentials: dict[str, str]) -> None:
    """A wrong code or a refused key: counted for the account across addresses, by axes like a
    wrong password, and written to the sign-in log."""
    allow(
        f"two-factor:user:{user.pk}",
        limit=CODE_FAILURES_PER_ACCOUNT,
        window_seconds=CODE_FAILURE_WINDOW,
    )
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)


def _throttled(request: HttpRequest, user: User) -> bool:
    if not blocked(
        f"two-factor:user:{user.pk}",
        limit=CODE_FAILURES_PER_ACCOUNT,
        window_seconds=CODE_FAILURE_WINDOW,
    ):
        return False
    record(request, SignInOutcome.FAILED, user=user)
    return True


def _finish(
    request: HttpRequest, user: User, pending: dict[str, Any], factor: SecondFactor
) -> HttpResponse:
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


TOO_MANY = gettext_lazy(
    "Too many wrong codes for this account. Wait a quarter of an hour and retry."
)


def login_code(request: HttpRequest) -> HttpResponseBase:
    """The second step: a security key, a code from the authenticator app, or a recovery code
    (then spent)."""
    found = _pending_user(request)
    if found is None:
        request.session.pop(PENDING, None)
        messages.info(
            request, _("Log in again: the code must follow the password within five minutes.")
        )
        return redirect("login")
    user, pending = found
    credentials = {"username": user.get_username()}
    with_key = request.method == "POST" and request.POST.get("action") == "key"
    form = CodeForm(request.POST if request.method == "POST" and not with_key else None)
    key_error = ""
    if with_key:
        setattr(request, SECOND_FACTOR_ATTR, SecondFactor.SECURITY_KEY)
        locked = _refuse_if_locked_out(request, user, credentials)
        if locked is not None:
            return locked
        if _throttled(request, user):
            key_error = str(TOO_MANY)
        else:
            try:
                security_keys.authenticate(
                    user, request.session, request.POST.get("credential", "")
                )
            except DomainError as error:
                _failed(request, user, credentials)
                key_error = error.message
            else:
                return _finish(request, user, pending, SecondFactor.SECURITY_KEY)
    elif request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        typed_factor = (
            SecondFactor.TOTP if code.replace(" ", "").isdigit() else SecondFactor.RECOVERY_CODE
        )
        setattr(request, SECOND_FACTOR_ATTR, typed_factor)
        locked = _refuse_if_locked_out(request, user, credentials)
        if locked is not None:
            return locked
        if _throttled(request, user):
            form.add_error(None, str(TOO_MANY))
        else:
            factor = two_factor.verify(user, code)
            if factor is None:
                _failed(request, user, credentials)
                form.add_error("code", _("That code is not right."))
            else:
                return _finish(request, user, pending, factor)
    has_totp = two_factor.has_totp(user)
    context = {
        "form": form,
        "has_totp": has_totp,
        "with_codes": has_totp or two_factor.recovery_codes_left(user) > 0,
        "key_options": security_keys.authentication_options(user, request.session),
        "key_error": key_error,
    }
    return render(request, "organizations/registration/login_code.html", context)


def _qr_data_uri(uri: str) -> str:
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


KEY_ACTIONS = ("add_key", "remove_key")


def _key_action(request: AuthenticatedHttpRequest, action: str) -> tuple[bool, list[str] | None]:
    """Add or remove a security key: (done, the recovery codes to show when a first key brought
    them). A key refused in the browser keeps the page as it was (the script says why); one
    refused here comes back to the page with its name still typed."""
    user = request.user
    if action == "add_key":
        name = request.POST.get("name", "")
        try:
            key, codes = security_keys.register(
                user, request.session, request.POST.get("credential", ""), name
            )
        except DomainError as error:
            messages.error(request, error.message)
            return False, None
        request.session[VERIFIED] = True
        messages.success(request, _("The security key “%(name)s” was added.") % {"name": key.name})
        return True, codes
    try:
        key_pk = int(request.POST.get("key", ""))
    except ValueError:
        key_pk = 0
    try:
        key = security_keys.remove(user, key_pk, request.POST.get("proof", ""))
    except DomainError as error:
        messages.error(request, error.message)
        return False, None
    messages.success(request, _("The security key “%(name)s” was removed.") % {"name": key.name})
    return True, None


@login_required
def two_factor_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app (QR code and secret, confirmed by a first code; then ten
    recovery codes shown once), make new recovery codes, or turn it off when allowed; add,
    list and remove security keys."""
    user = request.user
    action = request.POST.get("action", "")
    form = CodeForm(
        request.POST if request.method == "POST" and action not in KEY_ACTIONS else None
    )
    codes: list[str] | None = None
    if request.method == "POST" and action == "start":
        try:
            two_factor.start_enrolment(user)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("organizations:two_factor")
    if request.method == "POST" and action in KEY_ACTIONS:
        done, codes = _key_action(request, action)
        if done and codes is None:
            return redirect("organizations:two_factor")
    elif request.method == "POST" and form.is_valid():
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
                if two_factor.has_two_factor(user):
                    messages.success(request, _("The authenticator app was removed."))
                else:
                    request.session.pop(VERIFIED, None)
                    messages.success(request, _("Two-factor log-in is off."))
                return redirect("organizations:two_factor")
        except DomainError as error:
            form.add_error("code", error.message)
    enrolled = two_factor.has_totp(user)
    secret = None if enrolled else two_factor.pending_secret(user)
    context: dict[str, Any] = {
        "enrolled": enrolled,
        "any_factor": enrolled or two_factor.has_keys(user),
        "required": two_factor.required_for(user),
        "codes": codes,
        "form": form,
        "codes_left": two_factor.recovery_codes_left(user) if enrolled else 0,
        "keys": security_keys.keys_of(user),
        "key_options": security_keys.registration_options(user, request.session),
        "key_name": request.POST.get("name", "") if action == "add_key" else "",
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
