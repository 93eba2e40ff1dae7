"""What the organisation offers and where users meet it: channels, touch points, services and
the quality attributes users rate."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.core.models import TimeStampedModel
from compromiso.core.permissions import Perm, Viewer, scope_for
from compromiso.organizations.models import Organization, Unit


class ChannelKind(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    WEB = "web", _("Web")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    KIOSK = "kiosk", _("Self-service kiosk")
    SOCIAL = "social", _("Social media")
    POST = "post", _("Post")


class ChannelQuerySet(models.QuerySet["Channel"]):
    def visible_to(self, user: Viewer) -> "ChannelQuerySet":
        """Channels are reference data: every member of the organisation sees them."""
        return scope_for(user, Perm.VIEW).filter(self, organization_wide_if_touched=True)

    def active(self) -> "ChannelQuerySet":
        return self.filter(is_active=True)


class Channel(TimeStampedModel):
    """A way users reach the organisation (counter, web, phone…)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="channels",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="channel_name_unique_per_organization",
                violation_error_message=_("Another channel of this organisation has this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class TouchPointQuerySet(models.QuerySet["TouchPoint"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "TouchPointQuerySet":
        """Touch points of units in the user's scope."""
        return scope_for(user, perm).filter(self, path_field="unit__path")


class TouchPoint(TimeStampedModel):
    """A place where a user meets the service: one unit through one channel."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="touch_points",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="touch_points"
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="touch_points"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    opening_hours = models.CharField(
        _("opening hours"), max_length=300, blank=True, help_text=_("E.g. Mon–Fri 8:30–14:00")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = TouchPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("touch point")
        verbose_name_plural = _("touch points")
        ordering = ["unit__path", "channel__kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "channel", "name"],
                name="touch_point_unique_per_unit_channel",
                violation_error_message=_("This unit already has a touch point with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Audience(models.TextChoices):
    EXTERNAL = "external", _("External users")
    INTERNAL = "internal", _("Internal customers (other units)")


class ServiceQuerySet(models.QuerySet["Service"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "ServiceQuerySet":
        """Services provided by units in the user's scope."""
        return scope_for(user, perm).filter(self, path_field="provider_unit__path")

    def active(self) -> "ServiceQuerySet":
        return self.filter(is_active=True)


class Service(TimeStampedModel):
    """Something the organisation provides, to the public or to its own units."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    # A TextField's max_length is not checked by model validation: the validator is.
    description = models.TextField(
        _("description"), max_length=5000, blank=True, validators=[MaxLengthValidator(5000)]
    )
    provider_unit = models.ForeignKey(
        Unit, verbose_name=_("provider unit"), on_delete=models.PROTECT, related_name="services"
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.EXTERNAL
    )
    channels = models.ManyToManyField(
        Channel, verbose_name=_("channels offered"), related_name="services", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"],
                name="service_code_unique_per_organization",
                violation_error_message=_("Another service of this organisation has this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class ServqualDimension(models.TextChoices):
    RELIABILITY = "reliability", _("Reliability")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    ASSURANCE = "assurance", _("Assurance")
    EMPATHY = "empathy", _("Empathy")
    TANGIBLES = "tangibles", _("Tangibles")


class AttributeQuerySet(models.QuerySet["Attribute"]):
    def visible_to(self, user: Viewer, perm: Perm = Perm.VIEW) -> "AttributeQuerySet":
        """Attributes of the services the user can see."""
        return self.filter(service__in=Service.objects.visible_to(user, perm))

    def active(self) -> "AttributeQuerySet":
        return self.filter(is_active=True)


class Attribute(TimeStampedModel):
    """A quality aspect of a service that users rate (timeliness, courtesy, clarity…)."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="attributes"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    dimension = models.CharField(
        _("SERVQUAL dimension"), max_length=16, choices=ServqualDimension.choices, blank=True
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = AttributeQuerySet.as_manager()

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["service", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "name"],
                name="attribute_name_unique_per_service",
                violation_error_message=_("This service already has an attribute with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organization_id(self) -> int:
        return self.service.organization_id
