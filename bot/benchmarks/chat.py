"""`masar bench nlu --datasets chat`: the held-out chat set through the whole engine.

The other data sets score the topic classifier alone. People meet the engine: the emergency
net first, commands, language detection, the offer check, then Rasa, with the conversation's
earlier turns. So the chat set (tests/data/chat/, messages written the way people chat and
never used for training) is sent through `Engine.handle`, one fresh user per item, every turn of
a follow-up from the same user, and the last turn's answer is scored:

- topic accuracy per language, Arabic in Latin letters (Arabizi) as its own row ``ar-latn``;
- the answer's language (Arabizi is answered in Arabic);
- emergency recall (the emergency answer came) and false alarms (it came for an ordinary message);
- offer-check recall (a pasted advert got the offer check), and contacts from an advert repeated
  in a reply (must be none);
- the fallback rate, the worst confusions (expected -> answered) and the engine's latency.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CHAT_DIR = REPO_ROOT / "tests" / "data" / "chat"
# The sets of chat messages, by name: `chat` was used to find what Masar misunderstood;
# `chat-fresh` was written afterwards, by other hands, to measure whether the fixes generalise;
# `chat-third` was written before the next round of changes, to measure that round.
CHAT_SETS = {
    "chat": CHAT_DIR,
    "chat-fresh": REPO_ROOT / "tests" / "data" / "chat-fresh",
    "chat-third": REPO_ROOT / "tests" / "data" / "chat-third",
}
# A phone number or a messenger handle, as adverts write them.
CONTACT = re.compile(r"\+?\d[\d\s().-]{6,}\d|(?<!\w)@\w{3,}")


@dataclass(frozen=True)
class ChatItem:
    """One message (or a short conversation, scored on its last turn) with its labels."""

    row: str  # the language, or "ar-latn" for Arabizi
    language: str  # the language the answer must be in
    turns: tuple[str, ...]
    topic: str
    emergency: bool
    advert: bool
    # other topics whose answer is also right: where the content's own examples define the
    # message as that topic too (tests/data/chat/README.md)
    accept: tuple[str, ...] = ()


@dataclass
class ChatResult:
    item: ChatItem
    topic: str
    language: str
    emergency: bool
    leaked: list[str]  # contacts from the message found in the answer
    latency_ms: float

    @property
    def right(self) -> bool:
        return self.topic == self.item.topic or self.topic in self.item.accept


@dataclass
class ChatRun:
    results: list[ChatResult] = field(default_factory=list)
    load_seconds: float = 0.0
    engine: Any = None  # kept, so that a second set is answered by the same loaded engine


def load_chat_set(folder: Path = CHAT_DIR) -> list[ChatItem]:
    """Every item of every `<lang>.yml` in the folder, in file order."""
    items: list[ChatItem] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        language = str(data.get("language") or path.stem)
        row = path.stem if data.get("script") else language
        for entry in data.get("items") or []:
            turns = entry.get("turns") or [entry.get("text")]
            items.append(
                ChatItem(
                    row,
                    language,
                    tuple(str(t) for t in turns),
                    str(entry["topic"]),
                    bool(entry.get("emergency")),
                    bool(entry.get("advert")),
                    tuple(str(t) for t in entry.get("accept") or ()),
                )
            )
    return items


def contacts(text: str) -> list[str]:
    """Phone numbers (digits only) and handles in a text, to look for in the answers."""
    found = []
    for match in CONTACT.finditer(text):
        value = match.group(0)
        found.append(value.lower() if value.startswith("@") else re.sub(r"\D", "", value))
    return found


def leaked(message: str, reply_text: str) -> list[str]:
    """Contacts of the message that the reply repeats (digits compared without spaces)."""
    digits = re.sub(r"\D", "", reply_text)
    low = reply_text.lower()
    return [c for c in contacts(message) if (c in low if c.startswith("@") else c in digits)]


async def _ask(engine, items: list[ChatItem]) -> list[ChatResult]:
    from ..messages import Incoming

    results = []
    for i, item in enumerate(items):
        user = f"chat-bench-{i}"
        answer = None
        elapsed = 0.0
        for turn in item.turns:
            started = time.perf_counter()
            answer = await engine.handle(Incoming(user, turn, channel="bench"))
            elapsed = (time.perf_counter() - started) * 1000
        assert answer is not None
        text = "\n".join(r.text for r in answer.replies)
        results.append(
            ChatResult(
                item,
                answer.topic,
                answer.language,
                answer.emergency,
                leaked(item.turns[-1], text),
                elapsed,
            )
        )
        await engine.forget("bench", user)
    return results


def run_chat(items: list[ChatItem], engine=None) -> ChatRun:
    """Load the engine (training first if the content changed) and answer every item."""
    started = time.perf_counter()
    if engine is None:
        from ..engine import Engine
        from ..settings import load

        settings = load().replace(
            data_dir=Path(tempfile.mkdtemp(prefix="masar-bench-chat-")), user_key_secret="bench"
        )
        engine = Engine.load(settings, in_memory=True)
    loaded = time.perf_counter() - started
    results = asyncio.run(_ask(engine, items))
    return ChatRun(results, loaded, engine)


# --------------------------------------------------------------------------- figures


def _share(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def summary(run: ChatRun) -> dict:
    """Every figure of the report, as plain data (also written to --json)."""
    from .nlu import percentile

    rows: dict[str, list[ChatResult]] = defaultdict(list)
    for r in run.results:
        rows[r.item.row].append(r)
    emergencies = [r for r in run.results if r.item.emergency]
    ordinary = [r for r in run.results if not r.item.emergency]
    adverts = [r for r in run.results if r.item.advert]
    confusions = Counter((r.item.topic, r.topic) for r in run.results if not r.right).most_common(
        12
    )
    return {
        "rows": {
            row: {
                "n": len(rs),
                "topic_accuracy": _share(sum(r.right for r in rs), len(rs)),
                "answer_language": _share(sum(r.language == r.item.language for r in rs), len(rs)),
                "fallback_rate": _share(sum(r.topic == "fallback" for r in rs), len(rs)),
            }
            for row, rs in rows.items()
        },
        "n": len(run.results),
        "topic_accuracy": _share(sum(r.right for r in run.results), len(run.results)),
        "answer_language": _share(
            sum(r.language == r.item.language for r in run.results), len(run.results)
        ),
        "fallback_rate": _share(sum(r.topic == "fallback" for r in run.results), len(run.results)),
        "emergency_recall": _share(sum(r.emergency for r in emergencies), len(emergencies)),
        "emergencies": len(emergencies),
        "false_alarm_rate": 1.0 - _share(sum(not r.emergency for r in ordinary), len(ordinary)),
        "ordinary": len(ordinary),
        "offer_check_recall": _share(sum(r.topic == "offer_check" for r in adverts), len(adverts)),
        "adverts": len(adverts),
        "contacts_repeated": sum(len(r.leaked) for r in run.results),
        "confusions": [[gold, got, n] for (gold, got), n in confusions],
        "missed_emergencies": [
            [r.item.row, r.item.turns[-1], r.topic] for r in emergencies if not r.emergency
        ],
        "false_alarms": [[r.item.row, r.item.turns[-1]] for r in ordinary if r.emergency],
        "missed_adverts": [[r.item.row, r.topic] for r in adverts if r.topic != "offer_check"],
        # every wrong topic with its turns, for evaluators reading the JSON
        "wrong_topics": [
            [r.item.row, list(r.item.turns), r.item.topic, r.topic]
            for r in run.results
            if not r.right
        ],
        # every answer in another language than the message's, with the language it got
        "wrong_languages": [
            [r.item.row, list(r.item.turns), r.item.language, r.language]
            for r in run.results
            if r.language != r.item.language
        ],
        "latency_ms_p50": percentile([r.latency_ms for r in run.results], 50),
        "latency_ms_p95": percentile([r.latency_ms for r in run.results], 95),
        "load_seconds": run.load_seconds,
    }


def report(figures: dict, name: str = "chat") -> str:
    """The printed table and lists."""
    from .nlu import _order

    folder = CHAT_SETS[name].relative_to(REPO_ROOT)
    lines = [
        f"\nChat set `{name}` ({folder}, held out, {figures['n']} items) through the whole engine",
        f"{'language':<10}{'n':>5}{'topic':>9}{'answer lang':>13}{'fallback':>10}",
    ]
    rows = figures["rows"]
    for row in sorted(rows, key=lambda r: (_order(r.split("-")[0]), r)):
        f = rows[row]
        lines.append(
            f"{row:<10}{f['n']:>5}{f['topic_accuracy']:>9.3f}{f['answer_language']:>13.3f}"
            f"{f['fallback_rate']:>10.3f}"
        )
    lines.append(
        f"{'all':<10}{figures['n']:>5}{figures['topic_accuracy']:>9.3f}"
        f"{figures['answer_language']:>13.3f}{figures['fallback_rate']:>10.3f}"
    )
    lines += [
        f"emergency recall: {figures['emergency_recall']:.3f} of {figures['emergencies']}; "
        f"false alarms: {figures['false_alarm_rate']:.3f} of {figures['ordinary']} ordinary",
        f"offer check on pasted adverts: {figures['offer_check_recall']:.3f} of "
        f"{figures['adverts']}; contacts from adverts repeated in answers: "
        f"{figures['contacts_repeated']}",
        f"engine latency per message: p50 {figures['latency_ms_p50']:.1f} ms, "
        f"p95 {figures['latency_ms_p95']:.1f} ms (load {figures['load_seconds']:.1f} s)",
        "worst confusions (expected -> answered, count):",
    ]
    lines += [f"  {gold} -> {got}: {n}" for gold, got, n in figures["confusions"]]
    if figures["missed_emergencies"]:
        lines.append("missed emergencies (language, message, answered topic):")
        lines += [
            f"  {row}: {text} -> {topic}" for row, text, topic in figures["missed_emergencies"]
        ]
    if figures["missed_adverts"]:
        lines.append("adverts without the offer check (language, answered topic):")
        lines += [f"  {row}: {topic}" for row, topic in figures["missed_adverts"]]
    return "\n".join(lines)
