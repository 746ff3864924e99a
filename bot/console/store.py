"""The console's own SQLite file (data_dir/console.sqlite3): staff, sessions, questions, counts.

Kept apart from the conversation store on purpose: nothing here has a user key, so nothing
here can be joined to a conversation. Questions hold masked text, a language, a day, the
closest topics and a confidence; counts are (day, kind, value) -> number. Every call is one
short transaction behind a lock, fast enough to run on the event loop.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

FILE = "console.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (name TEXT PRIMARY KEY, hash TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    day TEXT NOT NULL,
    text TEXT NOT NULL,
    language TEXT NOT NULL,
    confidence REAL NOT NULL,
    topics TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'new',
    suggested_topic TEXT);
CREATE INDEX IF NOT EXISTS questions_day ON questions (day);
CREATE TABLE IF NOT EXISTS counts (
    day TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, kind, value));
"""


@dataclass
class Question:
    """One question Masar could not answer well, as staff see it."""

    id: int
    day: str
    text: str  # masked (bot/privacy.py mask_for_staff)
    language: str
    confidence: float
    topics: list[tuple[str, float]]  # the closest topics, best first
    reason: str  # "fallback" | "unsure"
    status: str  # "new" | "suggested" | "dismissed"
    suggested_topic: str | None


class ConsoleStore:
    """One SQLite connection shared by the server's threads, one lock around every call."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        # the default rollback journal, not WAL: a WAL file would outlive each write, with the
        # process's umask instead of the 600 this file gets
        self._db.executescript(SCHEMA)
        path.chmod(0o600)

    @classmethod
    def in_dir(cls, data_dir: Path) -> ConsoleStore:
        return cls(data_dir / FILE)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- staff ---------------------------------------------------------------------------
    def add_staff(self, name: str, password_hash: str) -> None:
        self._run(
            "INSERT INTO staff (name, hash, created) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET hash = excluded.hash",
            (name, password_hash, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")),
        )
        self._run("DELETE FROM sessions WHERE name = ?", (name,))  # a new password ends sessions

    def remove_staff(self, name: str) -> bool:
        with self._lock:
            gone = self._db.execute("DELETE FROM staff WHERE name = ?", (name,)).rowcount
            self._db.execute("DELETE FROM sessions WHERE name = ?", (name,))
        return bool(gone)

    def staff(self) -> list[tuple[str, str]]:
        """(name, created) of every staff account."""
        return [(r[0], r[1]) for r in self._run("SELECT name, created FROM staff ORDER BY name")]

    def has_staff(self) -> bool:
        return bool(self._run("SELECT 1 FROM staff LIMIT 1"))

    def password_hash(self, name: str) -> str | None:
        rows = self._run("SELECT hash FROM staff WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    # -- sessions (the token is stored hashed: a copy of this file opens no session) -----
    def add_session(self, token_hash: str, name: str, csrf: str, expires: float) -> None:
        self._run(
            "INSERT INTO sessions (token, name, csrf, expires) VALUES (?, ?, ?, ?)",
            (token_hash, name, csrf, expires),
        )

    def session(self, token_hash: str, now: float) -> tuple[str, str] | None:
        """(staff name, CSRF token) of a live session whose staff account still exists."""
        rows = self._run(
            "SELECT s.name, s.csrf FROM sessions s JOIN staff USING (name) "
            "WHERE s.token = ? AND s.expires > ?",
            (token_hash, now),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    def end_session(self, token_hash: str) -> None:
        self._run("DELETE FROM sessions WHERE token = ?", (token_hash,))

    def end_expired_sessions(self, now: float) -> None:
        self._run("DELETE FROM sessions WHERE expires <= ?", (now,))

    # -- unanswered questions ------------------------------------------------------------
    def add_question(
        self,
        day: dt.date,
        text: str,
        language: str,
        confidence: float,
        topics: list[tuple[str, float]],
        reason: str,
    ) -> None:
        self._run(
            "INSERT INTO questions (day, text, language, confidence, topics, reason) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (day.isoformat(), text, language, confidence, json.dumps(topics), reason),
        )

    def questions(
        self, status: str | None = "new", limit: int = 500, ids: list[int] | None = None
    ) -> list[Question]:
        args: list[object] = [status] if status else []
        where = "WHERE status = ?" if status else ""
        if ids is not None:
            where, args = f"WHERE id IN ({','.join('?' * len(ids))})", list(ids)
        rows = self._run(
            "SELECT id, day, text, language, confidence, topics, reason, status, suggested_topic "
            f"FROM questions {where} ORDER BY id DESC LIMIT ?",
            (*args, limit),
        )
        return [
            Question(r[0], r[1], r[2], r[3], r[4], [(t[0], t[1]) for t in json.loads(r[5])], *r[6:])
            for r in rows
        ]

    def mark(self, ids: list[int], status: str, topic: str | None = None) -> None:
        with self._lock:
            self._db.executemany(
                "UPDATE questions SET status = ?, suggested_topic = ? WHERE id = ?",
                [(status, topic, i) for i in ids],
            )

    def delete_questions_before(self, day: dt.date) -> int:
        with self._lock:
            return self._db.execute(
                "DELETE FROM questions WHERE day < ?", (day.isoformat(),)
            ).rowcount

    # -- counts ----------------------------------------------------------------------------
    def count(self, day: dt.date, pairs: list[tuple[str, str]]) -> None:
        """Add one to each (kind, value) of `day`: e.g. ("language", "ar"), ("topic", "asylum")."""
        with self._lock:
            self._db.executemany(
                "INSERT INTO counts (day, kind, value, n) VALUES (?, ?, ?, 1) "
                "ON CONFLICT(day, kind, value) DO UPDATE SET n = n + 1",
                [(day.isoformat(), kind, value) for kind, value in pairs],
            )

    def counts(self, since: dt.date) -> list[tuple[str, str, str, int]]:
        """(day, kind, value, n) from `since` on."""
        return [
            (r[0], r[1], r[2], r[3])
            for r in self._run(
                "SELECT day, kind, value, n FROM counts WHERE day >= ? ORDER BY day",
                (since.isoformat(),),
            )
        ]

    def column_names(self) -> dict[str, list[str]]:
        """Every table's columns (tests check that none could hold a user key)."""
        tables = [r[0] for r in self._run("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {
            t: [c[1] for c in self._run(f"PRAGMA table_info({t})")]
            for t in tables
            if not t.startswith("sqlite_")
        }
