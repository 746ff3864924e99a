"""Every setting in one place: environment variables, their defaults, and their checks.

Operators configure Masar only through MASAR_* environment variables (see .env.example);
nothing else in the code reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import language

ROOT = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    """Where things are and how the bot behaves; built from the environment by `load()`."""

    content_dir: Path = ROOT / "content"
    config_file: Path = ROOT / "config.yml"
    locales_dir: Path = ROOT / "locales"
    build_dir: Path = ROOT / "build"
    data_dir: Path = ROOT / "var"
    # Answers whose review has expired are replaced by "being checked" + official links.
    enforce_review_expiry: bool = True
    # Secret key for hashing user ids; generated into data_dir on first use when not set.
    user_key_secret: str | None = None
    retention_days: int = 30
    # SQL tracker store URL for Rasa conversations; default: SQLite in data_dir.
    tracker_store_url: str | None = None
    redis_url: str | None = None
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
    staff_chat_id: str | None = None
    # Human handover: minutes without a staff answer before the user is told staff may be offline.
    handover_timeout_minutes: int = 10
    host: str = "127.0.0.1"
    port: int = 8080
    log_message_text: bool = False
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


def load() -> Settings:
    """Settings from MASAR_* environment variables, with clear errors for bad values."""
    env = os.environ
    s = Settings()
    for name, attr in (
        ("MASAR_CONTENT_DIR", "content_dir"),
        ("MASAR_CONFIG", "config_file"),
        ("MASAR_LOCALES_DIR", "locales_dir"),
        ("MASAR_BUILD_DIR", "build_dir"),
        ("MASAR_DATA_DIR", "data_dir"),
    ):
        if env.get(name):
            setattr(s, attr, Path(env[name]).expanduser().resolve())
    s.enforce_review_expiry = _flag("MASAR_ENFORCE_REVIEW_EXPIRY", True)
    s.log_message_text = _flag("MASAR_LOG_MESSAGE_TEXT", False)
    s.user_key_secret = env.get("MASAR_USER_KEY_SECRET") or None
    try:
        s.retention_days = int(env.get("MASAR_RETENTION_DAYS", "30"))
        s.port = int(env.get("MASAR_PORT", "8080"))
    except ValueError as exc:
        raise SystemExit(
            f"masar: MASAR_RETENTION_DAYS and MASAR_PORT must be whole numbers ({exc})"
        ) from None
    if s.retention_days < 1:
        raise SystemExit("masar: MASAR_RETENTION_DAYS must be at least 1")
    s.tracker_store_url = env.get("MASAR_TRACKER_STORE_URL") or None
    s.redis_url = env.get("MASAR_REDIS_URL") or None
    s.telegram_token = env.get("MASAR_TELEGRAM_TOKEN") or None
    s.telegram_api_url = env.get("MASAR_TELEGRAM_API_URL") or s.telegram_api_url
    s.telegram_webhook_secret = env.get("MASAR_TELEGRAM_WEBHOOK_SECRET") or None
    s.telegram_webhook_url = env.get("MASAR_TELEGRAM_WEBHOOK_URL") or None
    for attr in (
        "whatsapp_verify_token",
        "whatsapp_app_secret",
        "whatsapp_token",
        "whatsapp_phone_number_id",
        "messenger_verify_token",
        "messenger_app_secret",
        "messenger_page_token",
    ):
        setattr(s, attr, (env.get(f"MASAR_{attr.upper()}") or "").strip() or None)
    s.graph_api_url = (env.get("MASAR_GRAPH_API_URL") or s.graph_api_url).rstrip("/")
    s.staff_chat_id = (env.get("MASAR_STAFF_CHAT_ID") or "").strip() or None
    if s.staff_chat_id and not s.staff_chat_id.lstrip("-").isdigit():
        raise SystemExit(
            "masar: MASAR_STAFF_CHAT_ID must be the staff group's numeric chat id, e.g. -1001234567890"
        )
    try:
        s.handover_timeout_minutes = int(env.get("MASAR_HANDOVER_TIMEOUT_MINUTES", "10"))
    except ValueError:
        raise SystemExit(
            "masar: MASAR_HANDOVER_TIMEOUT_MINUTES must be a whole number of minutes"
        ) from None
    if s.handover_timeout_minutes < 1:
        raise SystemExit("masar: MASAR_HANDOVER_TIMEOUT_MINUTES must be at least 1")
    s.host = env.get("MASAR_HOST", s.host)
    for attr, kind in (
        ("http_header_timeout", float),
        ("http_body_timeout", float),
        ("http_idle_timeout", float),
        ("http_max_connections", int),
        ("http_max_headers", int),
        ("http_max_header_bytes", int),
    ):
        name = f"MASAR_{attr.upper()}"
        try:
            value = kind(env.get(name) or getattr(s, attr))
        except ValueError:
            value = 0
        if not value > 0:
            what = "a number of seconds" if kind is float else "a whole number"
            raise SystemExit(f"masar: {name} must be {what} above 0")
        setattr(s, attr, value)
    if language.language_model() not in language.LANGUAGE_MODELS:
        raise SystemExit(
            "masar: MASAR_LANGUAGE_MODEL must be 'full' (default) or 'small' (less memory, "
            "less accurate on short messages)"
        )
    return s
