"""Responses, anonymous, and their non-scale answers."""

import json
from collections.abc import Sequence
from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Channel, Service, TouchPoint
from compromiso.organizations.models import Unit
from compromiso.surveys.models.questionnaires import Question
from compromiso.surveys.models.waves import Wave


class UserType(models.TextChoices):
    CITIZEN = "citizen", _("Member of the public")
    BUSINESS = "business", _("Business or professional")
    STAFF = "staff", _("Staff of another unit")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_30 = "u30", _("Under 30")
    FROM_30 = "30_44", _("30 to 44")
    FROM_45 = "45_64", _("45 to 64")
    OVER_65 = "65", _("65 or over")


class ResponseSource(models.TextChoices):
    WEB = "web", _("Public link")
    KIOSK = "kiosk", _("Kiosk")
    IMPORT = "import", _("Imported")


class GradesField(models.JSONField):
    """A response's grades, question id → score, kept as written: PostgreSQL's json rather than
    jsonb, because a bulk import would spend half its COPY re-encoding them as jsonb, and they
    are only ever read back whole (docs/architecture.md, "Surveys and their figures")."""

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        # The migrations name the field by the package's door, wherever it is defined.
        name, _path, args, kwargs = super().deconstruct()
        return name, "compromiso.surveys.models.GradesField", args, kwargs

    def db_type(self, connection: Any) -> str | None:
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # psycopg decodes json itself; SQLite hands back the text.
        return value if value is None or not isinstance(value, str) else json.loads(value)

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if connection.vendor != "postgresql" or value is None:
            return super().get_db_prep_value(value, connection, prepared)
        return json.dumps(value, separators=(",", ":"))


def _fact(to: Any, **options: Any) -> Any:
    """A reference from the response table, which is a fact table: a million-row import cannot
    afford a key look-up per row and reference, so the database keeps no constraint and no
    index on it (the wave's index leads with it). Every reference is taken from the
    organisation's own records by the form or the import, and the referenced rows are never
    deleted: PROTECT is enforced by Django (test_response_storage)."""
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        related_name=options.pop("related_name", "+"),
        db_constraint=False,
        db_index=False,
        **options,
    )


class Response(models.Model):
    """One respondent's answers. Anonymous: contact details only when the respondent agrees to
    be contacted about a low score. The grades of scale questions are kept on the response
    itself (one row per respondent); the other answers are `Answer` rows."""

    wave = _fact(Wave, related_name="responses")
    service = _fact(Service)
    channel = _fact(Channel, null=True, blank=True)
    touch_point = _fact(TouchPoint, null=True, blank=True)
    # Internal waves: the unit the respondent works in (the client of the provider unit).
    client_unit = _fact(Unit, null=True, blank=True)
    user_type = models.CharField(max_length=10, choices=UserType.choices, blank=True)
    age_band = models.CharField(max_length=6, choices=AgeBand.choices, blank=True)
    source = models.CharField(max_length=8, choices=ResponseSource.choices)
    submitted_at = models.DateTimeField()
    grades = GradesField(default=dict, blank=True)
    contact_ok = models.BooleanField(default=False)
    contact_email = models.EmailField(blank=True)
    # Panel waves only: HMAC of the organisation and the invitation's address (see services).
    panel_key = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["wave", "submitted_at"]),
            models.Index(
                fields=["panel_key"], name="response_panel_key", condition=~Q(panel_key="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id} {self.submitted_at:%Y-%m-%d}"

    def grade(self, question_id: int) -> int | None:
        value = self.grades.get(str(question_id))
        return None if value is None else int(value)


class Answer(models.Model):
    """An answer that is not a grade: yes/no and choices (as a list), or open text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True, max_length=2000, validators=[MaxLengthValidator(2000)])

    class Meta:
        # The latest open answers of a question (the wave page's word counts).
        indexes = [models.Index(fields=["question", "-id"], name="answer_question_latest")]

    def __str__(self) -> str:
        return f"{self.response_id} {self.question_id}"
