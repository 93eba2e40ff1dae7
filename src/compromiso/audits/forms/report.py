"""The report's texts, as the lead auditor writes them. Saving goes through
audits.services.save_report."""

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import Report
from compromiso.audits.services.reports import REPORT_TEXTS
from compromiso.core.forms import StyledFormMixin

HELP = {
    "summary": _("What the audit set out to do and what it found, in a few lines."),
    "participants": _("Who took part for the audited side (names and roles)."),
    "degree_met": _(
        "Your statement of how far the criteria are met; the counts from the checklist are "
        "added to it."
    ),
    "areas_not_covered": _(
        "What was in scope and could not be audited, and why; touch points and checklist items "
        "without an answer are listed with it."
    ),
    "obstacles": _("Anything that hindered the audit."),
    "conclusions": _("Needed to issue the report."),
    "confidentiality": _("What may be disclosed, and with whose approval."),
    "distribution": _("Who receives the report."),
}


class ReportForm(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in REPORT_TEXTS:
            field = Report._meta.get_field(name)
            assert isinstance(field, models.Field)
            limit = field.max_length
            self.fields[name] = forms.CharField(
                label=str(field.verbose_name).capitalize(),
                max_length=limit,
                required=False,
                help_text=HELP.get(name, ""),
                widget=forms.Textarea(attrs={"rows": 6 if limit and limit > 2000 else 3}),
            )
