"""Form pieces shared by every app: Bootstrap classes on widgets, the styled login form."""

import hashlib
from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.http import HttpRequest
from django.utils.translation import get_language, gettext_lazy

from compromiso.core.ratelimit import allow, client_address
from compromiso.core.tasks import send_password_reset

# Django 6.1's label for an empty choice. Named here so our catalogues carry its translation:
# Django's own Spanish and Catalan catalogues do not have it yet, and ours take precedence.
BLANK_CHOICE_LABEL = gettext_lazy("- Select an option -")


class StyledFormMixin:
    """Give every widget Bootstrap's class so templates need no per-field markup."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                css = ""
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):  # type: ignore[type-arg]
    pass


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):
    pass


class TaskPasswordResetForm(StyledFormMixin, PasswordResetForm):
    """Password reset whose e-mail leaves through the task queue like every other e-mail, given
    only the user's id. Throttled like the log-in, per address and per client address: past
    the limit the same neutral page follows and no e-mail is sent."""

    def save(self, *args: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
        email = self.cleaned_data["email"]
        if request is not None and not _reset_allowed(email, request):
            return
        language = get_language() or ""
        for user in self.get_users(email):
            send_password_reset.enqueue(user_id=user.pk, language=language)


PASSWORD_RESETS_PER_ADDRESS = 3  # per hour
PASSWORD_RESETS_PER_CLIENT = 10  # per hour


def _reset_allowed(email: str, request: HttpRequest) -> bool:
    # The address is hashed: the rate counters hold no e-mail address.
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    client = client_address(request.META)
    by_client = allow(
        f"password-reset:client:{client}", limit=PASSWORD_RESETS_PER_CLIENT, window_seconds=3600
    )
    by_address = allow(
        f"password-reset:address:{address}", limit=PASSWORD_RESETS_PER_ADDRESS, window_seconds=3600
    )
    return by_client and by_address


def add_service_error(form: forms.BaseForm, error: Exception) -> None:
    """Show a service's refusal on the form: field errors next to their fields, the rest on top."""
    from django.core.exceptions import ValidationError

    from compromiso.core.errors import DomainError

    if isinstance(error, DomainError):
        form.add_error(None, error.message)
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        raise error


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input. Types and sizes are checked by the services, which read the
    content; here only the count is limited."""

    def __init__(self, *args: Any, max_files: int = 5, **kwargs: Any) -> None:
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(items) > self.max_files:
            raise forms.ValidationError(
                gettext_lazy("Attach at most %(count)d files.") % {"count": self.max_files}
            )
        return [super(MultipleFileField, self).clean(item, initial) for item in items]
