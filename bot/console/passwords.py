"""Staff passwords as scrypt hashes (hashlib.scrypt: the standard library, backed by OpenSSL).

scrypt costs memory as well as time, so guessing on graphics cards is expensive; the cost
follows OWASP's password storage advice (N=2^17, r=8, p=1: 128 MiB, a fraction of a second
per login). Each hash carries its own random salt and its parameters
("scrypt$17$8$1$salt$hash"), so the cost can be raised later without locking anyone out.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

LOG2_N, R, P = 17, 8, 1
LENGTH = 32
MIN_LENGTH = 12  # characters: a long passphrase beats a short clever password


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(
        password.encode("utf-8", "surrogatepass"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=128 * r * (n + p + 2) + 1024 * 1024,
        dklen=LENGTH,
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, LOG2_N, R, P)
    b64 = base64.b64encode
    return f"scrypt${LOG2_N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify(password: str, stored: str | None) -> bool:
    """True when `password` matches `stored`; compared in constant time. With no stored hash
    (unknown name) a hash is still computed, so the answer takes as long either way."""
    try:
        kind, log2_n, r, p, salt, digest = (stored or "").split("$")
        if kind != "scrypt":
            raise ValueError(kind)
        expected = base64.b64decode(digest)
        given = _scrypt(password, base64.b64decode(salt), int(log2_n), int(r), int(p))
    except ValueError:
        _scrypt(password, b"\0" * 16, LOG2_N, R, P)
        return False
    return hmac.compare_digest(given, expected)


def weakness(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters (a few words make a good password)"
    if len(set(password)) < 5:
        return "use more different characters"
    return None
