"""Kiosks: devices enrolled to take answers at a touch point."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from compromiso.catalog.models import TouchPoint
from compromiso.core.models import TimeStampedModel
from compromiso.organizations.models import Organization


class KioskQuerySet(models.QuerySet["Kiosk"]):
    def active(self) -> "KioskQuerySet":
        return self.filter(revoked_at__isnull=True)


class Kiosk(TimeStampedModel):
    """A device (a tablet at a counter) that staff enrolled as a survey kiosk for one touch
    point. The device holds a random key in a cookie; only its hash is kept here. An enrolled
    kiosk answers with its own, higher rate limit; the kiosk link on any other device is limited
    like the public page. Revoking it makes the device an ordinary visitor."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    touch_point = models.ForeignKey(
        TouchPoint, verbose_name=_("touch point"), on_delete=models.PROTECT, related_name="+"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = KioskQuerySet.as_manager()

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
