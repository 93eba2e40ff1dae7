"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) and the sealing of their
secrets at rest. Plain values in and out; no database.

A code is the HOTP of the time step (30 seconds since the Unix epoch); `matching_step` accepts
the current step and one step either side (a phone's clock a little off). Which steps were
already used is the caller's business (replay protection lives with the stored device).

Secrets are sealed before they are stored: XOR with an HMAC-SHA256 key stream (a fresh random
nonce each time) and an HMAC-SHA256 tag, both keyed from SECRET_KEY. A database dump, an export
or the admin shows only the sealed text; SECRET_KEY_FALLBACKS still open secrets sealed under a
previous key, so a key rotation does not lock anyone out."""

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from django.conf import settings

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation for SHA-1
_SEAL_VERSION = "v1"


class SealError(ValueError):
    """A sealed secret that no current or previous key opens (tampered, or the key is lost)."""


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def base32(secret: bytes) -> str:
    """The secret as authenticator apps take it typed in: base32 without padding."""
    return base64.b32encode(secret).decode().rstrip("=")


def hotp(secret: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: HMAC of the 8-byte counter, dynamically truncated to `digits` digits."""
    mac = hmac.new(secret, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(moment: float) -> int:
    return int(moment // STEP_SECONDS)


def totp(secret: bytes, moment: float, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 6238: the HOTP of the time step that `moment` (Unix seconds) falls in."""
    return hotp(secret, step_at(moment), digits=digits, digest=digest)


def normalise(code: str) -> str:
    """What a person typed, without the spaces and dashes apps show for readability."""
    return "".join(code.split()).replace("-", "")


def matching_step(
    secret: bytes, code: str, *, moment: float | None = None, drift: int = DRIFT_STEPS
) -> int | None:
    """The time step whose code `code` is (current step first, then ±drift), or None."""
    code = normalise(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(time.time() if moment is None else moment)
    for step in sorted(range(now - drift, now + drift + 1), key=lambda s: abs(s - now)):
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def provisioning_uri(secret: bytes, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode({"secret": base32(secret), "issuer": issuer, "digits": DIGITS})
    return f"otpauth://totp/{label}?{query}"


def _keys() -> list[bytes]:
    raw = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [hashlib.sha256(b"compromiso.totp.seal\x00" + str(k).encode()).digest() for k in raw]


def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < length:
        out += hmac.new(key, b"stream" + nonce + struct.pack(">I", counter), "sha256").digest()
        counter += 1
    return out[:length]


def _tag(key: bytes, nonce: bytes, body: bytes) -> bytes:
    return hmac.new(key, b"tag" + nonce + body, "sha256").digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(secret: bytes) -> str:
    """The secret encrypted and authenticated under the current SECRET_KEY."""
    key = _keys()[0]
    nonce = secrets.token_bytes(16)
    body = bytes(a ^ b for a, b in zip(secret, _stream(key, nonce, len(secret)), strict=True))
    return "$".join([_SEAL_VERSION, _b64(nonce), _b64(body), _b64(_tag(key, nonce, body))])


def unseal(sealed: str) -> bytes:
    """The secret back, checked against its tag; SealError when no key opens it."""
    try:
        version, nonce_text, body_text, tag_text = sealed.split("$")
        nonce, body, tag = _unb64(nonce_text), _unb64(body_text), _unb64(tag_text)
    except ValueError as error:
        raise SealError("not a sealed secret") from error
    if version != _SEAL_VERSION:
        raise SealError("unknown seal version")
    for key in _keys():
        if hmac.compare_digest(_tag(key, nonce, body), tag):
            stream = _stream(key, nonce, len(body))
            return bytes(a ^ b for a, b in zip(body, stream, strict=True))
    raise SealError("no key opens this secret")
