"""Forms of the front line: a ticket at reception, and the steps of a visit at reception or at
a desk (transfer, finish, pick). Queues and visits are limited to the branch's, so an id from
another branch or organisation is a field error, never a change."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models import Outcome, PriorityGroup, Queue, Visit
from compromiso.core.forms import StyledFormMixin

FINISH_OUTCOMES = [
    (o.value, o.label)
    for o in (Outcome.RESOLVED, Outcome.PENDING, Outcome.REFERRED, Outcome.NOT_RESOLVED)
]


class TicketForm(StyledFormMixin, forms.Form):
    queue = forms.ModelChoiceField(label=_("Queue"), queryset=Queue.objects.none())
    priority_group = forms.ChoiceField(
        label=_("Priority"), choices=PriorityGroup.choices, required=False
    )

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]


class VisitForm(forms.Form):
    """A step on one visit of the branch (recall, start, hold, resume, no-show, left, pick)."""

    visit = forms.ModelChoiceField(queryset=Visit.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, visits: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visit"].queryset = visits  # type: ignore[attr-defined]


class TransferForm(StyledFormMixin, VisitForm):
    to_queue = forms.ModelChoiceField(label=_("Transfer to"), queryset=Queue.objects.none())
    keep_place = forms.TypedChoiceField(
        label=_("Place in the new queue"),
        choices=[
            ("1", _("Keep the place (by arrival time)")),
            ("0", _("Go to the end of the queue")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
    )

    def __init__(self, *args: Any, visits: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, visits=visits, **kwargs)
        self.fields["to_queue"].queryset = queues  # type: ignore[attr-defined]


class FinishForm(StyledFormMixin, VisitForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FINISH_OUTCOMES)
    next_queue = forms.ModelChoiceField(
        label=_("Another service (next queue)"),
        queryset=Queue.objects.none(),
        required=False,
        help_text=_("The visitor goes on to this queue keeping their place."),
    )

    def __init__(self, *args: Any, visits: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, visits=visits, **kwargs)
        self.fields["next_queue"].queryset = queues  # type: ignore[attr-defined]
