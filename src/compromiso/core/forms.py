"""Form pieces shared by every app: Bootstrap classes on widgets, the styled login form."""

from typing import Any

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.template import loader
from django.utils.translation import gettext_lazy

from compromiso.core.tasks import send_email

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


class StyledPasswordChangeForm(StyledFormMixin, PasswordChangeForm):  # type: ignore[type-arg]
    pass


class TaskPasswordResetForm(StyledFormMixin, PasswordResetForm):
    """Password reset whose e-mail leaves through the task queue like every other e-mail."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        send_email.enqueue(subject=subject, body=body, to=[to_email], html_body=html)


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
