"""Shared fixtures: the real engine on the shipped content, trained once per session.

The model is cached in build/ by fingerprint, so only the first run after a content or
config change trains (about a minute); later runs load it in a few seconds.
"""

from __future__ import annotations

import asyncio
import os
import traceback
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent

# Tests that use these fixtures load a model; they are marked so `make test-fast` leaves them out.
MODEL_FIXTURES = {"engine", "ask"}  # the real model trained on the shipped content
# small models trained on test content, and the emergency model (net)
TRAINING_FIXTURES = {"mini", "desk", "stored", "net"}
# real servers started by the tests (tests/servers.py)
SERVER_FIXTURES = {"postgres", "redis_server"}
HEAVY = ("model", "training", "subprocess")


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & MODEL_FIXTURES:
            item.add_marker(pytest.mark.model)
        if used & TRAINING_FIXTURES:
            item.add_marker(pytest.mark.training)
        if used & SERVER_FIXTURES:
            item.add_marker(pytest.mark.subprocess)


_running: pytest.Item | None = None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _running
    _running = item
    yield
    _running = None


def _must_be_marked(what: str, marks: tuple[str, ...]) -> None:
    """Fail a test that trains, loads a model or starts a process without saying so."""
    item = _running
    if item is not None and not any(item.get_closest_marker(m) for m in marks):
        pytest.fail(
            f"{item.nodeid} {what}: mark it with @pytest.mark.{marks[0]} "
            "(or use a fixture listed in tests/conftest.py), so the fast loop can leave it out",
            pytrace=False,
        )


def pytest_configure(config):
    """Watch the two expensive things a test can do: load or train a model, start a process."""
    import subprocess

    from bot import build

    train_model = build.train_model

    def watched_train_model(*args, **kwargs):
        _must_be_marked("loads or trains a Rasa model", ("model", "training"))
        return train_model(*args, **kwargs)

    build.train_model = watched_train_model

    popen_init = subprocess.Popen.__init__

    def watched_popen_init(self, *args, **kwargs):
        # training and loading may start helper processes of their own; those tests are heavy
        # and left out of the fast loop already
        command = args[0] if args else kwargs.get("args")
        program = Path(str(command[0] if isinstance(command, (list, tuple)) else command)).name
        # libraries probe their surroundings when first imported (uname by platform, git by
        # GitPython): that is the import, not the test, and costs a few milliseconds
        importing = any("importlib._bootstrap" in f.filename for f in traceback.extract_stack())
        if not importing and program != "uname":
            _must_be_marked(f"starts a subprocess ({program})", ("subprocess", "model", "training"))
        popen_init(self, *args, **kwargs)

    subprocess.Popen.__init__ = watched_popen_init  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from bot.settings import load

    return load().replace(data_dir=tmp_path_factory.mktemp("var"), user_key_secret="test-secret")


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
