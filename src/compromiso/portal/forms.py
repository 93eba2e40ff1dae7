"""Public forms. Every field is validated here and again by the services."""

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models import CaseKind, ReplyChannel
from compromiso.catalog.models import Service
from compromiso.core.forms import MultipleFileField, StyledFormMixin


class LoadedServiceField(forms.ChoiceField):
    """A choice among services already loaded (the organisation's intake reference keeps them,
    cases/reference.py): the list and the refusal of a ModelChoiceField, without a query to list
    the services or to check the one chosen."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"],
    }

    def __init__(self, *, empty_label: Any, **kwargs: Any) -> None:
        super().__init__(choices=(), **kwargs)
        self.empty_label = empty_label
        self.services: dict[str, Service] = {}

    def set_services(self, services: Any) -> None:
        self.services = {str(service.pk): service for service in services}
        self.choices = [("", self.empty_label), *((pk, str(s)) for pk, s in self.services.items())]

    def prepare_value(self, value: Any) -> Any:
        return value.pk if isinstance(value, Service) else value

    def to_python(self, value: Any) -> Service | None:
        if value in self.empty_values:
            return None
        service = self.services.get(str(value).strip())
        if service is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return service

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # the choice was checked by to_python

    def has_changed(self, initial: Any, data: Any) -> bool:
        return str(self.prepare_value(initial) or "") != str(data or "")


class PublicCaseForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What do you want to do?"), choices=CaseKind.choices)
    service = LoadedServiceField(
        label=_("Service concerned"),
        required=False,
        empty_label=_("— I don't know / other —"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Describe what happened or what you propose"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleFileField(
        label=_("Attach files (optional)"),
        help_text=_("Up to 5 files of 10 MB: PDF, images, text, Office or OpenDocument."),
    )
    is_anonymous = forms.BooleanField(
        label=_("Send it anonymously (suggestions and compliments only)"), required=False
    )
    requester_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    requester_national_id = forms.CharField(
        label=_("National ID (optional)"), max_length=20, required=False
    )
    requester_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("We send the tracking code and the answer here."),
    )
    requester_phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    requester_address = forms.CharField(
        label=_("Postal address (optional)"), max_length=300, required=False
    )
    reply_channel = forms.ChoiceField(
        label=_("How do you want the answer?"), choices=ReplyChannel.choices
    )
    # Anti-spam: a field people never see (bots fill it) and a one-time submission id.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("submission_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        # A form that arrives without its one-time id (a page cut short, a tampered form) is shown
        # again with what was typed, a fresh id and a message: never a bare "hidden field" error.
        self.lost_submission_id = False
        if self.is_bound and not self._valid_submission_id(self.data.get("submission_id")):
            data = self.data.copy()  # type: ignore[attr-defined]
            data["submission_id"] = str(uuid.uuid4())
            self.data = data
            self.lost_submission_id = True
        self.fields["service"].set_services(services)  # type: ignore[attr-defined]
        self.fields["website"].widget.attrs.update(
            {"tabindex": "-1", "autocomplete": "off", "class": "form-control"}
        )

    @staticmethod
    def _valid_submission_id(value: Any) -> bool:
        try:
            uuid.UUID(str(value))
        except ValueError:
            return False
        return True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(_("Your request could not be sent."), code="spam")
        if self.lost_submission_id:
            raise forms.ValidationError(
                _(
                    "Your request arrived incomplete and was not sent. Check what you wrote "
                    "below and send it again."
                ),
                code="incomplete",
            )
        anonymous = data.get("is_anonymous")
        if not anonymous and not data.get("requester_name", "").strip():
            self.add_error("requester_name", _("Give your name, or send it anonymously."))
        wants_email = data.get("reply_channel") == ReplyChannel.EMAIL
        if wants_email and not anonymous and not data.get("requester_email"):
            self.add_error("requester_email", _("Give an e-mail address for the answer."))
        return data


class TrackForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=32)
    secret = forms.CharField(label=_("Secret"), max_length=20)


class VerdictForm(StyledFormMixin, forms.Form):
    accepted = forms.TypedChoiceField(
        label=_("Do you accept the answer?"),
        choices=[("yes", _("Yes, I accept it")), ("no", _("No, I do not accept it"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Why? (required if you do not accept it)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RequesterMessageForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(label=_("Attach files (optional)"))


SCALE = [(str(n), str(n)) for n in range(1, 6)]


class RatingForm(StyledFormMixin, forms.Form):
    outcome = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome?"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    courtesy = forms.TypedChoiceField(
        label=_("Were you treated with courtesy?"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    clarity = forms.TypedChoiceField(
        label=_("Was the answer clear?"), choices=SCALE, coerce=int, widget=forms.RadioSelect
    )
    timeliness = forms.TypedChoiceField(
        label=_("Did you get it in reasonable time?"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
