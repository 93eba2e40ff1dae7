"""Forms of a branch's set-up: the branch, its opening hours, its queues and its desks. They only
read and check input; the services in `attention.services.setup` make the changes."""

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models import Queue, Weekday
from compromiso.catalog.models import Service, TouchPoint
from compromiso.core.forms import StyledFormMixin

PERIODS = 2  # two opening periods a day at most: a split day


WINDOW_FIELDS = ("check_in_opens_minutes", "check_in_closes_minutes", "no_show_after_minutes")


class BranchForm(StyledFormMixin, forms.Form):
    touch_point = forms.ModelChoiceField(
        label=_("Touch point"),
        queryset=TouchPoint.objects.none(),
        help_text=_("An in-person touch point of the organisation that has no queue yet."),
    )
    code = forms.SlugField(
        label=_("Short name"),
        max_length=40,
        help_text=_("Used in public addresses, e.g. /o/agency/offices/centro/."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    has_oirs_desk = forms.BooleanField(
        label=_("has a desk for complaints and suggestions (OIRS)"), required=False
    )
    no_show_after_calls = forms.IntegerField(
        label=_("no-show after this many calls"), min_value=1, max_value=9, initial=3
    )
    service_level_minutes = forms.IntegerField(
        label=_("service level: served within (minutes)"), min_value=1, max_value=480, initial=15
    )
    accepts_web_queue = forms.BooleanField(
        label=_("visitors may join the queue from the web"), required=False, initial=True
    )
    accepts_appointments = forms.BooleanField(
        label=_("takes appointments"), required=False, initial=True
    )
    check_in_opens_minutes = forms.IntegerField(
        label=_("appointment check-in opens (minutes before the time)"),
        min_value=0,
        max_value=240,
        initial=60,
        required=False,
    )
    check_in_closes_minutes = forms.IntegerField(
        label=_("appointment check-in closes (minutes after the slot ends)"),
        min_value=0,
        max_value=240,
        initial=15,
        required=False,
    )
    no_show_after_minutes = forms.IntegerField(
        label=_("an appointment not checked in is a no-show (minutes after the slot ends)"),
        min_value=0,
        max_value=1440,
        initial=30,
        required=False,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in WINDOW_FIELDS:  # left empty: the usual window
            if name in data and data[name] is None:
                data[name] = self.fields[name].initial
        closes, no_show = data.get("check_in_closes_minutes"), data.get("no_show_after_minutes")
        if closes is not None and no_show is not None and no_show < closes:
            self.add_error(
                "no_show_after_minutes",
                _("An appointment can only be a no-show once its check-in has closed."),
            )
        return data

    def __init__(self, *args: Any, touch_points: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if touch_points is None:  # editing: the touch point stays
            del self.fields["touch_point"]
        else:
            self.fields["touch_point"].queryset = touch_points  # type: ignore[attr-defined]


class OpeningHoursForm(StyledFormMixin, forms.Form):
    """Up to two periods per weekday (a split day), each an opening and a closing time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in Weekday:
            for n in range(1, PERIODS + 1):
                for edge, label in (("opens", _("opens at")), ("closes", _("closes at"))):
                    self.fields[f"d{day.value}_{edge}{n}"] = forms.TimeField(
                        label=f"{day.label} · {label} ({n})",
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )

    def rows(self) -> list[dict[str, Any]]:
        """The fields laid out per weekday, for the template."""
        return [
            {
                "day": day.label,
                "periods": [
                    (self[f"d{day.value}_opens{n}"], self[f"d{day.value}_closes{n}"])
                    for n in range(1, PERIODS + 1)
                ],
            }
            for day in Weekday
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        periods: list[tuple[int, dt.time, dt.time]] = []
        for day in Weekday:
            for n in range(1, PERIODS + 1):
                opens = data.get(f"d{day.value}_opens{n}")
                closes = data.get(f"d{day.value}_closes{n}")
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    self.add_error(
                        f"d{day.value}_opens{n}",
                        gettext("Give both the opening and the closing time."),
                    )
                elif closes <= opens:
                    self.add_error(
                        f"d{day.value}_closes{n}",
                        gettext("The closing time must come after the opening time."),
                    )
                else:
                    periods.append((day.value, opens, closes))
        data["periods"] = periods
        return data

    @classmethod
    def initial_from(cls, hours: Any) -> dict[str, dt.time]:
        initial: dict[str, dt.time] = {}
        seen: dict[int, int] = {}
        for row in hours:
            n = seen[row.weekday] = seen.get(row.weekday, 0) + 1
            if n <= PERIODS:
                initial[f"d{row.weekday}_opens{n}"] = row.opens_at
                initial[f"d{row.weekday}_closes{n}"] = row.closes_at
        return initial


class QueueForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    letter = forms.RegexField(
        label=_("Ticket letter"),
        regex=r"^[A-Za-z]{1,2}$",
        max_length=2,
        error_messages={"invalid": _("Use one or two letters from A to Z.")},
        help_text=_("Tickets of this queue are numbered with it: A001, A002…"),
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Services"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_quick = forms.BooleanField(label=_("Quick transactions"), required=False)
    target_wait_minutes = forms.IntegerField(
        label=_("Target wait (minutes)"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
        help_text=_("Leave empty to use the branch's service level."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = services  # type: ignore[attr-defined]

    def clean_letter(self) -> str:
        return str(self.cleaned_data["letter"]).upper()


class DeskForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=60, help_text=_("As the display shows it: Desk 3")
    )
    queues = forms.ModelMultipleChoiceField(
        label=_("Queues it serves"),
        queryset=Queue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queues"].queryset = queues  # type: ignore[attr-defined]
