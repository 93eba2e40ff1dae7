"""Forms of the procedure directory (staff side): a procedure, the branches and queues that
serve it, and the directory search."""

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from compromiso.attention.directory import MAX_QUERY
from compromiso.attention.models import Branch, Procedure, Queue
from compromiso.catalog.models import Channel, Service
from compromiso.core.forms import StyledFormMixin


class ProcedureForm(StyledFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    """Validated here and again by the service (which checks the code is unique)."""

    class Meta:
        model = Procedure
        fields = [
            "code",
            "name",
            "summary",
            "who_may",
            "requirements",
            "cost",
            "how_and_where",
            "online_url",
            "channels",
            "keywords",
            "service",
            "is_published",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "who_may": forms.Textarea(attrs={"rows": 2}),
            "requirements": forms.Textarea(attrs={"rows": 4}),
            "how_and_where": forms.Textarea(attrs={"rows": 3}),
            "channels": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self,
        *args: Any,
        channels: QuerySet[Channel],
        services: QuerySet[Service],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["channels"].queryset = channels
        fields["service"].queryset = services
        # The code is part of the procedure's public address: letters, digits, . _ -
        fields["code"].validators.append(
            RegexValidator(
                r"^[A-Za-z0-9._-]+$",
                _("Use letters, digits, dots, dashes and underscores only."),
            )
        )

    def validate_unique(self) -> None:
        """The code's uniqueness needs the organisation: the service checks it."""


class BranchesForm(StyledFormMixin, forms.Form):
    """One choice per branch of the organisation: the queue that serves the procedure there,
    or none."""

    def __init__(
        self, *args: Any, branches: list[Branch], current: dict[int, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.branches = branches
        queues: dict[int, list[Queue]] = {}
        for queue in Queue.objects.filter(branch__in=branches, is_active=True).order_by(
            "order", "name"
        ):
            queues.setdefault(queue.branch_id, []).append(queue)
        self.queues = queues
        for branch in branches:
            choices: list[tuple[str, object]] = [("", _("Not served here"))]
            choices += [(str(q.pk), str(q)) for q in queues.get(branch.pk, [])]
            self.fields[f"branch_{branch.pk}"] = forms.ChoiceField(
                label=str(branch),
                choices=choices,
                required=False,
                initial=str(current.get(branch.pk, "")),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def chosen(self) -> dict[Branch, Queue | None]:
        """{branch: queue or None}, from valid data."""
        found: dict[Branch, Queue | None] = {}
        for branch in self.branches:
            value = self.cleaned_data.get(f"branch_{branch.pk}") or ""
            by_pk = {str(q.pk): q for q in self.queues.get(branch.pk, [])}
            found[branch] = by_pk.get(value)
        return found


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search procedures"),
        required=False,
        max_length=MAX_QUERY,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )

    def query(self) -> str:
        """The words to search for: a query too long is cut, never refused."""
        raw = self.data.get("q", "") if self.is_bound else ""
        return str(raw)[:MAX_QUERY]
