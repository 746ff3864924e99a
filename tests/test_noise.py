"""Noise goes to the fallback, questions do not (bot/noise.py).

The held-out chat set (tests/data/chat/, never used for training) is what real questions look
like in every launch language; the noise is tests/hostile.py's, from a fixed seed.
"""

from __future__ import annotations

import json

import pytest
import yaml
from hostile import ROOT, Generator

from bot.messages import clean_text

CHAT = ROOT / "tests" / "data" / "chat"


@pytest.fixture(scope="module")
def vocabulary(content, settings):
    from bot.noise import content_vocabulary

    return content_vocabulary(content, settings.content_dir)


def chat_set() -> list[str]:
    texts = []
    for path in sorted(CHAT.glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            texts += [item["text"]] if "text" in item else item["turns"]
    return texts


def noise(n: int = 600) -> list[str]:
    cases = Generator(7, sentences={"en": ["how do i apply for asylum here"]}).cases(n)
    return [clean_text(json.loads(c.line)["text"]) for c in cases if c.noise]


def test_real_questions_are_not_noise_and_noise_is(vocabulary):
    questions = chat_set()
    flagged = [q for q in questions if vocabulary.is_noise(q)]
    junk = noise()
    missed = [t for t in junk if not vocabulary.is_noise(t)]
    print(
        f"\nchat set: {len(flagged)} of {len(questions)} questions taken for noise; "
        f"noise: {len(missed)} of {len(junk)} taken for a question"
    )
    assert len(questions) > 300 and len(flagged) <= 0.005 * len(questions), flagged
    assert len(junk) > 100 and len(missed) <= 0.03 * len(junk), missed[:10]


@pytest.mark.parametrize(
    "text",
    [
        "hi",
        "help",
        "asylum?",
        "salam",
        "سلام",
        "ok",
        "thanks",
        "merci",
        "hola",
        "yardım",
        "caawin",
        "لجوء",
        "پناهندگی",
        "допоможіть",
        "আশ্রয়",
        "ሓገዝ",
        "Germany",
        "I am in Libya",
        "112",
    ],
)
def test_short_real_messages_are_not_noise(vocabulary, text):
    assert not vocabulary.is_noise(text)


def test_noise_gets_the_fallback_from_the_real_engine(ask):
    topics = {}
    for i, text in enumerate(noise(300)):
        answer = ask(f"noise-{i}", text)
        topics[answer.topic] = topics.get(answer.topic, 0) + 1
        assert answer.replies and answer.replies[0].text
    print("\nnoise answered with:", topics)
    # random Unicode was answered `unaccompanied_children`, mashing `emergency_general`
    assert topics.get("fallback", 0) >= 0.97 * sum(topics.values()), topics
    mash = "wjaknivasrrd gpsvqaotp nbcpujlgaweg ldnmfoxb unadchidj biiu"
    assert ask("noise-mash", mash).topic == "fallback"  # the emergency model's guess is dropped
    assert ask("noise-real", "help our boat is sinking").topic == "emergency_at_sea"
    assert ask("noise-q", "how do i apply for asylum").topic != "fallback"
