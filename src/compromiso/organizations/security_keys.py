"""Security keys and passkeys (WebAuthn) as a second factor beside the authenticator app:
registering one, logging in with one, and removing one.

The ceremonies: the server makes the options (with py_webauthn) and keeps their challenge in the
session, for one use and five minutes; the browser asks the key (`static/organizations/
webauthn.js`) and posts its answer back as JSON; the answer is verified against the challenge,
the relying party (WEBAUTHN_RP_ID) and the origin (WEBAUTHN_ORIGIN). At log-in the key must be
one of the user's own, and its signature counter must move forward (a cloned key that falls
behind is refused). User verification (a PIN or a fingerprint on the key) is "preferred": asked
for when the key can, not required, since the password was the first factor."""

import hashlib
import json
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from compromiso.core.audit import log_action
from compromiso.core.errors import DomainError
from compromiso.organizations import two_factor
from compromiso.organizations.models import User, WebAuthnCredential

CHALLENGE_SECONDS = 300
TIMEOUT_MS = 120_000
NAME_LENGTH = 60
REGISTRATION_SESSION_KEY = "compromiso_webauthn_registration"
AUTHENTICATION_SESSION_KEY = "compromiso_webauthn_authentication"
# The browser's answer is a few kilobytes; anything far larger is not one.
MAX_RESPONSE_LENGTH = 64_000


def keys_of(user: User) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user))


def _user_handle(user: User) -> bytes:
    """The user's handle on the key: stable, and neither the user name nor the row id."""
    return hashlib.sha256(f"compromiso-user:{user.pk}".encode()).digest()[:16]


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for key in keys_of(user):
        transports = []
        for value in key.transports or []:
            try:
                transports.append(AuthenticatorTransport(value))
            except ValueError:
                continue
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(key.credential_id), transports=transports or None
            )
        )
    return descriptors


def _keep_challenge(session: SessionBase, key: str, user: User, challenge: bytes) -> None:
    session[key] = {
        "challenge": bytes_to_base64url(challenge),
        "user": user.pk,
        "at": int(time.time()),
    }


def _take_challenge(session: SessionBase, key: str, user: User) -> bytes:
    """The challenge of the options last given to this user, spent: an answer is accepted once."""
    state = session.pop(key, None)
    if (
        not isinstance(state, dict)
        or state.get("user") != user.pk
        or not isinstance(state.get("challenge"), str)
        or time.time() - int(state.get("at", 0)) > CHALLENGE_SECONDS
    ):
        raise DomainError(_("The request to the security key expired. Try again."))
    return base64url_to_bytes(state["challenge"])


def registration_options(user: User, session: SessionBase) -> dict[str, Any]:
    """Options for navigator.credentials.create(), as JSON-ready data; the challenge stays in the
    session. The user's keys already registered are excluded (a key is registered once)."""
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_name=user.get_username(),
        user_id=_user_handle(user),
        user_display_name=user.get_full_name() or user.get_username(),
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    _keep_challenge(session, REGISTRATION_SESSION_KEY, user, options.challenge)
    data: dict[str, Any] = json.loads(options_to_json(options))
    return data


@transaction.atomic
def register(
    user: User, session: SessionBase, response: str, name: str
) -> tuple[WebAuthnCredential, list[str] | None]:
    """Verify the key's answer to the registration options and keep the key under `name`.
    Returns the key and, when it is the user's first second factor, their recovery codes (shown
    once)."""
    challenge = _take_challenge(session, REGISTRATION_SESSION_KEY, user)
    if len(response) > MAX_RESPONSE_LENGTH:
        raise DomainError(_("The security key's answer could not be verified. Try again."))
    try:
        parsed = parse_registration_credential_json(response)
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGIN,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise DomainError(
            _("The security key's answer could not be verified. Try again.")
        ) from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if WebAuthnCredential.objects.filter(credential_id=credential_id).exists():
        raise DomainError(_("This security key is registered already."))
    first = not two_factor.has_two_factor(user)
    key = WebAuthnCredential.objects.create(
        user=user,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[str(t.value) for t in (parsed.response.transports or [])],
        name=name.strip()[:NAME_LENGTH] or _("Security key"),
    )
    codes = two_factor.first_recovery_codes(user) if first else None
    log_action(
        user,
        "organizations.two_factor.key_added",
        by=user,
        data={"key": key.pk, "name": key.name},
    )
    return key, codes


def authentication_options(user: User, session: SessionBase) -> dict[str, Any] | None:
    """Options for navigator.credentials.get() naming the user's keys, as JSON-ready data (the
    challenge stays in the session); None when the user has no key."""
    descriptors = _descriptors(user)
    if not descriptors:
        return None
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        timeout=TIMEOUT_MS,
        allow_credentials=descriptors,
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _keep_challenge(session, AUTHENTICATION_SESSION_KEY, user, options.challenge)
    data: dict[str, Any] = json.loads(options_to_json(options))
    return data


@transaction.atomic
def authenticate(user: User, session: SessionBase, response: str) -> WebAuthnCredential:
    """Verify a key's answer at log-in: one of the user's own keys, signing this session's
    challenge, with a signature counter that moved forward. Raises DomainError otherwise."""
    challenge = _take_challenge(session, AUTHENTICATION_SESSION_KEY, user)
    refused = _("The security key was not accepted. Try again, or use another way to log in.")
    if len(response) > MAX_RESPONSE_LENGTH:
        raise DomainError(refused)
    try:
        parsed = parse_authentication_credential_json(response)
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise DomainError(refused) from error
    key = (
        WebAuthnCredential.objects.select_for_update()
        .filter(user=user, credential_id=parsed.id)
        .first()
    )
    if key is None:
        raise DomainError(_("That security key is not registered to this account."))
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGIN,
            credential_public_key=bytes(key.public_key),
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise DomainError(refused) from error
    # The counter the check was made against is still the stored one (two answers racing).
    moved = WebAuthnCredential.objects.filter(pk=key.pk, sign_count=key.sign_count).update(
        sign_count=verified.new_sign_count, last_used_at=timezone.now()
    )
    if moved != 1:
        raise DomainError(refused)
    key.refresh_from_db()
    return key


@transaction.atomic
def remove(user: User, key_pk: int, proof: str) -> WebAuthnCredential:
    """The user removes one of their keys, confirming with their password or a current second
    factor (a code from the app or a recovery code). The last second factor cannot go while an
    organisation of theirs requires one."""
    key = WebAuthnCredential.objects.select_for_update().filter(user=user, pk=key_pk).first()
    if key is None:
        raise DomainError(_("That security key is not registered to this account."))
    if not proof or not (user.check_password(proof) or two_factor.verify(user, proof)):
        raise DomainError(_("That password or code is not right. The key was not removed."))
    others = WebAuthnCredential.objects.filter(user=user).exclude(pk=key.pk).exists()
    if two_factor.required_for(user) and not others and not two_factor.has_totp(user):
        raise DomainError(
            _(
                "Your organisation requires two-factor log-in: add another key or an "
                "authenticator app before removing this one."
            )
        )
    key.delete()
    if not others and not two_factor.has_totp(user):
        two_factor.forget_recovery_codes(user)
    log_action(
        user,
        "organizations.two_factor.key_removed",
        by=user,
        data={"key": key_pk, "name": key.name},
    )
    return key
