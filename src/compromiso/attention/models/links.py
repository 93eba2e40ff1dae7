"""A visit's links to what followed it: the post-visit survey invitation made for it (one per
visit) and the complaints filed about it (a case is about at most one visit)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compromiso.attention.models.visits import Visit
from compromiso.cases.models import Case
from compromiso.surveys.models import Invitation


class VisitSurvey(models.Model):
    """The personal, single-use survey invitation offered to a visitor after their visit."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="survey_link")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("post-visit survey")
        verbose_name_plural = _("post-visit surveys")

    def __str__(self) -> str:
        return f"{self.visit} · {self.invitation_id}"


class VisitCase(models.Model):
    """A case (usually a complaint) filed about a visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="case_links")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="visit_link")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case about a visit")
        verbose_name_plural = _("cases about a visit")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.visit} · {self.case_id}"
