"""The procedure directory of a one-stop service (ChileAtiende): what each procedure is, who may
do it, what it needs and costs, how and where it is done, and which institution owns it; the
agreements under which a front-office organisation serves other institutions' procedures; and
which branch serves which procedure, in which queue."""

from decimal import Decimal

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from compromiso.attention.models.branches import Branch, Queue
from compromiso.catalog.models import Channel, Service
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization


def _text(label: "StrOrPromise", limit: int = 4000) -> "models.TextField[str, str]":
    return models.TextField(
        label, max_length=limit, blank=True, validators=[MaxLengthValidator(limit)]
    )


class Procedure(TimeStampedModel):
    """A procedure a citizen can do (apply for a certificate, renew a benefit…), owned by one
    institution (`organization`), possibly served by others' branches under an agreement."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("owning institution"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures",
        help_text=_("The owning institution's service this procedure belongs to."),
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    summary = _text(_("what it is"), 2000)
    who_may = _text(_("who may do it"), 2000)
    requirements = _text(_("requirements"))
    cost = models.CharField(
        _("cost"), max_length=200, blank=True, help_text=_("E.g. Free, or 3.20 € per certificate")
    )
    how_and_where = _text(_("how and where"))
    online_url = models.URLField(_("do it online"), blank=True)
    channels = models.ManyToManyField(
        Channel, verbose_name=_("channels"), related_name="procedures", blank=True
    )
    keywords = models.CharField(
        _("other words citizens use"),
        max_length=300,
        blank=True,
        help_text=_("Found by the directory's search as well: separate them with commas."),
    )
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="procedure_code_unique_per_organization",
                violation_error_message=_("Another procedure of this institution has this code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class AgreementQuerySet(models.QuerySet["FrontOfficeAgreement"]):
    def in_force(self, day: "object") -> "AgreementQuerySet":
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=day)
        )


class FrontOfficeAgreement(TimeStampedModel):
    """A front-office organisation serves an institution's procedures in its branches and on
    its phone line, with a target for that institution's visitors. The institution sees its
    own procedures' figures and nothing else of the front office."""

    front_office = models.ForeignKey(
        Organization,
        verbose_name=_("front office"),
        on_delete=models.PROTECT,
        related_name="served_agreements",
    )
    institution = models.ForeignKey(
        Organization,
        verbose_name=_("institution"),
        on_delete=models.PROTECT,
        related_name="front_office_agreements",
    )
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    valid_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("in force until"), null=True, blank=True)
    procedures = models.ManyToManyField(
        Procedure, verbose_name=_("procedures served"), related_name="agreements", blank=True
    )
    target_within_minutes = models.PositiveSmallIntegerField(
        _("target: served within (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
    )
    target_share = models.DecimalField(
        _("target: share of visitors (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    notes = _text(_("notes"), 2000)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("front-office agreement")
        verbose_name_plural = _("front-office agreements")
        ordering = ["institution__name", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(front_office=models.F("institution")),
                name="agreement_between_two_organizations",
                violation_error_message=_("An agreement is between two different organisations."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.front_office} → {self.institution}"


class BranchProcedure(models.Model):
    """A branch serves a procedure, in one of its queues: the kiosk offers it, the office
    directory lists it."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="procedures")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="branches")
    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("procedure served at a branch")
        verbose_name_plural = _("procedures served at a branch")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "procedure"],
                name="branch_procedure_once",
                violation_error_message=_("This branch already serves this procedure."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch} · {self.procedure}"
