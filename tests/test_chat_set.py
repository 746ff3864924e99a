"""The held-out chat set (tests/data/chat/): complete, well labelled, and never trained on.

If a chat-set message were also a training example, `masar bench nlu --datasets chat` would
measure memory instead of understanding; these tests keep the two apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.benchmarks.chat import CHAT_DIR, CHAT_SETS, contacts, leaked, load_chat_set
from bot.content.catalogue import LANGUAGES, TOPICS
from bot.content.loader import normalise_example

ROOT = Path(__file__).resolve().parent.parent
ITEMS = load_chat_set()
FRESH = load_chat_set(CHAT_SETS["chat-fresh"])
THIRD = load_chat_set(CHAT_SETS["chat-third"])


def _training_texts() -> set[str]:
    """Every example the models learn from: topics' examples and the safety examples."""
    texts: set[str] = set()
    for path in sorted((ROOT / "content" / "topics").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for tr in (data.get("languages") or {}).values():
            texts |= {normalise_example(str(e)) for e in (tr or {}).get("examples") or []}
    for path in sorted((ROOT / "content" / "safety").glob("*examples*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for by_kind in (data.get("examples") or {}).values():
            for items in (by_kind or {}).values():
                texts |= {normalise_example(str(e)) for e in items or []}
    return texts


def test_every_launch_language_and_arabizi_has_thirty_messages():
    rows = {item.row for item in ITEMS}
    assert rows == {*LANGUAGES, "ar-latn"}
    for row in rows:
        assert sum(item.row == row for item in ITEMS) >= 30, row


def test_each_row_has_emergencies_adverts_and_follow_ups():
    for row in {item.row for item in ITEMS}:
        mine = [item for item in ITEMS if item.row == row]
        assert sum(item.emergency for item in mine) >= 5, row
        assert sum(item.advert for item in mine) >= 3, row
        assert sum(len(item.turns) == 2 for item in mine) >= 3, row


def test_every_label_is_a_topic_id_and_the_flags_agree_with_it():
    for item in ITEMS + FRESH + THIRD:
        assert item.topic in TOPICS, item
        assert all(t in TOPICS and t != item.topic for t in item.accept), item
        assert item.emergency == item.topic.startswith("emergency_"), item
        assert not item.advert or item.topic == "offer_check", item


def test_no_chat_set_message_is_a_training_example():
    training = _training_texts()
    assert len(training) > 3000
    reused = [
        t for item in ITEMS + FRESH + THIRD for t in item.turns if normalise_example(t) in training
    ]
    assert not reused, reused


def test_adverts_carry_only_fictional_contacts():
    for item in ITEMS + FRESH + THIRD:
        for contact in contacts(item.turns[-1]):
            if not contact.startswith("@"):
                assert contact.startswith("000") or contact.startswith("447700900"), contact
            else:
                assert contact.endswith("000"), contact


def test_a_repeated_number_is_found_however_it_is_spaced():
    advert = "call +000 555 0101 or @boat_000 now"
    assert leaked(advert, "you wrote +0005550101") == ["0005550101"]
    assert leaked(advert, "don't trust @BOAT_000") == ["@boat_000"]
    assert leaked(advert, "do not call the number in the advert") == []


def test_the_folder_documents_the_labels():
    readme = (CHAT_DIR / "README.md").read_text(encoding="utf-8")
    for field in ("`text`", "`turns`", "`topic`", "`emergency`", "`advert`", "`accept`"):
        assert field in readme


def test_the_chat_bench_runs_the_engine_and_reports_every_figure(engine):
    from bot.benchmarks.chat import report, run_chat, summary

    rows = sorted({item.row for item in ITEMS})
    sample = [next(i for i in ITEMS if i.row == row and i.emergency) for row in rows[:3]]
    sample += [next(i for i in ITEMS if i.advert), next(i for i in ITEMS if len(i.turns) == 2)]
    sample += [i for i in ITEMS if i.row == "ar-latn"][-2:]
    figures = summary(run_chat(sample, engine=engine))
    assert figures["n"] == len(sample) and "ar-latn" in figures["rows"]
    assert figures["emergencies"] == 3 and figures["adverts"] >= 1
    for key in ("topic_accuracy", "answer_language", "fallback_rate", "false_alarm_rate"):
        assert 0.0 <= figures[key] <= 1.0
    assert figures["latency_ms_p95"] >= figures["latency_ms_p50"] > 0
    table = report(figures)
    for words in ("ar-latn", "emergency recall", "false alarms", "offer check", "fallback"):
        assert words in table
    assert "worst confusions" in table


def test_the_fresh_set_has_every_language_and_kind():
    rows = {item.row for item in FRESH}
    assert rows == {*LANGUAGES, "ar-latn"}
    for row in rows:
        mine = [item for item in FRESH if item.row == row]
        assert len(mine) >= 20 and sum(item.emergency for item in mine) >= 3, row
        assert sum(item.advert for item in mine) >= 2, row


def test_the_third_set_has_every_language_and_kind():
    rows = {item.row for item in THIRD}
    assert rows == {*LANGUAGES, "ar-latn"}
    for row in rows:
        mine = [item for item in THIRD if item.row == row]
        assert len(mine) >= (20 if row == "ar-latn" else 10), row
        assert sum(item.emergency for item in mine) >= 2, row
        assert sum(item.advert for item in mine) >= 1, row
        assert any(len(item.turns) == 2 for item in mine), row


# What the engine reaches on the two chat sets (docs/benchmarks/chat-2026-12-02.md), set a little
# below the measured figures: training is deterministic, so falling below one of them means a
# change made Masar understand people less well. Raise them when understanding improves.
# Measured on 2026-12-02 (docs/benchmarks/chat-nlu-2026-12-02.md): chat 98.3% (worst row
# ar-latn 90.6%), recall 100%, false alarms 1.0%; chat-fresh 96.9% (worst rows 95%), recall
# 100%, false alarms 0.5%. Recall is allowed two misses only because another machine's floating
# point can move a borderline score.
FLOORS = {
    "chat": {"topic": 0.97, "row": 0.87, "recall": 0.98, "false_alarms": 0.03, "adverts": 1.0},
    "chat-fresh": {
        "topic": 0.95,
        "row": 0.9,
        "recall": 0.96,
        "false_alarms": 0.03,
        "adverts": 1.0,
    },
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_engine_understands_the_chat_sets(engine, name):
    from bot.benchmarks.chat import report, run_chat, summary

    figures = summary(run_chat(ITEMS if name == "chat" else FRESH, engine=engine))
    print(report(figures, name))
    floor = FLOORS[name]
    assert figures["topic_accuracy"] >= floor["topic"]
    worst = min(row["topic_accuracy"] for row in figures["rows"].values())
    assert worst >= floor["row"], figures["rows"]
    assert figures["emergency_recall"] >= floor["recall"], figures["missed_emergencies"]
    assert figures["false_alarm_rate"] <= floor["false_alarms"], figures["false_alarms"]
    assert figures["offer_check_recall"] >= floor["adverts"], figures["missed_adverts"]
    assert figures["contacts_repeated"] == 0
    assert figures["answer_language"] >= 0.98
