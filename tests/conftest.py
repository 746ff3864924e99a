"""Shared fixtures: the real engine on the shipped content, trained once per session.

The model is cached in build/ by fingerprint, so only the first run after a content or
config change trains (about a minute); later runs load it in a few seconds.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from bot.settings import load

    s = load()
    s.data_dir = tmp_path_factory.mktemp("var")
    s.user_key_secret = "test-secret"
    return s


@pytest.fixture(scope="session")
def engine(settings):
    from bot.engine import Engine
    from bot.logs import configure

    configure()
    return Engine.load(settings, in_memory=True)


@pytest.fixture(scope="session")
def content(settings):
    from bot.content.loader import load

    return load(settings.content_dir)[0]


@pytest.fixture(scope="session")
def ask(engine):
    """Send one message through the engine, as `masar ask` does; returns the Answer."""
    from bot.messages import Incoming

    def _ask(
        user: str,
        text: str,
        lang: str | None = None,
        channel: str = "jsonl",
        client: str | None = None,
    ):
        return asyncio.run(
            engine.handle(
                Incoming(user, text, channel=channel, language=lang, client_language=client)
            )
        )

    return _ask
