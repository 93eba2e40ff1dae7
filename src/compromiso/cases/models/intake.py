"""What intake keeps besides the case: idempotency keys and the sealed acknowledgement."""

import secrets

from django.db import models
from django.utils import timezone

from compromiso.cases.models.case import Case
from compromiso.organizations.models import Organization


class IntakeKey(models.Model):
    """A submission already turned into a case: a retried POST with the same key gets the same
    case back, never a second one (the API's Idempotency-Key; the web form's submission id)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="intake_key_unique")
        ]

    def __str__(self) -> str:
        return self.key


class PendingAcknowledgement(models.Model):
    """The tracking secret of a new case until its acknowledgement e-mail leaves. The secret is
    known only at intake and stored on the case only as an HMAC, so the e-mail task (whose row
    holds only the case's id) reads it from here: sealed with a key derived from SECRET_KEY (a
    database copy alone does not reveal it) and deleted as soon as the e-mail is sent, or by
    `case_maintenance` after two days when it never was."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, primary_key=True, related_name="+")
    nonce = models.CharField(max_length=32)
    sealed = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.case_id}"

    @classmethod
    def seal(cls, case: Case, secret: str) -> "PendingAcknowledgement":
        nonce = secrets.token_hex(16)
        data = secret.encode()
        return cls(case=case, nonce=nonce, sealed=bytes(_xor(data, _pad(nonce, len(data)))).hex())

    def unseal(self) -> str:
        data = bytes.fromhex(self.sealed)
        return bytes(_xor(data, _pad(self.nonce, len(data)))).decode()


def _pad(nonce: str, length: int) -> bytes:
    from django.utils.crypto import salted_hmac

    return salted_hmac(
        "compromiso.cases.PendingAcknowledgement", nonce, algorithm="sha512"
    ).digest()[:length]


def _xor(data: bytes, pad: bytes) -> list[int]:
    return [a ^ b for a, b in zip(data, pad, strict=True)]
