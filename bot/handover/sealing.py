"""Chat addresses at rest: sealed with authenticated encryption, never kept in clear.

A case keeps where the user's channel reaches them (a Telegram chat id, a WhatsApp number),
so that a staff answer still reaches them after a restart. In the store it is sealed with
AES-256-GCM under a key of its own, derived from the user-key secret with HKDF: knowing
the user ids' hashing key is not the same as holding this key, and a sealed address that
was changed, cut or sealed with another key does not open at all (`SealBroken`).

Records written before AES-GCM (an HMAC-SHA256 keystream, no authentication) still open, so
open cases survive the upgrade; they are sealed anew the next time the case is saved.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v2:"  # sealed with AES-GCM; records without it are the old keystream
PURPOSE = b"masar case address v2"  # HKDF info and AES-GCM associated data
NONCE = 12


class SealBroken(ValueError):
    """A sealed address that does not open: tampered with, cut, or sealed with another key."""


def address_key(secret: bytes) -> bytes:
    """The sealing key: 256 bits from the user-key secret, for this purpose only."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret)


def seal(secret: bytes, address: str) -> str:
    """The chat address, encrypted and authenticated (a fresh nonce each time)."""
    nonce = secrets.token_bytes(NONCE)
    sealed = AESGCM(address_key(secret)).encrypt(nonce, address.encode("utf-8"), PURPOSE)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(secret: bytes, sealed: str) -> str:
    """The chat address; SealBroken if the record was changed or sealed with another key."""
    if not sealed.startswith(PREFIX):
        return _unseal_keystream(secret, sealed)
    try:
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX) :].encode("ascii"))
        opened = AESGCM(address_key(secret)).decrypt(raw[:NONCE], raw[NONCE:], PURPOSE)
        return opened.decode("utf-8")
    except (InvalidTag, binascii.Error, UnicodeError, ValueError) as exc:
        raise SealBroken("the sealed chat address does not open") from exc


def _unseal_keystream(secret: bytes, sealed: str) -> str:
    """Records sealed before AES-GCM: the HMAC-SHA256 keystream with the user-key secret."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
        nonce, data = raw[:NONCE], raw[NONCE:]
        stream, counter = b"", 0
        while len(stream) < len(data):
            block = b"masar-case-address" + nonce + counter.to_bytes(4, "big")
            stream += hmac.new(secret, block, hashlib.sha256).digest()
            counter += 1
        return bytes(a ^ b for a, b in zip(data, stream, strict=False)).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise SealBroken("the sealed chat address does not open") from exc
