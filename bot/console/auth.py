"""Who may see the console: sessions, CSRF tokens, and limits on login attempts.

- A session is a random token in a cookie (HttpOnly, SameSite=Strict, Secure when the
  console is served over HTTPS: MASAR_CONSOLE_SECURE_COOKIE) that expires after
  MASAR_CONSOLE_SESSION_HOURS; the store keeps only its SHA-256, so a copy of the file opens
  nothing. Logging in always starts a new session; logging out ends it.
- Every form carries the session's CSRF token; a POST without it is refused (403). The login
  form, which has no session yet, carries a token that must match a cookie set with the form.
- Failed logins are counted per name and per client address: after FAILURES failures within
  WINDOW seconds, further attempts are refused (429) until the window has passed. Kept in
  memory only, never logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from .store import ConsoleStore

COOKIE = "masar_console"
LOGIN_COOKIE = "masar_console_login"  # the login form's CSRF token (no session yet)
PATH = "/console"
FAILURES = 5
WINDOW = 15 * 60.0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Staff:
    """The staff member a request comes from, and the CSRF token their forms carry."""

    name: str
    csrf: str


class Sessions:
    def __init__(self, store: ConsoleStore, hours: float = 8.0, secure: bool = False) -> None:
        self.store = store
        self.seconds = hours * 3600.0
        self.secure = secure

    def start(self, name: str) -> tuple[str, Staff]:
        """A new session for `name`: (the cookie's token, the staff member)."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        self.store.end_expired_sessions(now)
        self.store.add_session(token_hash(token), name, csrf, now + self.seconds)
        return token, Staff(name, csrf)

    def find(self, token: str | None) -> Staff | None:
        if not token:
            return None
        found = self.store.session(token_hash(token), time.time())
        return Staff(*found) if found else None

    def end(self, token: str | None) -> None:
        if token:
            self.store.end_session(token_hash(token))

    def cookie_options(self, max_age: float | None = None) -> dict:
        return {
            "path": PATH,
            "httponly": True,
            "secure": self.secure,
            "samesite": "Strict",
            "max_age": int(self.seconds if max_age is None else max_age),
        }


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of two CSRF tokens; a missing one never matches."""
    if not given or not expected:
        return False
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


class LoginLimit:
    """Failed logins per key (a name, a client address) in a sliding window."""

    def __init__(self, failures: int = FAILURES, window: float = WINDOW) -> None:
        self.failures, self.window = failures, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._seen[key]
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if not seen:
            del self._seen[key]
            return deque()
        return seen

    def blocked(self, keys: list[str]) -> bool:
        now = time.monotonic()
        return any(len(self._recent(k, now)) >= self.failures for k in keys)

    def failed(self, keys: list[str]) -> None:
        now = time.monotonic()
        for key in keys:
            self._seen[key].append(now)

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self._seen.pop(key, None)
