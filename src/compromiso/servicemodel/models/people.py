"""The people who serve users: each staff member's unit, whether they attend users (contact
staff) or work in the back office, and the touch points where they attend. A person need not
have a log-in to be trained and counted; `code` (the employee number) identifies them across
imports of the staff list."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import Organization, Unit


class StaffRole(models.TextChoices):
    CONTACT = "contact", _("Contact staff")
    BACK_OFFICE = "back_office", _("Back office")


class StaffMemberQuerySet(models.QuerySet["StaffMember"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "StaffMemberQuerySet":
        """Staff of units in the user's scope: a unit head sees their unit's people."""
        return scope_for(user, perm).filter(self, path_field="unit__path")

    def active(self) -> "StaffMemberQuerySet":
        return self.filter(is_active=True)

    def contact(self) -> "StaffMemberQuerySet":
        return self.filter(role=StaffRole.CONTACT)


class StaffMember(TimeStampedModel):
    """A person on the organisation's staff list."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="staff_members"
    )
    code = models.CharField(
        _("employee number"),
        max_length=40,
        help_text=_("Identifies the person in every import of the staff list."),
    )
    name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(
        _("role with users"), max_length=12, choices=StaffRole.choices, default=StaffRole.CONTACT
    )
    is_manager = models.BooleanField(
        _("middle manager"),
        default=False,
        help_text=_("Middle managers are trained as trainers and keep the model alive."),
    )
    touch_points = models.ManyToManyField(
        TouchPoint, verbose_name=_("touch points"), blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="staffmember_code_once",
                violation_error_message=_("Another person has this employee number."),
            ),
            models.UniqueConstraint(
                fields=["organization", "user"],
                condition=Q(user__isnull=False),
                name="staffmember_user_once",
                violation_error_message=_("Another person is linked to this user account."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_contact(self) -> bool:
        return self.role == StaffRole.CONTACT


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    APPLIED = "applied", _("Applied")
    DISCARDED = "discarded", _("Discarded")


class StaffImport(TimeStampedModel):
    """An uploaded staff list between its preview and its confirmation. The file is kept only
    until then: applying or discarding it empties `content`; what was rejected stays for the
    report."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(default=b"")
    deactivate_missing = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    # {"created": n, "updated": n, "unchanged": n, "deactivated": n, "rejected": n}
    outcome = models.JSONField(default=dict)
    # [[line, column, reason, employee number, name], ...]
    rejected = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
