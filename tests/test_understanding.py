"""Through the real trained Rasa model: right topic and right language, in every language.

Each content example is sent as the first message of a new conversation (no language given),
exactly as `masar ask` does. Messages that the emergency net answers first are counted
apart: that is the safety net working, and their share is bounded.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from bot.content.catalogue import LANGUAGES

PER_TOPIC = 3


@pytest.fixture(scope="module")
def results(engine, content, ask):
    rng = random.Random(7)
    out = defaultdict(list)
    n = 0
    for topic in content.topics.values():
        for language, tr in topic.translations.items():
            for example in rng.sample(list(tr.examples), min(PER_TOPIC, len(tr.examples))):
                n += 1
                answer = ask(f"understanding-{n}", example)
                out[language].append((topic.id, example, answer))
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_right_topic_in_every_language(results, language):
    rows = results[language]
    judged = [
        (t, ex, a)
        for t, ex, a in rows
        if not (a.emergency and t not in ("emergency_at_sea", "emergency_general"))
    ]
    wrong = [(t, ex, a.topic) for t, ex, a in judged if a.topic != t]
    accuracy = 1 - len(wrong) / len(judged)
    assert accuracy >= 0.9, f"{language}: {accuracy:.2%} right; wrong: {wrong[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_answers_in_the_language_of_the_question(results, language):
    rows = results[language]
    wrong = [(ex, a.language) for _t, ex, a in rows if a.language != language]
    assert 1 - len(wrong) / len(rows) >= 0.95, f"{language}: {wrong[:10]}"


def test_few_ordinary_questions_trip_the_emergency_net(results):
    rows = [r for rs in results.values() for r in rs]
    tripped = [
        (t, ex)
        for t, ex, a in rows
        if a.emergency and t not in ("emergency_at_sea", "emergency_general")
    ]
    assert len(tripped) / len(rows) < 0.05, tripped[:20]


def test_every_answer_has_text_and_sources_for_information_topics(results, content):
    for rows in results.values():
        for _topic_id, _ex, answer in rows:
            assert answer.replies and answer.replies[0].text.strip()
