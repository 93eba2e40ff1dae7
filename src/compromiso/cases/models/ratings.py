"""The requester's rating of the outcome and the handling."""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.cases.models.case import Case

SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class HandlingRating(models.Model):
    """The requester's short survey after the answer: the outcome and the handling (ISO 10002
    §8.3), on a 1–5 scale."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="rating")
    outcome = models.PositiveSmallIntegerField(_("the outcome"), validators=SCORE)
    courtesy = models.PositiveSmallIntegerField(_("courtesy"), validators=SCORE)
    clarity = models.PositiveSmallIntegerField(_("clarity of the answer"), validators=SCORE)
    timeliness = models.PositiveSmallIntegerField(_("timeliness"), validators=SCORE)
    comment = models.TextField(
        _("comment"), max_length=2000, blank=True, validators=[MaxLengthValidator(2000)]
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("handling rating")
        verbose_name_plural = _("handling ratings")

    def __str__(self) -> str:
        return f"{self.case.tracking_code} {self.outcome}"

    @property
    def handling(self) -> float:
        return (self.courtesy + self.clarity + self.timeliness) / 3
