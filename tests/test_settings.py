"""Settings: one frozen object built from a mapping, and the only module that reads the
environment (every other module gets what it needs passed down, or from config.yml)."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest

from bot.settings import Process, Settings

BOT = Path(__file__).resolve().parent.parent / "bot"
READS_ENVIRONMENT = re.compile(
    r"os\.environ\s*(\.get\b|\[|\.copy\b)|\bgetenv\b|\bin\s+os\.environ\b"
)


def test_only_settings_reads_the_environment():
    """A module that reads os.environ (.get, [...], getenv, `in`) outside bot/settings.py
    fails here: settings come from `Settings.from_env`, and Rasa components from config.yml.
    Writing defaults for libraries (os.environ.setdefault) and handing the environment to a
    child process (dict(os.environ)) are not reading a setting."""
    readers = [
        f"{path.relative_to(BOT.parent)}:{number}: {line.strip()}"
        for path in sorted(BOT.rglob("*.py"))
        if path != BOT / "settings.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if READS_ENVIRONMENT.search(line)
    ]
    assert readers == []


def test_the_check_finds_a_module_that_reads_the_environment():
    for line in (
        'token = os.environ.get("MASAR_TELEGRAM_TOKEN")',
        'token = os.environ["MASAR_TELEGRAM_TOKEN"]',
        'token = os.getenv("MASAR_TELEGRAM_TOKEN")',
        'if "MASAR_TELEGRAM_TOKEN" in os.environ:',
    ):
        assert READS_ENVIRONMENT.search(line), line
    assert not READS_ENVIRONMENT.search('os.environ.setdefault("OMP_NUM_THREADS", "1")')


def test_settings_are_built_from_a_mapping_and_frozen(tmp_path):
    env = {
        "MASAR_DATA_DIR": str(tmp_path),
        "MASAR_RETENTION_DAYS": "7",
        "MASAR_STAFF_CHAT_ID": " -1001234567890 ",
        "MASAR_LANGUAGE_MODEL": "Small",
        "MASAR_GRAPH_API_URL": "https://graph.facebook.com/v26.0/",
        "MASAR_LOG_MESSAGE_TEXT": "yes",
    }
    settings = Settings.from_env(env)
    assert settings.data_dir == tmp_path.resolve() and settings.retention_days == 7
    assert settings.staff_chat_id == "-1001234567890" and settings.language_model == "small"
    assert settings.graph_api_url == "https://graph.facebook.com/v26.0"
    assert settings.log_message_text is True
    assert settings.embeddings_file == settings.build_dir / "cache" / "embeddings.npz"
    assert Settings.from_env({}) == Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]
    assert settings.replace(port=1).port == 1 and settings.port == 8080
    assert "locales_dir" not in {f.name for f in dataclasses.fields(Settings)}


@pytest.mark.parametrize(
    "name, value",
    [
        ("MASAR_RETENTION_DAYS", "a month"),
        ("MASAR_RETENTION_DAYS", "0"),
        ("MASAR_PORT", "http"),
        ("MASAR_LANGUAGE_MODEL", "large"),
        ("MASAR_STAFF_CHAT_ID", "@staff"),
        ("MASAR_HTTP_HEADER_TIMEOUT", "soon"),
        ("MASAR_HTTP_BODY_TIMEOUT", "0"),
        ("MASAR_HTTP_MAX_CONNECTIONS", "1.5"),
        ("MASAR_HTTP_MAX_HEADERS", "-1"),
        ("MASAR_GRAPH_API_TIMEOUT", "0"),
        ("MASAR_READING_THREADS", "-1"),
        ("MASAR_READING_THREADS", "two"),
    ],
)
def test_a_bad_value_is_refused_with_its_name(name, value):
    with pytest.raises(SystemExit, match=name):
        Settings.from_env({name: value})


def test_serving_limits_are_read_as_numbers():
    env = {
        "MASAR_HTTP_HEADER_TIMEOUT": "2.5",
        "MASAR_HTTP_MAX_CONNECTIONS": "64",
        "MASAR_GRAPH_API_TIMEOUT": "4",
    }
    settings = Settings.from_env(env)
    assert settings.http_header_timeout == 2.5 and settings.http_max_connections == 64
    assert settings.graph_api_timeout == 4.0 and Settings.graph_api_timeout == 10.0
    assert settings.http_body_timeout == Settings.http_body_timeout  # the default when unset


def test_process_settings():
    assert Process.from_env({}) == Process("1", None, False)
    process = Process.from_env(
        {"MASAR_NLU_THREADS": "2", "MASAR_TRAIN_THREADS": "3", "MASAR_ALLOW_JAX": "1"}
    )
    assert process == Process("2", 3, True)
    assert Process.from_env({"MASAR_TRAIN_THREADS": "none"}).train_threads is None


def test_a_shared_database_without_shared_turns_is_refused_at_start_up():
    """Two instances on one PostgreSQL database, each with its own conversation locks, lose
    messages (measured: 10-19 of 20): refused unless Redis is set or one instance is said."""
    url = "postgresql://masar:pw@db.internal/masar"
    with pytest.raises(SystemExit, match=r"MASAR_REDIS_URL.*MASAR_SINGLE_INSTANCE=true"):
        Settings.from_env({"MASAR_TRACKER_STORE_URL": url})
    shared = Settings.from_env(
        {"MASAR_TRACKER_STORE_URL": url, "MASAR_REDIS_URL": "redis://cache.internal:6379/0"}
    )
    assert shared.tracker_store_url == url and shared.redis_url
    alone = Settings.from_env({"MASAR_TRACKER_STORE_URL": url, "MASAR_SINGLE_INSTANCE": "true"})
    assert alone.single_instance
    assert Settings.from_env({"MASAR_TRACKER_STORE_URL": "sqlite:///var/masar.db"})  # one file


def test_reading_threads_are_one_per_usable_core_unless_set():
    cores = len(os.sched_getaffinity(0))
    assert Settings.from_env({}).readers() == cores
    assert Settings.from_env({"MASAR_READING_THREADS": "0"}).readers() == cores
    assert Settings.from_env({"MASAR_READING_THREADS": "3"}).readers() == 3
