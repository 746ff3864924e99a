"""Romanised Arabic (four dialects), Persian and Urdu: folded, written in native script, and
understood through the real trained model.

The probe messages (tests/data/romanised_probe.yml) are never used for training: they measure
how well the content's examples and the transliteration generalise to other spellings.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

PROBE = Path(__file__).parent / "data" / "romanised_probe.yml"
VARIETIES = ("levantine", "egyptian", "maghrebi", "sudanese", "finglish", "roman_urdu")
LANGUAGE = dict.fromkeys(VARIETIES[:4], "ar") | {"finglish": "fa", "roman_urdu": "ur"}
EMERGENCY = ("emergency_at_sea", "emergency_general")


def probe() -> dict[str, list[tuple[str, str]]]:
    data = yaml.safe_load(PROBE.read_text(encoding="utf-8"))
    return {variety: [tuple(item) for item in data[variety]] for variety in VARIETIES}


@pytest.fixture(scope="module")
def probe_answers(ask):
    out = {}
    for variety, items in probe().items():
        out[variety] = [
            (topic, text, ask(f"probe-{variety}-{i}", text))
            for i, (topic, text) in enumerate(items)
        ]
    return out


def test_probe_messages_are_not_training_examples(content):
    from bot.content.loader import normalise_example

    examples = {
        normalise_example(ex)
        for topic in content.topics.values()
        for tr in topic.translations.values()
        for ex in tr.examples
    }
    leaked = [
        text
        for items in probe().values()
        for _t, text in items
        if normalise_example(text) in examples
    ]
    assert not leaked


@pytest.mark.parametrize("variety", VARIETIES)
def test_romanised_messages_reach_their_topic(probe_answers, variety):
    rows = probe_answers[variety]
    right = [a.topic == topic or (topic in EMERGENCY and a.emergency) for topic, _text, a in rows]
    accuracy = sum(right) / len(rows)
    wrong = [
        (topic, a.topic, text) for (topic, text, a), ok in zip(rows, right, strict=True) if not ok
    ]
    print(f"{variety}: {accuracy:.0%} ({sum(right)}/{len(rows)})")
    assert accuracy >= 0.75, f"{variety}: {accuracy:.0%}; wrong: {wrong}"


@pytest.mark.parametrize("variety", VARIETIES)
def test_romanised_messages_are_answered_in_their_language(probe_answers, variety):
    languages = Counter(a.language for _t, _x, a in probe_answers[variety])
    assert languages[LANGUAGE[variety]] / sum(languages.values()) >= 0.75, languages


def test_spelling_variants_fold_to_one_key():
    from bot.nlu.romanised import fold

    assert fold("ba7r", "ar") == fold("bahr", "ar") == fold("baa7r", "ar")
    assert fold("mohareb", "ar") == fold("muhareb", "ar")
    assert fold("3ayez", "ar") == fold("3ayyez", "ar")
    assert fold("khoob", "fa") == fold("khub", "fa")
    assert fold("chahiye", "ur") == fold("chahie", "ur")
    assert fold("bachay", "ur") == fold("bache", "ur")


@pytest.mark.parametrize(
    ("text", "language", "native"),
    [
        ("il ba7r 5atir walla la2", "ar", "البحر خطير ولا لا"),
        ("ana 3ayez aro7 italia bel markab", "ar", "انا عايز اروح ايطاليا بالمركب"),
        ("mikham panahandegi", "fa", "میخوام پناهندگی"),
        ("mujhe madad chahiye", "ur", "مجھے مدد چاہیے"),
    ],
)
def test_romanised_text_is_written_in_native_script(text, language, native):
    from bot.nlu.romanised import to_native

    assert to_native(text, language) == native


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("wen fi mosa3ade lal laj2in hon", "ar"),
        ("kifach ndir l7arga l italia", "ar"),
        ("ghachaghchi mige ghayegh amne", "fa"),
        ("samundar ka rasta kitna khatarnak hai", "ur"),
        ("I need help with my asylum claim", None),
        ("je veux demander l'asile en France", None),
        ("necesito un abogado gratis", None),
        ("waxaan u baahanahay caawimaad", None),
    ],
)
def test_romanised_language_is_recognised_without_a_model(text, language):
    from bot.nlu.romanised import romanised_language

    assert romanised_language(text) == language


def test_the_embedding_reads_romanised_text_in_native_script():
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tokenizer import NATIVE_TEXT, ChatTokenizer

    tokenizer = ChatTokenizer(ChatTokenizer.get_default_config())
    message = Message(data={"text": "fi mohareb bi2ol el markab amen"})
    tokens = tokenizer.tokenize(message, "text")
    assert message.get(NATIVE_TEXT).startswith("في مهرب")
    assert "مهرب" in [t.text for t in tokens]  # native words are features too
    english = Message(data={"text": "is the boat safe"})
    tokenizer.tokenize(english, "text")
    assert english.get(NATIVE_TEXT) is None
