"""A software security key for tests: answers WebAuthn registration and authentication options
the way a browser and an authenticator do (a P-256 key, "none" attestation), built from
py_webauthn's own encoding helpers, so the server's verification runs unchanged."""

import hashlib
import json
import os
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.encode_cbor import encode_cbor

RP_ID = "localhost"
ORIGIN = "http://localhost:8000"
USER_PRESENT = 0x01
USER_VERIFIED = 0x04
ATTESTED = 0x40


class SoftKey:
    def __init__(self, rp_id: str = RP_ID, origin: str = ORIGIN) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.rp_id = rp_id
        self.origin = origin
        self.counter = 0

    @property
    def id(self) -> str:
        return bytes_to_base64url(self.credential_id)

    def cose_public_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return encode_cbor(
            {
                1: 2,  # EC2
                3: -7,  # ES256
                -1: 1,  # P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def _authenticator_data(self, flags: int, counter: int, attested: bytes = b"") -> bytes:
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + counter.to_bytes(4, "big") + attested

    def create(
        self, options: dict[str, Any], *, challenge: str | None = None, origin: str | None = None
    ) -> str:
        """The JSON a browser posts after navigator.credentials.create(options)."""
        client_data = self._client_data(
            "webauthn.create", challenge or options["challenge"], origin
        )
        attested = (
            bytes(16)
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self.cose_public_key()
        )
        authenticator_data = self._authenticator_data(
            USER_PRESENT | USER_VERIFIED | ATTESTED, self.counter, attested
        )
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": authenticator_data})
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "attestationObject": bytes_to_base64url(attestation),
                    "transports": ["usb"],
                },
                "clientExtensionResults": {},
            }
        )

    def get(
        self,
        options: dict[str, Any],
        *,
        counter: int | None = None,
        challenge: str | None = None,
        origin: str | None = None,
    ) -> str:
        """The JSON a browser posts after navigator.credentials.get(options); the signature
        counter moves on by one unless `counter` is given."""
        self.counter = self.counter + 1 if counter is None else counter
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin)
        authenticator_data = self._authenticator_data(USER_PRESENT | USER_VERIFIED, self.counter)
        signature = self.private.sign(
            authenticator_data + hashlib.sha256(client_data).digest(),
            ec.ECDSA(hashes.SHA256()),
        )
        return json.dumps(
            {
                "id": self.id,
                "rawId": self.id,
                "type": "public-key",
                "response": {
                    "clientDataJSON": bytes_to_base64url(client_data),
                    "authenticatorData": bytes_to_base64url(authenticator_data),
                    "signature": bytes_to_base64url(signature),
                },
                "clientExtensionResults": {},
            }
        )
