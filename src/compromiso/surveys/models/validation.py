"""The client units' say on the attributes an internal wave measures: reviews and proposals."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import Attribute, Service
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Unit
from compromiso.surveys.models.waves import Wave

REVIEW_COMMENT_LIMIT = 1000


class ReviewDecision(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    SUGGEST = "suggest", _("Suggest a change")


class AttributeReview(TimeStampedModel):
    """A client unit's say on one attribute its provider proposed for an internal wave: agreed,
    disagreed or a change suggested. One per wave, attribute and client unit, changeable while the
    wave is a draft. The attribute's wording at the time is kept: an agreement to an attribute
    that was reworded afterwards no longer counts."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="attribute_reviews")
    attribute = models.ForeignKey(
        Attribute, verbose_name=_("attribute"), on_delete=models.PROTECT, related_name="+"
    )
    client_unit = models.ForeignKey(
        Unit, verbose_name=_("client unit"), on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField(
        _("comment"),
        blank=True,
        max_length=REVIEW_COMMENT_LIMIT,
        validators=[MaxLengthValidator(REVIEW_COMMENT_LIMIT)],
    )
    proposed_name = models.CharField(_("proposed wording"), max_length=200, blank=True)
    attribute_name = models.CharField(max_length=200)
    attribute_description = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"))

    class Meta:
        verbose_name = _("attribute review")
        verbose_name_plural = _("attribute reviews")
        ordering = ["wave", "attribute", "client_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "attribute", "client_unit"], name="attribute_review_once"
            ),
            models.CheckConstraint(
                condition=~Q(decision="disagree") | ~Q(comment=""),
                name="attribute_review_disagreement_explained",
                violation_error_message=_("Say why the unit disagrees."),
            ),
            models.CheckConstraint(
                condition=~Q(decision="suggest") | ~Q(comment="", proposed_name=""),
                name="attribute_review_suggestion_given",
                violation_error_message=_("Write the change the unit suggests."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attribute_name} · {self.get_decision_display()}"


class AttributeProposal(TimeStampedModel):
    """An attribute a client unit misses among those its provider proposed. The provider adds it
    to the service in the catalogue, and the client units then review it like the others."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="attribute_proposals")
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="+"
    )
    client_unit = models.ForeignKey(
        Unit, verbose_name=_("client unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("attribute proposed"), max_length=200)
    comment = models.TextField(
        _("comment"),
        blank=True,
        max_length=REVIEW_COMMENT_LIMIT,
        validators=[MaxLengthValidator(REVIEW_COMMENT_LIMIT)],
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attribute proposal")
        verbose_name_plural = _("attribute proposals")
        ordering = ["wave", "service", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "service", "client_unit", "name"],
                name="attribute_proposal_once",
                violation_error_message=_("The unit already proposed this attribute."),
            )
        ]

    def __str__(self) -> str:
        return self.name
