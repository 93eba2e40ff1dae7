"""Access grants for auditors who are not members of the audited organisation — an outside
auditor, or a peer from another organisation of the network — and accounts for outside
auditors.

A grant is given by MANAGE_AUDITS of the audited organisation for one open audit, for a window
of at most 180 days; it lets its holder see and work on that audit only. It is logged when
granted and revoked; its holder's last use is recorded; it is revoked by hand (with a reason),
when the audit closes or is cancelled, and once it has run out (`expire_accesses`).

An outside auditor's account has no membership and no usable password: the person chooses one
from the link e-mailed to them, as every new staff member does."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from compromiso.audits.access import can, is_member
from compromiso.audits.models import Audit, AuditAccess, TeamMember
from compromiso.audits.services.team import add_team_member
from compromiso.core.actors import SYSTEM, Actor, user_of
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, organization_ids_for, require
from compromiso.core.tasks import enqueue_with_transaction
from compromiso.organizations.models import Organization, User

MAX_ACCESS_DAYS = 180
EXPIRED_REASON = "expired"


class AccessError(DomainError):
    pass


def _manage(audit: Audit, by: Actor) -> None:
    if not can(by, audit, "manage"):
        raise PermissionDenied(_("You do not have permission to do this."))


def find_user(identifier: str) -> User | None:
    """An active user named exactly by user name or e-mail address (one match, or none)."""
    value = identifier.strip()
    if not value or len(value) > 254:
        return None
    matches = list(User.objects.filter(is_active=True).filter(username__iexact=value)[:2]) or list(
        User.objects.filter(is_active=True, email__iexact=value)[:2]
    )
    return matches[0] if len(matches) == 1 else None


def home_organization(user: User) -> Organization | None:
    """The organisation of the network a peer comes from (their first), or None."""
    ids = organization_ids_for(user)
    return Organization.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


@transaction.atomic
def grant_access(
    audit: Audit,
    *,
    by: Actor,
    user: User,
    valid_from: dt.datetime,
    valid_until: dt.datetime,
    role: str = "",
) -> AuditAccess:
    """Let an auditor who is not a member into this audit only, for a window; with `role`,
    also put them on the team."""
    _manage(audit, by)
    if not audit.is_open:
        raise AccessError(_("Access is granted only to an open audit."), code="not_open")
    if not user.is_active:
        raise ValidationError({"user": _("This account is not active.")})
    if is_member(user, audit.organization_id):
        raise ValidationError(
            {"user": _("Members of the organisation need no access: add them to the team.")}
        )
    now = timezone.now()
    if valid_until <= valid_from:
        raise ValidationError({"valid_until": _("The access ends before it starts.")})
    if valid_until <= now:
        raise ValidationError({"valid_until": _("The access must end in the future.")})
    if valid_until - valid_from > dt.timedelta(days=MAX_ACCESS_DAYS):
        raise ValidationError(
            {"valid_until": _("At most %(days)d days of access.") % {"days": MAX_ACCESS_DAYS}}
        )
    if AuditAccess.objects.filter(
        audit=audit, user=user, revoked_at__isnull=True, valid_until__gt=now
    ).exists():
        raise ValidationError({"user": _("This person already holds an access to this audit.")})
    peer_from = home_organization(user)
    access = AuditAccess(
        audit=audit,
        user=user,
        home_organization=peer_from,
        granted_by=user_of(by),
        granted_at=now,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    access.full_clean()
    access.save()
    log_action(
        audit,
        "audits.access.granted",
        by=by,
        data={
            "access": access.pk,
            "user": user.pk,
            "from": valid_from.isoformat(),
            "until": valid_until.isoformat(),
            "peer_from": peer_from.pk if peer_from else None,
        },
    )
    if role and not TeamMember.objects.filter(audit=audit, user=user).exists():
        add_team_member(
            audit, by=by, user=user, role=role, affiliation=peer_from.name if peer_from else ""
        )
    return access


@transaction.atomic
def revoke_access(access: AuditAccess, *, by: Actor, reason: str) -> AuditAccess:
    audit = access.audit
    _manage(audit, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the access is revoked.")})
    if access.revoked_at is not None:
        raise AccessError(_("This access is already revoked."), code="revoked")
    access.revoked_at = timezone.now()
    access.revoked_by = user_of(by)
    access.revoke_reason = reason.strip()[:300]
    access.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    log_action(
        audit,
        "audits.access.revoked",
        by=by,
        data={"access": access.pk, "user": access.user_id, "reason": access.revoke_reason},
    )
    return access


@transaction.atomic
def expire_accesses(*, by: Actor = SYSTEM, now: dt.datetime | None = None) -> int:
    """Mark every grant that has run out as revoked ("expired"), each logged. The grant
    already stopped working at its end; this records it."""
    now = now or timezone.now()
    expired = 0
    for access in AuditAccess.objects.filter(
        revoked_at__isnull=True, valid_until__lte=now
    ).select_related("audit"):
        access.revoked_at = now
        access.revoke_reason = EXPIRED_REASON
        access.save(update_fields=["revoked_at", "revoke_reason"])
        log_action(
            access.audit,
            "audits.access.expired",
            by=by,
            data={"access": access.pk, "user": access.user_id},
        )
        expired += 1
    return expired


def _username(email: str) -> str:
    base = slugify(email.split("@")[0])[:30] or "auditor"
    candidate = f"aud-{base}"
    number = 1
    while User.objects.filter(username__iexact=candidate).exists():
        number += 1
        candidate = f"aud-{base}-{number}"
    return candidate


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@transaction.atomic
def create_outside_auditor(
    organization: Organization,
    *,
    by: Actor,
    first_name: str,
    last_name: str,
    email: str,
) -> User:
    """An account with no membership for an auditor from outside the network; they choose
    their password from the link e-mailed to them."""
    from compromiso.organizations.tasks import send_welcome_email

    require(by, Perm.MANAGE_AUDITS, organization_id=organization.pk)
    email = email.strip()
    if not EMAIL.match(email):
        raise ValidationError({"email": _("Enter a valid e-mail address.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("Someone has an account with this address: choose them instead.")}
        )
    user = User(
        username=_username(email),
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        preferred_language=organization.language,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    log_action(
        organization,
        "audits.outside_auditor.created",
        by=by,
        data={"user": user.pk, "username": user.username},
    )
    enqueue_with_transaction(send_welcome_email, user_id=user.pk)
    return user
