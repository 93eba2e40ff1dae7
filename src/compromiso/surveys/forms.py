"""Forms for surveys. Saving always goes through surveys.services or surveys.imports."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Attribute, Audience, Service, TouchPoint
from compromiso.core.forms import StyledFormMixin
from compromiso.organizations.models import Unit
from compromiso.surveys.models import (
    REVIEW_COMMENT_LIMIT,
    BonusMetric,
    ImportJob,
    Questionnaire,
    ReviewDecision,
    Wave,
    WaveKind,
)
from compromiso.surveys.services.validation import OVERRIDE_REASON_LIMIT

FIELD_LABELS = {
    "service": _("Service (code or name)"),
    "channel": _("Channel (optional)"),
    "date": _("Date answered (optional)"),
    "touch_point": _("Office or touch point (optional)"),
    "user_type": _("User type (optional)"),
    "age_band": _("Age band (optional)"),
    "respondent": _("Respondent or response identifier (optional)"),
}


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File with the responses (CSV or XLSX, up to 100 MB)"),
        help_text=_("One row per response, with a header row."),
    )


class MappingForm(StyledFormMixin, forms.Form):
    """For each field of the wave and each question, which column of the file holds it."""

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("(not in the file)")), *((h, h) for h in job.headers if h)]
        for name, label in FIELD_LABELS.items():
            self.fields[name] = forms.ChoiceField(
                label=label, choices=columns, required=name == "service"
            )
        for question in job.wave.questionnaire.questions.select_related("questionnaire"):
            self.fields[f"q{question.pk}"] = forms.ChoiceField(
                label=question.text, choices=columns, required=False
            )
        # Re-apply the widget classes to the fields added after the mixin ran.
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select")

    def mapping(self) -> dict[str, str]:
        return {name: column for name, column in self.cleaned_data.items() if column}


class InviteUnitsForm(StyledFormMixin, forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Client units (their members are invited)"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        """A wave that names its client units invites among them (all ticked at first)."""
        clients = list(wave.client_units.order_by("path"))
        if clients:
            kwargs.setdefault("initial", {"units": clients})
        super().__init__(*args, **kwargs)
        field: Any = self.fields["units"]
        field.queryset = (
            wave.client_units.order_by("path")
            if clients
            else Unit.objects.filter(organization=wave.organization, is_active=True).order_by(
                "path"
            )
        )


class InviteForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service used"), queryset=Service.objects.none())
    emails = forms.CharField(
        label=_("E-mail addresses, one per line"),
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = wave.services.order_by("name")  # type: ignore[attr-defined]


def _pairs(text: str, first: str, second: str) -> list[dict[str, str]]:
    """Lines "a: b" (or "a = b", "a b") into [{first: a, second: b}]."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = line.replace("=", ":").replace("%", "").replace(",", ".").split(":")
        if len(parts) != 2:
            parts = line.split()
        if len(parts) != 2:
            raise forms.ValidationError(
                _("Write one “%(a)s: %(b)s” pair per line.") % {"a": first, "b": second}
            )
        pairs.append({first: parts[0].strip(), second: parts[1].strip()})
    return pairs


class SchemeForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=300, required=False)
    scope_unit = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The whole organisation (national)"),
    )
    metric = forms.ChoiceField(label=_("Metric"), choices=BonusMetric.choices)
    baseline_wave = forms.ModelChoiceField(label=_("Baseline wave"), queryset=Wave.objects.none())
    target_path = forms.CharField(
        label=_("Target path: year and increase in points, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="2026: 1.5\n2027: 1.0\n2028: 0.5",
        max_length=2000,
    )
    tranches = forms.CharField(
        label=_("Tranches: % of the target reached and % of the bonus, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="100: 100\n75: 50",
        max_length=2000,
    )
    eligibility = forms.CharField(
        label=_("Eligibility rules"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["scope_unit"].queryset = Unit.objects.filter(organization=organization).order_by(
            "path"
        )
        fields["baseline_wave"].queryset = Wave.objects.filter(organization=organization)

    def clean_target_path(self) -> list[dict[str, str]]:
        return _pairs(self.cleaned_data["target_path"], "year", "increase")

    def clean_tranches(self) -> list[dict[str, str]]:
        return _pairs(self.cleaned_data["tranches"], "achievement", "share")


class ResultForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=[])
    wave = forms.ModelChoiceField(label=_("Wave that measured it"), queryset=Wave.objects.none())

    def __init__(self, *args: Any, scheme: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["year"].choices = [(y, str(y)) for y in years]
        fields["wave"].queryset = Wave.objects.filter(organization=scheme.organization).exclude(
            pk=scheme.baseline_wave_id
        )


SCALES = {
    "1-7": (1, 7, 6, 4),
    "1-5": (1, 5, 4, 2),
    "0-10": (0, 10, 9, 6),
}


class QuestionnaireForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Main language"), choices=[])
    scale = forms.ChoiceField(
        label=_("Scale"),
        choices=[
            ("1-7", _("1 to 7 (satisfied 6–7, dissatisfied 1–4)")),
            ("1-5", _("1 to 5 (satisfied 4–5, dissatisfied 1–2)")),
            ("0-10", _("0 to 10 (9–10 and 0–6, as NPS)")),
        ],
    )
    overall = forms.CharField(
        label=_("Overall satisfaction question"),
        max_length=300,
        initial=_("Overall, how satisfied are you with the service you received?"),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services whose attributes are rated (one question each)"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    solved = forms.BooleanField(
        label=_("Ask whether the user got done what they needed"), required=False, initial=True
    )
    open_text = forms.BooleanField(
        label=_("Ask what could be improved (open text)"), required=False, initial=True
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from django.conf import settings

        fields: Any = self.fields
        fields["language"].choices = settings.LANGUAGES
        fields["language"].initial = organization.language
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        ).order_by("code")
        # The title's translations, shown to respondents in their language like the questions.
        for code, name in settings.LANGUAGES:
            fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s (if the main language is another)")
                % {"language": name},
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )
        self.order_fields(["title", "language", *(f"title_{c}" for c, _n in settings.LANGUAGES)])

    def titles(self) -> dict[str, str]:
        from django.conf import settings

        return {code: self.cleaned_data.get(f"title_{code}", "") for code, _n in settings.LANGUAGES}


class WaveForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    questionnaire: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=None
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=WaveKind.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    services = forms.ModelMultipleChoiceField(
        label=_("Services measured"),
        queryset=Service.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    opens_on = forms.DateField(
        label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    previous: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Compared with (optional)"), queryset=None, required=False
    )
    panel = forms.BooleanField(
        label=_("Panel: compare the same invited respondents with the previous wave"),
        help_text=_(
            "Answers given through a personal invitation keep a pseudonymous key (a keyed hash "
            "of the address, never the address itself), so that the change can be measured "
            "person by person. Say so in the invitation."
        ),
        required=False,
    )
    client_units = forms.ModelMultipleChoiceField(
        label=_("Client units (internal waves)"),
        help_text=_(
            "The units that use these services. They validate the attributes of the services "
            "before the wave opens, and their members are invited."
        ),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["questionnaire"].queryset = Questionnaire.objects.filter(organization=organization)
        fields["services"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        ).order_by("code")
        fields["previous"].queryset = Wave.objects.filter(organization=organization)
        fields["client_units"].queryset = Unit.objects.filter(
            organization=organization, is_active=True
        ).order_by("path")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("client_units") and data.get("audience") != Audience.INTERNAL:
            self.add_error("client_units", _("Only internal waves have client units."))
        return data


class ClientUnitsForm(StyledFormMixin, forms.Form):
    client_units = forms.ModelMultipleChoiceField(
        label=_("Client units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"client_units": list(wave.client_units.all())})
        super().__init__(*args, **kwargs)
        self.fields["client_units"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            organization=wave.organization, is_active=True
        ).order_by("path")


class AttributeReviewForm(StyledFormMixin, forms.Form):
    """A client unit's say on one attribute. The attribute must be an active one of the wave's
    services: any other id is refused as an invalid choice."""

    attribute = forms.ModelChoiceField(queryset=Attribute.objects.none(), widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("The unit's view"),
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        help_text=_("Required when the unit disagrees."),
        required=False,
        max_length=REVIEW_COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    proposed_name = forms.CharField(
        label=_("Suggested wording (optional)"), required=False, max_length=200
    )

    def __init__(self, *args: Any, attributes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attribute"].queryset = attributes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == ReviewDecision.DISAGREE and not data.get("comment"):
            self.add_error("comment", _("Say why the unit disagrees."))
        if (
            decision == ReviewDecision.SUGGEST
            and not data.get("comment")
            and not data.get("proposed_name")
        ):
            self.add_error("proposed_name", _("Write the change the unit suggests."))
        return data


class AttributeProposalForm(StyledFormMixin, forms.Form):
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.none())
    name = forms.CharField(label=_("Attribute the unit misses"), max_length=200)
    comment = forms.CharField(
        label=_("Why it matters (optional)"),
        required=False,
        max_length=REVIEW_COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "proposal")
        super().__init__(*args, **kwargs)
        services = wave.services.order_by("code")
        field: Any = self.fields["service"]
        field.queryset = services
        if len(services) == 1:
            field.initial = services[0]


class OverrideForm(StyledFormMixin, forms.Form):
    override_reason = forms.CharField(
        label=_("Reason to open the wave before the client units have validated it"),
        max_length=OVERRIDE_REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WeightTargetsForm(StyledFormMixin, forms.Form):
    """The users' share (%) of each channel and touch point, from the organisation's own
    records, that the answers are raked to; blank shares are not targets."""

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from compromiso.catalog.models import Channel, TouchPoint

        targets = wave.weight_targets or {}
        self.groups: dict[str, list[str]] = {"channel": [], "touch_point": []}
        options: dict[str, list[tuple[int, str]]] = {
            "channel": list(
                Channel.objects.filter(organization=wave.organization)
                .order_by("name")
                .values_list("pk", "name")
            ),
            "touch_point": list(
                TouchPoint.objects.filter(organization=wave.organization, is_active=True)
                .order_by("name")
                .values_list("pk", "name")
            ),
        }
        for dimension, items in options.items():
            for pk, label in items:
                name = f"{dimension}_{pk}"
                self.fields[name] = forms.DecimalField(
                    label=label,
                    required=False,
                    min_value=0,
                    max_value=100,
                    max_digits=5,
                    decimal_places=1,
                    initial=targets.get(dimension, {}).get(str(pk)),
                )
                self.groups[dimension].append(name)

    def targets(self) -> dict[str, dict[int, float]]:
        return {
            dimension: {
                int(name.rsplit("_", 1)[1]): float(self.cleaned_data[name])
                for name in names
                if self.cleaned_data.get(name) is not None
            }
            for dimension, names in self.groups.items()
        }

    def fields_of(self, dimension: str) -> list[Any]:
        return [self[name] for name in self.groups[dimension]]

    @property
    def channel_fields(self) -> list[Any]:
        return self.fields_of("channel")

    @property
    def touch_point_fields(self) -> list[Any]:
        return self.fields_of("touch_point")


class SampleDesignForm(StyledFormMixin, forms.Form):
    """The target margin of error and the users of each measured service in the period: the
    minimum number of responses per service follows (with the finite-population correction)."""

    margin = forms.DecimalField(
        label=_("Target margin of error (points of a percentage, 95 % confidence)"),
        min_value=Decimal("0.5"),
        max_value=Decimal("50"),
        max_digits=4,
        decimal_places=1,
    )

    def __init__(self, *args: Any, wave: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        populations = dict(
            wave.strata.filter(touch_point__isnull=True).values_list("service_id", "population")
        )
        self.fields["margin"].initial = wave.margin * 100
        self.service_fields: list[str] = []
        for pk, name in wave.services.order_by("code").values_list("pk", "name"):
            field_name = f"population_{pk}"
            self.fields[field_name] = forms.IntegerField(
                label=name,
                required=False,
                min_value=1,
                max_value=100_000_000,
                initial=populations.get(pk),
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
            self.service_fields.append(field_name)

    def populations(self) -> dict[int, int | None]:
        return {
            int(name.rsplit("_", 1)[1]): self.cleaned_data.get(name) for name in self.service_fields
        }


class KioskForm(StyledFormMixin, forms.Form):
    """Enrol the device this form is sent from as a kiosk for a touch point."""

    name = forms.CharField(
        label=_("Name of the kiosk"),
        max_length=100,
        help_text=_("For example “Tablet at the entrance”."),
    )
    touch_point = forms.ModelChoiceField(
        label=_("Touch point where the kiosk stands"), queryset=TouchPoint.objects.none()
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["touch_point"]
        field.queryset = TouchPoint.objects.filter(organization=organization).select_related(
            "unit", "channel"
        )
