"""Two-factor log-in for staff: enrolment of an authenticator app (TOTP, `totp.py`), one-time
recovery codes, checking a code at log-in, who must have it (the organisation's setting), and
resetting it when a phone is lost. Security keys are the other second factor
(`security_keys.py`). Every change is recorded with `log_action`."""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.core.actors import Actor
from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, Role, require
from compromiso.organizations import totp
from compromiso.organizations.models import (
    Membership,
    Organization,
    RecoveryCode,
    SecondFactor,
    TotpDevice,
    TwoFactorRequirement,
    User,
    WebAuthnCredential,
)

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
_RECOVERY_LENGTH = 10  # about 49 bits each
MANAGER_ROLES = (Role.ADMINISTRATOR, Role.QUALITY_MANAGER)
ISSUER = "Compromiso"
# Set in a session that logged in with a second factor or set one up: enrolment is not asked.
VERIFIED_SESSION_KEY = "compromiso_two_factor_done"


def has_totp(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def has_keys(user: User) -> bool:
    return WebAuthnCredential.objects.filter(user=user).exists()


def has_two_factor(user: User) -> bool:
    """An authenticator app or a security key: either one makes the log-in two steps."""
    return has_totp(user) or has_keys(user)


def required_for(user: User) -> bool:
    """True when an active organisation the user belongs to requires a second factor of them."""
    return (
        Membership.objects.filter(user=user, organization__is_active=True)
        .filter(
            Q(organization__two_factor_required_for=TwoFactorRequirement.ALL_STAFF)
            | Q(
                organization__two_factor_required_for=TwoFactorRequirement.MANAGERS,
                role__in=MANAGER_ROLES,
            )
        )
        .exists()
    )


def must_enrol(user: User) -> bool:
    """Required of the user and not set up yet: they may do nothing else until they enrol."""
    return required_for(user) and not has_two_factor(user)


@transaction.atomic
def start_enrolment(user: User) -> bytes:
    """A new secret for the user's authenticator app, waiting for a first code to confirm it.
    Starting again replaces a secret that was never confirmed."""
    if has_totp(user):
        raise DomainError(_("Two-factor log-in is already on for this account."))
    secret = totp.new_secret()
    TotpDevice.objects.update_or_create(
        user=user,
        defaults={
            "sealed_secret": totp.seal(secret),
            "confirmed_at": None,
            "last_step": 0,
            "created_at": timezone.now(),
        },
    )
    return secret


def pending_secret(user: User) -> bytes | None:
    """The secret of an enrolment started and not yet confirmed (to show its QR code again)."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    return totp.unseal(device.sealed_secret) if device is not None else None


def provisioning_uri(user: User, secret: bytes) -> str:
    return totp.provisioning_uri(secret, account=user.get_username(), issuer=ISSUER)


def _accept_code(device: TotpDevice, code: str) -> bool:
    """The code is the device's for the current step or one either side, and no code of that
    step or a later one was accepted before (one conditional update: two requests racing with
    the same code cannot both pass)."""
    step = totp.matching_step(totp.unseal(device.sealed_secret), code)
    if step is None:
        return False
    return TotpDevice.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step) == 1


@transaction.atomic
def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor log-in on once the app shows a right code; returns the recovery codes,
    which are shown this once."""
    device = (
        TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    )
    if device is None:
        raise DomainError(_("Start the set-up again: no authenticator app is waiting."))
    if not _accept_code(device, code):
        raise DomainError(
            _("That code is not right. Check the phone's clock and type the code shown now.")
        )
    TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
    codes = _new_recovery_codes(user)
    log_action(user, "organizations.two_factor.enabled", by=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODES)
    ]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, code_hash=RecoveryCode.hash(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


@transaction.atomic
def replace_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    if not has_totp(user):
        raise DomainError(_("Two-factor log-in is not on for this account."))
    codes = _new_recovery_codes(user)
    log_action(user, "organizations.two_factor.recovery_codes_replaced", by=user)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def verify(user: User, code: str) -> SecondFactor | None:
    """Which second factor `code` is for the user, spending it (an authenticator code cannot be
    used again, a recovery code is used up); None when it is neither. Recovery codes also stand
    in for security keys, so they work without an authenticator app."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    typed = totp.normalise(code)
    if typed.isdigit():
        return SecondFactor.TOTP if device is not None and _accept_code(device, typed) else None
    spent = RecoveryCode.objects.filter(
        user=user, code_hash=RecoveryCode.hash(typed.lower()), used_at__isnull=True
    ).update(used_at=timezone.now())
    return SecondFactor.RECOVERY_CODE if spent == 1 else None


@transaction.atomic
def turn_off(user: User, code: str) -> None:
    """The user turns their own second factor off, confirming with a code; refused while an
    organisation of theirs requires it and no security key stands in for it."""
    if required_for(user) and not has_keys(user):
        raise DomainError(
            _("Your organisation requires two-factor log-in: it cannot be turned off.")
        )
    if verify(user, code) is None:
        raise DomainError(_("That code is not right."))
    _remove(user)
    log_action(user, "organizations.two_factor.disabled", by=user)


def _remove(user: User) -> None:
    TotpDevice.objects.filter(user=user).delete()
    if not has_keys(user):
        RecoveryCode.objects.filter(user=user).delete()


def forget_recovery_codes(user: User) -> None:
    """The codes go with the last second factor they stood in for."""
    RecoveryCode.objects.filter(user=user).delete()


def first_recovery_codes(user: User) -> list[str] | None:
    """Recovery codes for someone setting up their first second factor (a security key), shown
    once; None when they have some already."""
    if RecoveryCode.objects.filter(user=user).exists():
        return None
    return _new_recovery_codes(user)


@transaction.atomic
def reset_two_factor(user: User, *, organization: Organization, by: Actor) -> None:
    """An administrator removes a member's authenticator app, security keys and recovery codes
    (a lost phone or key): the member logs in with the password and, where it is required, sets
    up a new second factor."""
    require(by, Perm.MANAGE_MEMBERS, organization_id=organization.pk)
    member = (
        Membership.objects.visible_to(by, Perm.MANAGE_MEMBERS)
        .filter(organization=organization, user=user)
        .exists()
    )
    if not member:
        raise PermissionDenied
    WebAuthnCredential.objects.filter(user=user).delete()
    _remove(user)
    log_action(
        organization,
        "organizations.two_factor.reset",
        by=by,
        data={"user": user.pk, "username": user.get_username()},
    )
