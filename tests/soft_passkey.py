"""A passkey authenticator in software, for the tests that go through the Django client.

It answers the server's options as a browser with a platform authenticator would: a
P-256 key made on the spot, a "none" attestation when a passkey is made, a signed
assertion each time it is used. Written from the WebAuthn Level 3 data layouts with
cbor2 and cryptography; the browser tests use Chromium's own virtual authenticator.
"""

import base64
import hashlib
import json
import secrets

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

USER_PRESENT = 0x01
USER_VERIFIED = 0x04
ATTESTED_DATA = 0x40


def encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftPasskey:
    def __init__(self, *, origin=None):
        self.origin = origin or settings.PORTAL_PASSKEY_ORIGIN
        self.rp_id = settings.OTP_WEBAUTHN_RP_ID
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.count = 0
        self.user_handle = None

    @property
    def id(self):
        return encode(self.credential_id)

    def _client_data(self, kind, options):
        return json.dumps(
            {"type": kind, "challenge": options["challenge"], "origin": self.origin}
        ).encode()

    def _authenticator_data(self, flags, attested=b""):
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + self.count.to_bytes(4, "big") + attested

    def _public_key(self):
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # key type: EC2
                3: -7,  # algorithm: ES256
                -1: 1,  # curve: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def create(self, options, *, verified=True):
        """The browser's answer to navigator.credentials.create() with ``options``."""
        self.user_handle = decode(options["user"]["id"])
        attested = (
            bytes(16)  # the authenticator's model, withheld
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._public_key()
        )
        flags = USER_PRESENT | ATTESTED_DATA | (USER_VERIFIED if verified else 0)
        attestation = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": self._authenticator_data(flags, attested)}
        )
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": encode(self._client_data("webauthn.create", options)),
                "attestationObject": encode(attestation),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def get(self, options, *, verified=True, count=None):
        """The browser's answer to navigator.credentials.get() with ``options``."""
        self.count = self.count + 1 if count is None else count
        client_data = self._client_data("webauthn.get", options)
        flags = USER_PRESENT | (USER_VERIFIED if verified else 0)
        authenticator_data = self._authenticator_data(flags)
        signed = authenticator_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "clientDataJSON": encode(client_data),
                "authenticatorData": encode(authenticator_data),
                "signature": encode(signature),
                "userHandle": encode(self.user_handle or b""),
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
        }
