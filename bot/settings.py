"""Every setting in one place: environment variables, their defaults, and their checks.

Operators configure Masar only through MASAR_* environment variables (see .env.example).
This is the only module that reads the environment (tests/test_settings.py checks it):
`Settings.from_env(os.environ)` builds one frozen `Settings`, which the `masar` command passes
down; Rasa components, which Rasa builds itself, get their options from config.yml (or from
the training config bot/build.py writes). What a process must know before any library loads
(OpenMP threads, keeping JAX out) is `Process.from_env`, used by bot/__init__.py.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE_MODELS = ("full", "small")  # lingua's high- and low-accuracy modes (bot/language.py)
TRUE = {"1", "true", "yes", "on"}


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE


def _whole(env: Mapping[str, str], name: str, default: int, least: int, what: str) -> int:
    try:
        value = int(env.get(name) or default)
    except ValueError:
        raise SystemExit(f"masar: {name} must be a whole number{what}") from None
    if value < least:
        raise SystemExit(f"masar: {name} must be at least {least}")
    return value


def _above_zero(env: Mapping[str, str], name: str, default: float, kind: type) -> Any:
    """A positive number of `kind` (float: seconds, int: a count) from `env`, else `default`."""
    try:
        value = kind(env.get(name) or default)
    except ValueError:
        value = 0
    if not value > 0:
        what = "a number of seconds" if kind is float else "a whole number"
        raise SystemExit(f"masar: {name} must be {what} above 0")
    return value


def _text(env: Mapping[str, str], name: str) -> str | None:
    return (env.get(name) or "").strip() or None


@dataclass(frozen=True)
class Settings:
    """Where things are and how the bot behaves; built from the environment by `from_env()`."""

    content_dir: Path = ROOT / "content"
    config_file: Path = ROOT / "config.yml"
    build_dir: Path = ROOT / "build"
    data_dir: Path = ROOT / "var"
    # Answers whose review has expired are replaced by "being checked" + official links.
    enforce_review_expiry: bool = True
    # Secret key for hashing user ids; generated into data_dir on first use when not set.
    user_key_secret: str | None = field(default=None, repr=False)
    retention_days: int = 30
    # SQL tracker store URL for Rasa conversations; default: SQLite in data_dir.
    tracker_store_url: str | None = field(default=None, repr=False)
    redis_url: str | None = field(default=None, repr=False)
    # The operator runs one instance only: a shared SQL store without Redis is then allowed.
    single_instance: bool = False
    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_secret: str | None = field(default=None, repr=False)
    telegram_webhook_url: str | None = None
    # WhatsApp Business Cloud API and Facebook Messenger (bot/channels/whatsapp.py, messenger.py)
    whatsapp_verify_token: str | None = field(default=None, repr=False)
    whatsapp_app_secret: str | None = field(default=None, repr=False)
    whatsapp_token: str | None = field(default=None, repr=False)
    whatsapp_phone_number_id: str | None = None
    messenger_verify_token: str | None = field(default=None, repr=False)
    messenger_app_secret: str | None = field(default=None, repr=False)
    messenger_page_token: str | None = field(default=None, repr=False)
    # Meta's Graph API with its version (v26.0: the newest in Meta's changelog, 29 July 2026).
    graph_api_url: str = "https://graph.facebook.com/v26.0"
    # Seconds the Graph API client waits for one answer before it tries again (4 tries, 1, 2
    # and 4 s apart): a hung Graph API delays a user's reply by 47 s at most, then it is logged.
    graph_api_timeout: float = 10.0
    staff_chat_id: str | None = None
    # Human handover: minutes without a staff answer before the user is told staff may be offline.
    handover_timeout_minutes: int = 10
    # The staff console (bot/console/): its cookie only over HTTPS (set true behind a TLS proxy),
    # how long a login lasts, and whether questions Masar could not answer are kept for staff.
    console_secure_cookie: bool = False
    console_session_hours: int = 8
    console_questions: bool = True
    host: str = "127.0.0.1"
    port: int = 8080
    log_message_text: bool = False
    # Threads that read short messages (language, safety checks, the sentence embedding and
    # Rasa's NLU); 0: one per usable core. The embedding runs outside Python's interpreter
    # lock, so a second thread puts the second core to work (bot/engine.py).
    reading_threads: int = 0
    # lingua's accuracy mode for language detection: "full" (~290 MB) or "small" (~35 MB).
    language_model: str = "full"
    # Sentence embeddings of training examples, kept between trainings; None: build_dir/cache.
    embedding_cache: Path | None = None
    # SIB-200 data for `python -m bot.benchmarks.language` (a developer's download).
    sib200_dir: Path | None = None
    # `masar serve`'s connection limits (bot/channels/connections.py); the README's nginx
    # example sets the same.
    http_header_timeout: float = 10.0
    http_body_timeout: float = 20.0
    http_idle_timeout: float = 30.0
    http_max_connections: int = 1000
    http_max_headers: int = 100
    http_max_header_bytes: int = 32 * 1024

    @property
    def rasa_dir(self) -> Path:
        return self.build_dir / "rasa"

    @property
    def models_dir(self) -> Path:
        return self.build_dir / "models"

    @property
    def embeddings_file(self) -> Path:
        return self.embedding_cache or self.build_dir / "cache" / "embeddings.npz"

    def replace(self, **changes) -> Settings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Settings from MASAR_* variables in `env`, with clear errors for bad values."""
        paths: dict[str, Any] = {
            attr: Path(env[name]).expanduser().resolve()
            for name, attr in (
                ("MASAR_CONTENT_DIR", "content_dir"),
                ("MASAR_CONFIG", "config_file"),
                ("MASAR_BUILD_DIR", "build_dir"),
                ("MASAR_DATA_DIR", "data_dir"),
                ("MASAR_EMBEDDING_CACHE", "embedding_cache"),
                ("MASAR_SIB200", "sib200_dir"),
            )
            if env.get(name)
        }
        meta: dict[str, Any] = {
            attr: _text(env, f"MASAR_{attr.upper()}")
            for attr in (
                "whatsapp_verify_token",
                "whatsapp_app_secret",
                "whatsapp_token",
                "whatsapp_phone_number_id",
                "messenger_verify_token",
                "messenger_app_secret",
                "messenger_page_token",
            )
        }
        staff_chat_id = _text(env, "MASAR_STAFF_CHAT_ID")
        if staff_chat_id and not staff_chat_id.lstrip("-").isdigit():
            raise SystemExit(
                "masar: MASAR_STAFF_CHAT_ID must be the staff group's numeric chat id, "
                "e.g. -1001234567890"
            )
        language_model = (env.get("MASAR_LANGUAGE_MODEL") or "full").strip().lower()
        if language_model not in LANGUAGE_MODELS:
            raise SystemExit(
                "masar: MASAR_LANGUAGE_MODEL must be 'full' (default) or 'small' (less memory, "
                "less accurate on short messages)"
            )
        http: dict[str, Any] = {
            attr: _above_zero(env, f"MASAR_{attr.upper()}", getattr(cls, attr), kind)
            for attr, kind in (
                ("http_header_timeout", float),
                ("http_body_timeout", float),
                ("http_idle_timeout", float),
                ("http_max_connections", int),
                ("http_max_headers", int),
                ("http_max_header_bytes", int),
                ("graph_api_timeout", float),
            )
        }
        tracker_store_url = env.get("MASAR_TRACKER_STORE_URL") or None
        redis_url = env.get("MASAR_REDIS_URL") or None
        single_instance = _flag(env, "MASAR_SINGLE_INSTANCE", False)
        if (
            tracker_store_url
            and not tracker_store_url.startswith("sqlite")
            and not redis_url
            and not single_instance
        ):
            raise SystemExit(
                "masar: MASAR_TRACKER_STORE_URL is a shared database, but without MASAR_REDIS_URL "
                "each instance keeps its own conversation locks, and two instances answering the "
                "same user at once lose messages. Set MASAR_REDIS_URL (the instances then take "
                "turns through Redis), or MASAR_SINGLE_INSTANCE=true if only one instance of "
                "Masar ever uses this database."
            )
        return cls(
            **paths,
            **meta,
            **http,
            enforce_review_expiry=_flag(env, "MASAR_ENFORCE_REVIEW_EXPIRY", True),
            log_message_text=_flag(env, "MASAR_LOG_MESSAGE_TEXT", False),
            user_key_secret=env.get("MASAR_USER_KEY_SECRET") or None,
            retention_days=_whole(env, "MASAR_RETENTION_DAYS", 30, 1, " of days"),
            port=_whole(env, "MASAR_PORT", 8080, 0, ""),
            tracker_store_url=tracker_store_url,
            redis_url=redis_url,
            single_instance=single_instance,
            telegram_token=env.get("MASAR_TELEGRAM_TOKEN") or None,
            telegram_api_url=env.get("MASAR_TELEGRAM_API_URL") or cls.telegram_api_url,
            telegram_webhook_secret=env.get("MASAR_TELEGRAM_WEBHOOK_SECRET") or None,
            telegram_webhook_url=env.get("MASAR_TELEGRAM_WEBHOOK_URL") or None,
            graph_api_url=(env.get("MASAR_GRAPH_API_URL") or cls.graph_api_url).rstrip("/"),
            staff_chat_id=staff_chat_id,
            handover_timeout_minutes=_whole(
                env, "MASAR_HANDOVER_TIMEOUT_MINUTES", 10, 1, " of minutes"
            ),
            console_secure_cookie=_flag(env, "MASAR_CONSOLE_SECURE_COOKIE", False),
            console_session_hours=_whole(env, "MASAR_CONSOLE_SESSION_HOURS", 8, 1, " of hours"),
            console_questions=_flag(env, "MASAR_CONSOLE_QUESTIONS", True),
            host=env.get("MASAR_HOST", cls.host),
            language_model=language_model,
            reading_threads=_whole(env, "MASAR_READING_THREADS", 0, 0, ""),
        )

    def readers(self) -> int:
        """How many threads read short messages: `reading_threads`, else the usable cores."""
        if self.reading_threads:
            return self.reading_threads
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return max(1, os.cpu_count() or 1)


def load() -> Settings:
    """Settings from this process's environment."""
    return Settings.from_env(os.environ)


@dataclass(frozen=True)
class Process:
    """What must be settled before any library loads (bot/__init__.py), and thread counts
    for the embedding model, which Rasa builds without our settings."""

    nlu_threads: str = "1"  # OpenMP threads for the embedding model
    train_threads: int | None = None  # threads for embedding training examples; None: all cores
    allow_jax: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Process:
        env = os.environ if env is None else env
        train = (env.get("MASAR_TRAIN_THREADS") or "").strip()
        return cls(
            nlu_threads=env.get("MASAR_NLU_THREADS", "1"),
            train_threads=int(train) if train.isdigit() and int(train) > 0 else None,
            allow_jax=env.get("MASAR_ALLOW_JAX") == "1",
        )
