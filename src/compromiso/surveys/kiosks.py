"""Survey kiosks: staff enrol a device (a tablet at a counter) for a touch point; the device
keeps a random key in a cookie, of which only the hash is stored. The kiosk page on an enrolled
device answers for that touch point with its own, higher rate limit; on any other device the
kiosk link is limited like the public page. Every enrolment and revocation is audit-logged."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.catalog.models import TouchPoint
from compromiso.core.audit import log_action
from compromiso.core.permissions import Perm, require
from compromiso.organizations.models import Organization, User
from compromiso.surveys.models import Kiosk

COOKIE = "compromiso_kiosk"
COOKIE_AGE = 5 * 365 * 24 * 3600  # the device stays enrolled until it is revoked
ANSWERS_PER_HOUR = 240  # a busy counter: one answer every 15 seconds for an hour


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def enrol_kiosk(
    organization: Organization, *, name: str, touch_point: TouchPoint, by: User
) -> tuple[Kiosk, str]:
    """A new kiosk and the key its device keeps (shown to nobody, set as the device's cookie)."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=organization.pk)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the kiosk a name.")})
    if touch_point.organization_id != organization.pk:
        raise ValidationError({"touch_point": _("Choose a touch point of this organisation.")})
    key = secrets.token_urlsafe(32)
    kiosk = Kiosk.objects.create(
        organization=organization,
        name=name[:100],
        touch_point=touch_point,
        key_hash=key_hash(key),
        enrolled_by=by,
    )
    log_action(
        kiosk,
        "surveys.kiosk.enrolled",
        by=by,
        data={"name": kiosk.name, "touch_point": touch_point.pk},
    )
    return kiosk, key


@transaction.atomic
def revoke_kiosk(kiosk: Kiosk, *, by: User) -> Kiosk:
    """The device is an ordinary visitor from now on."""
    require(by, Perm.MANAGE_SURVEYS, organization_id=kiosk.organization_id)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = timezone.now()
        kiosk.save(update_fields=["revoked_at", "updated_at"])
        log_action(kiosk, "surveys.kiosk.revoked", by=by, data={"name": kiosk.name})
    return kiosk


def kiosk_for_key(key: str | None, organization_id: int) -> Kiosk | None:
    """The enrolled, unrevoked kiosk of the organisation whose device holds `key`."""
    if not key or len(key) > 100:
        return None
    return (
        Kiosk.objects.active()
        .filter(key_hash=key_hash(key), organization_id=organization_id)
        .select_related("touch_point__channel")
        .first()
    )
