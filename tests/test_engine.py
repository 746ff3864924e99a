"""Conversation basics and bad input, through the real engine and model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content.catalogue import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent


def test_start_greets_and_offers_every_language(ask):
    answer = ask("basics-1", "/start")
    assert answer.topic == "greet"
    payloads = [b.payload for r in answer.replies for b in r.buttons]
    for code in LANGUAGES:
        assert f"/language {code}" in payloads


def test_language_choice_then_question_is_answered_in_that_language(ask):
    ask("basics-2", "/start")
    chosen = ask("basics-2", "/language fa")
    assert chosen.language == "fa"
    # a short English word inside a Persian conversation does not switch the language
    short = ask("basics-2", "ok")
    assert short.language == "fa"


def test_answer_has_source_date_and_follow_up_buttons(ask, content):
    answer = ask("basics-3", "/asylum_how_to_apply", lang="en")
    assert answer.topic == "asylum_how_to_apply"
    text = answer.replies[0].text
    topic = content.topics["asylum_how_to_apply"]
    assert topic.sources[0].url in text
    if topic.verified("en"):  # "Last checked" only for answers checked against their sources
        assert "Last checked" in text
    else:
        assert "has not yet been checked against the official sources" in text
        assert "Last checked" not in text
    assert any(b.payload == f"/{t}" for t in topic.follow_up for b in answer.replies[0].buttons)


def test_fallback_offers_closest_topics_not_a_dead_end(ask):
    answer = ask("basics-4", "what's the best pizza topping in naples", lang="en")
    assert answer.topic == "fallback"
    assert len(answer.replies[0].buttons) >= 2


def test_change_language_at_any_time(ask):
    ask("basics-5", "how do i ask for asylum", lang=None)
    answer = ask("basics-5", "/language")
    assert answer.topic == "change_language"
    assert len([b for b in answer.replies[0].buttons if b.payload.startswith("/language ")]) == len(
        LANGUAGES
    )
    after = ask("basics-5", "/language so")
    assert after.language == "so"


def test_bad_input_never_crashes(ask):
    for text in [
        "",
        "   ",
        "x" * 10_000,
        "😀😀😀",
        "سلام hello ሰላም привіт",
        "\x00\x07\ud800 broken",
        "/unknowncommand",
        "/language xx",
        "/country Atlantis",
    ]:
        answer = ask("basics-bad", text)
        assert answer.replies and answer.replies[0].text, text


def test_find_help_with_a_country_lists_its_services(ask, content):
    answer = ask("basics-6", "/country IT", lang="en")
    assert answer.topic == "find_help"
    text = answer.replies[0].text
    assert "112" in text
    assert any(s.url and s.url in text for s in content.countries["IT"].services)


def test_forget_deletes_the_conversation(engine, ask):
    import asyncio

    from bot import privacy

    ask("basics-7", "hello", channel="jsonl")
    key = privacy.user_key(engine.secret, "jsonl", "basics-7")
    assert asyncio.run(engine.agent.tracker_store.retrieve(key)) is not None
    answer = ask("basics-7", "/forget")
    assert answer.topic == "privacy"
    assert asyncio.run(engine.agent.tracker_store.retrieve(key)) is None


def _masar(*args, stdin: str, env_extra=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MASAR_DATA_DIR": str(ROOT / "build" / "test-var"), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )


@pytest.mark.subprocess
def test_masar_ask_answers_valid_lines_and_reports_invalid_ones(engine):
    lines = [
        '{"user": "u1", "text": "hello", "lang": "en"}',
        "this is not json",
        '{"user": "u1"}',
        '{"user": "u2", "text": "هل الطريق بالبحر إلى إيطاليا خطير"}',
    ]
    proc = _masar("ask", stdin="\n".join(lines) + "\n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["user"] for o in out] == ["u1", "u2"]
    assert out[0]["topic"] == "greet" and out[0]["language"] == "en"
    assert out[1]["language"] == "ar" and out[1]["topic"] == "sea_crossing_risks"
    assert set(out[1]) == {"user", "text", "language", "topic", "confidence", "replies"}
    assert "line 2: invalid JSON" in proc.stderr
    assert 'line 3: missing "text"' in proc.stderr
    # a quiet start: the two bad lines are all there is on stderr (no library warnings)
    expected = ["masar ask: line 2: ", "masar ask: line 3: "]
    assert [line[:19] for line in proc.stderr.splitlines()] == expected, proc.stderr[-2000:]
    assert "هل الطريق" not in proc.stderr  # no message text in logs


@pytest.mark.subprocess
def test_masar_chat_holds_a_conversation(engine, content):
    """Greeting and language choice, a question, an answer with source, fallback, new language."""
    script = "\n".join(
        ["1", "how do i apply for asylum", "what is the weather on mars", "/language", "7", ""]
    )
    proc = _masar("chat", stdin=script)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr == "", "the chat shows the bot and nothing else: " + proc.stderr[-2000:]
    out = proc.stdout
    assert "[1]" in out and "masar>" in out
    assert "Source:" in out and content.topics["asylum_how_to_apply"].sources[0].url in out
    assert content.topics["fallback"].translations["en"].answer[:30] in out
    assert content.topics["greet"].translations["fr"].answer[:30] in out
