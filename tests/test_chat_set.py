"""The held-out chat set (tests/data/chat/): complete, well labelled, and never trained on.

If a chat-set message were also a training example, `masar bench nlu --datasets chat` would
measure memory instead of understanding; these tests keep the two apart.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.benchmarks.chat import CHAT_DIR, contacts, leaked, load_chat_set
from bot.content.catalogue import LANGUAGES, TOPICS
from bot.content.loader import normalise_example

ROOT = Path(__file__).resolve().parent.parent
ITEMS = load_chat_set()


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
    for item in ITEMS:
        assert item.topic in TOPICS, item
        assert all(t in TOPICS and t != item.topic for t in item.accept), item
        assert item.emergency == item.topic.startswith("emergency_"), item
        assert not item.advert or item.topic == "offer_check", item


def test_no_chat_set_message_is_a_training_example():
    training = _training_texts()
    assert len(training) > 3000
    reused = [t for item in ITEMS for t in item.turns if normalise_example(t) in training]
    assert not reused, reused


def test_adverts_carry_only_fictional_contacts():
    for item in ITEMS:
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
