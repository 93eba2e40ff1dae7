"""The public survey form, built from the wave's questionnaire."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.surveys.models import AgeBand, QuestionKind, UserType, Wave


class SurveyForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        label=_("Which service did you use?"), queryset=Service.objects.none()
    )
    channel = forms.ModelChoiceField(
        label=_("How did you contact us? (optional)"),
        queryset=Channel.objects.none(),
        required=False,
    )
    touch_point = forms.ModelChoiceField(
        label=_("Where? (optional)"), queryset=TouchPoint.objects.none(), required=False
    )
    user_type = forms.ChoiceField(
        label=_("You are (optional)"), choices=[("", "—"), *UserType.choices], required=False
    )
    age_band = forms.ChoiceField(
        label=_("Your age (optional)"), choices=[("", "—"), *AgeBand.choices], required=False
    )
    contact_email = forms.EmailField(
        label=_("If you want us to contact you about your answers, your e-mail (optional)"),
        required=False,
        help_text=_("Leave it empty to answer anonymously."),
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    invitation = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(
        self, *args: Any, wave: Wave, kiosk: bool = False, invitation: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if invitation is not None:
            fields["invitation"].initial = invitation.token
        services = wave.services.filter(is_active=True).order_by("name")
        if invitation is not None and invitation.service_id is not None:
            # The invitation already says which service it is about.
            services = services.filter(pk=invitation.service_id)
        fields["service"].queryset = services
        if services.count() == 1:
            fields["service"].initial = services.first()
        fields["channel"].queryset = Channel.objects.filter(
            organization=wave.organization, is_active=True
        )
        fields["touch_point"].queryset = TouchPoint.objects.filter(
            organization=wave.organization
        ).select_related("unit", "channel")
        fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if kiosk:
            # A kiosk keeps no personal data between respondents.
            for name in ("channel", "touch_point", "contact_email"):
                del fields[name]
        elif invitation is not None and invitation.touch_point_id is not None:
            # An invitation made after a visit already says where the person was served.
            for name in ("channel", "touch_point"):
                del fields[name]
        self.questions = list(wave.questionnaire.questions.select_related("questionnaire"))
        for question in self.questions:
            name = f"q{question.pk}"
            label = question.text
            required = question.required
            if question.kind == QuestionKind.SCALE:
                fields[name] = forms.TypedChoiceField(
                    label=label,
                    choices=[(v, str(v)) for v in question.scale],
                    coerce=int,
                    required=required,
                    widget=forms.RadioSelect,
                    help_text=_("%(low)s is the worst, %(high)s the best.")
                    % {"low": question.scale_min, "high": question.scale_max},
                )
            elif question.kind == QuestionKind.YES_NO:
                fields[name] = forms.ChoiceField(
                    label=label,
                    choices=[("yes", _("Yes")), ("no", _("No"))],
                    required=required,
                    widget=forms.RadioSelect,
                )
            elif question.kind == QuestionKind.SINGLE:
                fields[name] = forms.ChoiceField(
                    label=label,
                    choices=question.choice_items(),
                    required=required,
                    widget=forms.RadioSelect,
                )
            elif question.kind == QuestionKind.MULTIPLE:
                fields[name] = forms.MultipleChoiceField(
                    label=label,
                    choices=question.choice_items(),
                    required=required,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                fields[name] = forms.CharField(
                    label=label,
                    required=required,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )

        if kiosk:
            # Large touch targets: each option is a big button (Bootstrap's btn-check).
            for name in (f"q{q.pk}" for q in self.questions):
                widget = fields[name].widget
                if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    widget.attrs["class"] = "btn-check"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(_("Your answers could not be sent."), code="spam")
        return data

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def question_fields(self) -> list[Any]:
        return [self[f"q{q.pk}"] for q in self.questions]

    def about_fields(self) -> list[Any]:
        return [
            self[n]
            for n in ("service", "channel", "touch_point", "user_type", "age_band")
            if n in self.fields
        ]
