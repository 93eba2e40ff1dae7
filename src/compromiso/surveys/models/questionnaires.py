"""Questionnaires, versioned by lineage, and their questions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Attribute
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization


def _texts(texts: dict[str, str], fallback: str) -> str:
    language = translation.get_language() or fallback
    return texts.get(language[:2]) or texts.get(fallback) or next(iter(texts.values()), "")


class Questionnaire(TimeStampedModel):
    """A set of questions. Once a wave has opened on it, it is locked: changes go into a new
    version (same lineage), so answers always match the questions asked."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    # The title in the other languages, {"ca": "...", "en": "..."}, as a question's texts.
    titles = models.JSONField(_("title in other languages"), default=dict, blank=True)
    language = models.CharField(_("main language"), max_length=8, choices=settings.LANGUAGES)
    is_locked = models.BooleanField(_("in use (locked)"), default=False)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="questionnaire_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def display_title(self) -> str:
        """The title in the language of the request, as the questions are shown: the main
        title when there is no translation."""
        return _texts({**(self.titles or {}), self.language[:2]: self.title}, self.language[:2])


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale")
    YES_NO = "yes_no", _("Yes / no")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Open text")


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    # {"es": "...", "ca": "...", "en": "..."}
    texts = models.JSONField(_("wording"), default=dict)
    required = models.BooleanField(_("required"), default=True)
    scale_min = models.SmallIntegerField(null=True, blank=True)
    scale_max = models.SmallIntegerField(null=True, blank=True)
    satisfied_min = models.SmallIntegerField(null=True, blank=True)
    dissatisfied_max = models.SmallIntegerField(null=True, blank=True)
    attribute = models.ForeignKey(
        Attribute,
        verbose_name=_("attribute rated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_overall = models.BooleanField(_("overall satisfaction question"), default=False)
    # A single-choice question whose answer is a segment of the respondents (first visit or not,
    # how often they use the service…): the overall grade is broken down by its options.
    is_segment = models.BooleanField(_("segment of the respondents"), default=False)
    # [{"value": "x", "texts": {"es": "...", ...}}] for single and multiple choice.
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="scale")
                | (
                    Q(scale_min__isnull=False, scale_max__isnull=False)
                    & Q(satisfied_min__isnull=False, dissatisfied_max__isnull=False)
                    & Q(scale_min__lte=models.F("dissatisfied_max"))
                    & Q(dissatisfied_max__lt=models.F("satisfied_min"))
                    & Q(satisfied_min__lte=models.F("scale_max"))
                ),
                name="question_scale_bands_ordered",
                violation_error_message=_(
                    "A scale needs its range and bands: minimum ≤ dissatisfied < satisfied ≤ "
                    "maximum."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _texts(self.texts, self.questionnaire.language)

    @property
    def scale(self) -> list[int]:
        if self.kind != QuestionKind.SCALE or self.scale_min is None or self.scale_max is None:
            return []
        return list(range(self.scale_min, self.scale_max + 1))

    def choice_items(self) -> list[tuple[str, str]]:
        return [
            (str(c["value"]), _texts(c.get("texts", {}), self.questionnaire.language))
            for c in self.choices
        ]
